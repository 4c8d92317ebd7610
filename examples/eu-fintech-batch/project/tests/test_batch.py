from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fraud_scoring.batch import (
    LABEL_COLUMN,
    MANIFEST,
    SCORE_COLUMN,
    run,
)
from fraud_scoring.data import (
    Dataset,
)
from fraud_scoring.model import (
    LogisticRegression,
    write_archive,
)
from fraud_scoring.train import (
    TrainConfig,
    train,
)

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "fraud_scoring"


@pytest.fixture(scope="module")
def model(dataset: Dataset) -> LogisticRegression:
    return train(dataset, TrainConfig(epochs=3)).model


def write_input(path: Path, dataset: Dataset, rows: range, with_id: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*(["id"] if with_id else []), *dataset.feature_names])
        for index in rows:
            writer.writerow([*([f"row-{index}"] if with_id else []), *dataset.features[index]])


def read_output(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_file_is_scored_with_its_columns_kept(
    tmp_path: Path, dataset: Dataset, model: LogisticRegression
) -> None:
    model.save(tmp_path / "model")
    write_input(tmp_path / "in" / "a.csv", dataset, range(0, 10), with_id=True)
    write_input(tmp_path / "in" / "day=2" / "b.csv", dataset, range(10, 25))

    scored = run(tmp_path / "model", tmp_path / "in", tmp_path / "out")

    assert [(item.source, item.rows) for item in scored] == [("a.csv", 10), ("day=2/b.csv", 15)]
    first = read_output(tmp_path / "out" / "a.predictions.csv")
    assert [row["id"] for row in first] == [f"row-{i}" for i in range(10)]
    expected = model.predict_proba(dataset.features[0:10])
    assert [float(row[SCORE_COLUMN]) for row in first] == pytest.approx(expected)
    assert {row[LABEL_COLUMN] for row in first} <= {"0", "1"}
    assert (tmp_path / "out" / "day=2" / "b.predictions.csv").is_file()
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["rows"] == 25


def test_model_archive_from_training_is_accepted(
    tmp_path: Path, dataset: Dataset, model: LogisticRegression
) -> None:
    model.save(tmp_path / "trained")
    write_archive(tmp_path / "trained", tmp_path / "model" / "model.tar.gz")
    write_input(tmp_path / "in" / "a.csv", dataset, range(5))

    scored = run(tmp_path / "model", tmp_path / "in", tmp_path / "out")

    assert scored[0].rows == 5


def _batch(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    command = [sys.executable, "-m", f"{PACKAGE}.batch", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_command_line_runs_end_to_end(
    tmp_path: Path, dataset: Dataset, model: LogisticRegression
) -> None:
    model.save(tmp_path / "model")
    write_input(tmp_path / "in" / "a.csv", dataset, range(7))

    completed = _batch(
        f"--model={tmp_path / 'model'}",
        f"--input={tmp_path / 'in'}",
        f"--output={tmp_path / 'out'}",
    )

    assert completed.returncode == 0, completed.stderr
    assert len(read_output(tmp_path / "out" / "a.predictions.csv")) == 7


def test_missing_feature_column_exits_with_code_2(
    tmp_path: Path, model: LogisticRegression
) -> None:
    model.save(tmp_path / "model")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_text("f0,f1\n1,2\n", encoding="utf-8")

    completed = _batch(
        f"--model={tmp_path / 'model'}",
        f"--input={tmp_path / 'in'}",
        f"--output={tmp_path / 'out'}",
    )

    assert completed.returncode == 2
    assert "missing feature column(s) f2, f3" in completed.stderr
