"""Batch scoring: read CSV files, write one predictions file per input file (stdlib only).

Input files have a header row naming at least the model's features; every other column
(an id, the true label) is copied through. Each output file holds the input columns plus
``predicted_score`` and ``predicted_label``, and ``_manifest.json`` lists what was scored.

Defaults follow the SageMaker Processing layout, so the serving image runs as a Processing
job with ``python -m <package>.batch`` and no arguments:

- model: ``--model``, ``MODEL_PATH``, ``/opt/ml/processing/model``, ``model`` (a
  ``model.json``, a directory holding it, or the ``model.tar.gz`` from training);
- input: ``--input``, ``/opt/ml/processing/input``, ``data/batch``;
- output: ``--output``, ``/opt/ml/processing/output``, ``output/batch``.

On EKS the same command runs in a Job with the buckets mounted through Mountpoint for S3:
files are read and written sequentially, which Mountpoint supports.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .data import DataError, csv_files, features_from_mapping
from .model import LogisticRegression, ModelError, load_model

log = logging.getLogger(__name__)

PROCESSING_ROOT = Path("/opt/ml/processing")
SCORE_COLUMN = "predicted_score"
LABEL_COLUMN = "predicted_label"
MANIFEST = "_manifest.json"


@dataclass(frozen=True)
class ScoredFile:
    """One input file and the predictions written for it."""

    source: str
    output: str
    rows: int


def output_path(source: Path, input_root: Path, output_root: Path) -> Path:
    """``<output_root>/<path relative to input_root>`` with ``.predictions.csv`` as suffix."""
    relative = source.relative_to(input_root) if input_root.is_dir() else Path(source.name)
    return output_root / relative.with_name(f"{relative.stem}.predictions.csv")


def score_file(model: LogisticRegression, source: Path, target: Path) -> int:
    """Score every row of ``source`` into ``target``; return the number of rows."""
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with (
        source.open(newline="", encoding="utf-8") as reader_handle,
        target.open("w", newline="", encoding="utf-8") as writer_handle,
    ):
        reader = csv.DictReader(reader_handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in model.feature_names if name not in header]
        if missing:
            raise DataError(f"{source}: missing feature column(s) {', '.join(missing)}")
        reader.fieldnames = header
        writer = csv.writer(writer_handle, lineterminator="\n")
        writer.writerow([*header, SCORE_COLUMN, LABEL_COLUMN])
        for line, row in enumerate(reader, start=2):
            features = features_from_mapping(row, model.feature_names, f"{source}:{line}")
            score = model.predict_proba([features])[0]
            label = int(score >= model.threshold)
            writer.writerow([*(row.get(name, "") for name in header), repr(score), label])
            count += 1
    return count


def run(model_path: Path, input_path: Path, output_root: Path) -> list[ScoredFile]:
    """Score every CSV file under ``input_path`` and write the manifest.

    Raises:
        DataError: When there is no input, or a row lacks a feature or has a non-number.
        ModelError: When the model cannot be loaded.
    """
    model = load_model(model_path)
    scored = []
    for source in csv_files(input_path):
        target = output_path(source, input_path, output_root)
        rows = score_file(model, source, target)
        log.info("scored %d rows of %s into %s", rows, source, target)
        scored.append(
            ScoredFile(
                source=source.relative_to(input_path).as_posix()
                if input_path.is_dir()
                else source.name,
                output=target.relative_to(output_root).as_posix(),
                rows=rows,
            )
        )
    manifest = {
        "files": [vars(item) for item in scored],
        "rows": sum(item.rows for item in scored),
        "model_features": list(model.feature_names),
    }
    output_root.mkdir(parents=True, exist_ok=True)
    (output_root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return scored


def _default(env: Mapping[str, str], variable: str | None, processing: str, local: str) -> Path:
    if variable and env.get(variable):
        return Path(env[variable])
    candidate = PROCESSING_ROOT / processing
    return candidate if candidate.exists() else Path(local)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Command line: ``python -m <package>.batch [--model M] [--input I] [--output O]``."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    env = os.environ if env is None else env
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}.batch", description=__doc__)
    parser.add_argument("--model", type=Path, default=_default(env, "MODEL_PATH", "model", "model"))
    parser.add_argument("--input", type=Path, default=_default(env, None, "input", "data/batch"))
    parser.add_argument(
        "--output", type=Path, default=_default(env, None, "output", "output/batch")
    )
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        scored = run(args.model, args.input, args.output)
    except (DataError, ModelError) as error:
        log.error("%s", error)
        return 2
    log.info("scored %d rows in %d files", sum(item.rows for item in scored), len(scored))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
