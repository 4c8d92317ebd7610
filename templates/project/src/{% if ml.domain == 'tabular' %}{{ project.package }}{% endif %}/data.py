"""Training data: reading CSV files, sharding them, and making synthetic data.

Training data is one or more CSV files with a header row. One column holds the 0/1 label
(``label`` by default); every other column is a numeric feature. The files may live in:

- a local directory (``data/train``);
- the SageMaker training channel (``SM_CHANNEL_TRAIN``, or ``/opt/ml/input/data/train``);
- an S3 prefix mounted as a file system (Mountpoint for Amazon S3 on EKS, or SageMaker's
  ``FastFile`` input mode), which reads like a local directory;
- an ``s3://`` URI, downloaded first with boto3 (``pip install '.[cloud]'``).

Run ``python -m <package>.data synth --out data/train/train.csv`` to write a synthetic
data set for local runs and tests.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import random
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_LABEL_COLUMN = "label"
SAGEMAKER_CHANNEL_ROOT = Path("/opt/ml/input/data")


class DataError(ValueError):
    """Data that cannot be used as it is; the message says what to change."""


@dataclass(frozen=True)
class Dataset:
    """Rows of numeric features with a 0/1 label each.

    Attributes:
        feature_names: Column names of the features, in the order of each row.
        features: One tuple of floats per row.
        labels: One 0/1 label per row.
        label_column: Name of the label column in the CSV files.
    """

    feature_names: tuple[str, ...]
    features: tuple[tuple[float, ...], ...]
    labels: tuple[int, ...]
    label_column: str = field(default=DEFAULT_LABEL_COLUMN)

    def __post_init__(self) -> None:
        if len(self.features) != len(self.labels):
            raise DataError(
                f"{len(self.features)} feature rows but {len(self.labels)} labels; "
                "every row needs exactly one label"
            )
        width = len(self.feature_names)
        for index, row in enumerate(self.features):
            if len(row) != width:
                raise DataError(f"row {index} has {len(row)} features, expected {width}")

    def __len__(self) -> int:
        return len(self.labels)

    def select(self, indices: Iterable[int]) -> Dataset:
        """Return the rows at ``indices``, in that order."""
        chosen = list(indices)
        return Dataset(
            feature_names=self.feature_names,
            features=tuple(self.features[i] for i in chosen),
            labels=tuple(self.labels[i] for i in chosen),
            label_column=self.label_column,
        )


def csv_files(path: Path) -> list[Path]:
    """List the CSV files at ``path`` (a file, or a directory searched recursively), sorted."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(f"{path} does not exist; pass a directory or file of CSV training data")
    files = sorted(p for p in path.rglob("*.csv") if p.is_file())
    if not files:
        raise DataError(
            f"no .csv files under {path}; write some there "
            "(python -m <package>.data synth --out <dir>/train.csv makes a synthetic set)"
        )
    return files


def parse_float(value: str | float | int, where: str) -> float:
    """Parse one feature value, raising a ``DataError`` that names the offending cell."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{where}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise DataError(f"{where}: {value!r} is not a finite number")
    return number


def parse_label(value: str, where: str) -> int:
    """Parse a 0/1 label (``0``, ``1``, ``0.0``, ``1.0``, ``true`` or ``false``)."""
    text = value.strip().lower()
    if text in {"1", "1.0", "true"}:
        return 1
    if text in {"0", "0.0", "false"}:
        return 0
    raise DataError(f"{where}: label {value!r} is not 0 or 1")


def features_from_mapping(
    row: Mapping[str, object], feature_names: Sequence[str], where: str
) -> tuple[float, ...]:
    """Pick ``feature_names`` out of a mapping (a CSV row or a JSON object), as floats."""
    missing = [name for name in feature_names if name not in row or row[name] in (None, "")]
    if missing:
        raise DataError(f"{where}: missing feature(s) {', '.join(missing)}")
    return tuple(parse_float(row[name], f"{where}, column {name!r}") for name in feature_names)


def read_dataset(path: Path | str, label_column: str = DEFAULT_LABEL_COLUMN) -> Dataset:
    """Read every CSV file under ``path`` into one ``Dataset``.

    All files must have the same columns (in any order). Feature order follows the first file.

    Args:
        path: A CSV file or a directory holding CSV files.
        label_column: Name of the 0/1 label column.

    Returns:
        The rows of all files, in file-name order.

    Raises:
        DataError: When a file lacks the label column, columns differ between files, or a
            cell is not a number.
    """
    feature_names: tuple[str, ...] | None = None
    features: list[tuple[float, ...]] = []
    labels: list[int] = []
    for file in csv_files(Path(path)):
        with file.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            if label_column not in header:
                raise DataError(
                    f"{file}: no {label_column!r} column (columns: {', '.join(header) or 'none'}); "
                    "pass --label-column if the label has another name"
                )
            names = tuple(name for name in header if name != label_column)
            if feature_names is None:
                feature_names = names
            elif set(names) != set(feature_names):
                raise DataError(
                    f"{file}: columns {sorted(names)} differ from the first file's "
                    f"{sorted(feature_names)}"
                )
            reader.fieldnames = header
            for line, row in enumerate(reader, start=2):
                where = f"{file}:{line}"
                features.append(features_from_mapping(row, feature_names, where))
                labels.append(parse_label(row[label_column] or "", where))
    if not labels or feature_names is None:
        raise DataError(f"{path}: the CSV files hold no data rows")
    return Dataset(feature_names, tuple(features), tuple(labels), label_column)


def write_csv(dataset: Dataset, path: Path | str) -> Path:
    """Write ``dataset`` as one CSV file with a header row; return the path written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*dataset.feature_names, dataset.label_column])
        for row, label in zip(dataset.features, dataset.labels, strict=True):
            writer.writerow([*(repr(value) for value in row), label])
    return target


def make_synthetic(
    rows: int = 1000, features: int = 4, seed: int = 0, noise: float = 0.5, population: int = 0
) -> Dataset:
    """Make a reproducible, nearly linearly separable binary classification data set.

    Features have different means and scales (so standardisation matters) and the label is
    ``1`` when a fixed linear function of the standardised features plus Gaussian noise is
    positive.

    Args:
        rows: Number of rows.
        features: Number of feature columns.
        seed: Seed of the rows; the same seed gives the same rows.
        noise: Standard deviation of the noise added before thresholding.
        population: Seed of the hidden weights, means and scales. Sets made with the same
            population (and different ``seed``) come from the same distribution, like a
            training set and the data scored later.
    """
    if rows < 1 or features < 1:
        raise DataError("rows and features must both be at least 1")
    hidden = random.Random(population)
    weights = [hidden.choice((-1.0, 1.0)) * hidden.uniform(0.5, 2.5) for _ in range(features)]
    means = [hidden.uniform(-10.0, 10.0) for _ in range(features)]
    scales = [hidden.uniform(0.5, 20.0) for _ in range(features)]
    bias = hidden.uniform(-0.5, 0.5)
    rng = random.Random(seed)
    table: list[tuple[float, ...]] = []
    labels: list[int] = []
    for _ in range(rows):
        z = [rng.gauss(0.0, 1.0) for _ in range(features)]
        logit = bias + sum(w * v for w, v in zip(weights, z, strict=True))
        logit += rng.gauss(0.0, noise)
        table.append(tuple(round(m + s * v, 6) for m, s, v in zip(means, scales, z, strict=True)))
        labels.append(1 if logit > 0 else 0)
    names = tuple(f"f{index}" for index in range(features))
    return Dataset(names, tuple(table), tuple(labels))


def shard_indices(count: int, rank: int, world_size: int, seed: int, epoch: int) -> list[int]:
    """Return this rank's row indices for one epoch, like PyTorch's ``DistributedSampler``.

    Every rank shuffles all ``count`` indices with the same seed and epoch, then takes every
    ``world_size``-th one starting at ``rank``. Each rank gets exactly ``count // world_size``
    rows (the remainder is dropped for that epoch), so all ranks run the same number of steps.
    """
    if world_size < 1 or not 0 <= rank < world_size:
        raise ValueError(f"rank {rank} is outside a world of size {world_size}")
    per_rank = count // world_size
    if per_rank == 0:
        raise DataError(f"{count} rows cannot be split across {world_size} ranks")
    order = list(range(count))
    random.Random(seed * 1_000_003 + epoch).shuffle(order)
    return order[rank : per_rank * world_size : world_size]


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """Split ``s3://bucket/prefix`` into ``("bucket", "prefix")``."""
    if not uri.startswith("s3://"):
        raise DataError(f"{uri!r} is not an s3:// URI")
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    if not bucket:
        raise DataError(f"{uri!r} has no bucket name")
    return bucket, prefix


def download_s3_prefix(uri: str, destination: Path) -> Path:  # pragma: no cover - needs AWS
    """Download every object under an ``s3://`` prefix into ``destination``.

    Needs boto3 (``pip install '.[cloud]'``) and credentials that can read the bucket and
    decrypt its KMS key.
    """
    try:
        import boto3  # optional dependency, imported only when used
    except ImportError:
        raise DataError(
            f"reading {uri} needs boto3: pip install '.[cloud]', "
            "or mount the bucket and pass the mounted directory instead"
        ) from None
    bucket, prefix = parse_s3_uri(uri)
    client = boto3.client("s3")
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"]
            if key.endswith("/"):
                continue
            relative = key[len(prefix) :].lstrip("/") or Path(key).name
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(bucket, key, str(target))
    return destination


def channel_location(
    value: str | None, channel: str, env: Mapping[str, str] | None = None
) -> str | None:
    """Where a SageMaker-style data channel is, or ``None`` when nothing says.

    Order: an explicit value (a path or an ``s3://`` URI), ``SM_CHANNEL_<CHANNEL>``, then
    ``/opt/ml/input/data/<channel>`` when that directory exists.
    """
    if value:
        return value
    from_env = (os.environ if env is None else env).get(f"SM_CHANNEL_{channel.upper()}")
    if from_env:
        return from_env
    sagemaker_dir = SAGEMAKER_CHANNEL_ROOT / channel
    return str(sagemaker_dir) if sagemaker_dir.is_dir() else None


def materialise(location: str, channel: str = "train") -> Path:
    """Turn a location into a local directory, downloading ``s3://`` URIs to a temp dir."""
    if location.startswith("s3://"):
        return download_s3_prefix(location, Path(tempfile.mkdtemp(prefix=f"{channel}-")))
    return Path(location)


def resolve_data_dir(
    value: str | None,
    channel: str = "train",
    local_default: str = "data/train",
    env: Mapping[str, str] | None = None,
) -> Path:
    """The local directory of a data channel, falling back to ``local_default``."""
    return materialise(channel_location(value, channel, env) or local_default, channel)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m <package>.data synth --out data/train/train.csv``."""
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}.data", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    synth = commands.add_parser("synth", help="write a synthetic training CSV")
    synth.add_argument("--out", type=Path, default=Path("data/train/train.csv"))
    synth.add_argument("--rows", type=int, default=2000)
    synth.add_argument("--features", type=int, default=4)
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--no-label", action="store_true", help="omit the label (scoring input)")
    args = parser.parse_args(argv)
    dataset = make_synthetic(rows=args.rows, features=args.features, seed=args.seed)
    path = write_csv(dataset, args.out)
    if args.no_label:
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", "utf-8")
    print(f"wrote {len(dataset)} rows to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
