"""A small, real model: L2-regularised logistic regression trained with mini-batch SGD.

It is pure Python, so the package has no runtime dependency and its tests run anywhere.
When you outgrow it, replace it with your framework's model and keep the small interface
that ``train``, ``serve`` and ``batch`` use: ``for_dataset``, ``gradient``, ``step``,
``parameters``/``set_parameters``, ``loss``, ``predict_proba`` and ``to_dict``/``from_dict``.

A saved model is one JSON file, ``model.json``. ``load_model`` also reads it from a directory
or from the ``model.tar.gz`` that SageMaker uploads after training.
"""

from __future__ import annotations

import io
import json
import math
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .data import DEFAULT_LABEL_COLUMN, Dataset

FORMAT = "logistic-regression/v1"
MODEL_FILENAME = "model.json"

Row = Sequence[float]


class ModelError(ValueError):
    """A model file that cannot be read, or input that does not fit the model."""


def sigmoid(z: float) -> float:
    """Numerically stable logistic function."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    exp_z = math.exp(z)
    return exp_z / (1.0 + exp_z)


def log_loss_from_logit(z: float, label: int) -> float:
    """Binary cross-entropy of ``sigmoid(z)`` against ``label``, without overflow."""
    return max(z, 0.0) - z * label + math.log1p(math.exp(-abs(z)))


@dataclass
class LogisticRegression:
    """Logistic regression on standardised features.

    Attributes:
        feature_names: Names of the input features, in order.
        mean: Per-feature mean used to standardise inputs.
        scale: Per-feature standard deviation used to standardise inputs (never 0).
        weights: One weight per feature.
        bias: Intercept.
        l2: Strength of the L2 penalty on the weights.
        label_column: Name of the label column in training data.
        threshold: Probability at or above which ``predict`` returns 1.
    """

    feature_names: tuple[str, ...]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float = 0.0
    l2: float = 0.0
    label_column: str = DEFAULT_LABEL_COLUMN
    threshold: float = 0.5
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_dataset(cls, dataset: Dataset, l2: float = 0.0) -> LogisticRegression:
        """Create an untrained model whose standardisation fits ``dataset``."""
        count = len(dataset)
        if count == 0:
            raise ModelError("cannot fit a model to an empty data set")
        width = len(dataset.feature_names)
        mean = [sum(row[j] for row in dataset.features) / count for j in range(width)]
        scale = []
        for j in range(width):
            variance = sum((row[j] - mean[j]) ** 2 for row in dataset.features) / count
            scale.append(math.sqrt(variance) or 1.0)
        return cls(
            feature_names=tuple(dataset.feature_names),
            mean=mean,
            scale=scale,
            weights=[0.0] * width,
            l2=l2,
            label_column=dataset.label_column,
        )

    # -- inference -------------------------------------------------------------------------

    def _check_width(self, row: Row) -> None:
        if len(row) != len(self.weights):
            raise ModelError(
                f"expected {len(self.weights)} features ({', '.join(self.feature_names)}), "
                f"got {len(row)}"
            )

    def standardise(self, row: Row) -> list[float]:
        """Centre and scale one row of raw features."""
        self._check_width(row)
        return [(x - m) / s for x, m, s in zip(row, self.mean, self.scale, strict=True)]

    def logit(self, row: Row) -> float:
        """Linear score of one raw row."""
        standard = self.standardise(row)
        return self.bias + sum(w * x for w, x in zip(self.weights, standard, strict=True))

    def predict_proba(self, rows: Sequence[Row]) -> list[float]:
        """Probability of label 1 for each row."""
        return [sigmoid(self.logit(row)) for row in rows]

    def predict(self, rows: Sequence[Row]) -> list[int]:
        """Label (0 or 1) for each row."""
        return [int(p >= self.threshold) for p in self.predict_proba(rows)]

    # -- training --------------------------------------------------------------------------

    def loss(self, rows: Sequence[Row], labels: Sequence[int]) -> float:
        """Mean log loss over the rows plus the L2 penalty."""
        if not rows:
            raise ModelError("loss of an empty batch is undefined")
        data_loss = sum(
            log_loss_from_logit(self.logit(row), label)
            for row, label in zip(rows, labels, strict=True)
        ) / len(rows)
        return data_loss + 0.5 * self.l2 * sum(w * w for w in self.weights)

    def accuracy(self, rows: Sequence[Row], labels: Sequence[int]) -> float:
        """Share of rows whose predicted label matches."""
        if not rows:
            raise ModelError("accuracy of an empty batch is undefined")
        hits = sum(int(p == y) for p, y in zip(self.predict(rows), labels, strict=True))
        return hits / len(rows)

    def gradient(self, rows: Sequence[Row], labels: Sequence[int]) -> list[float]:
        """Gradient of ``loss`` with respect to ``parameters()`` (weights, then bias)."""
        if not rows:
            raise ModelError("gradient of an empty batch is undefined")
        width = len(self.weights)
        grad = [0.0] * (width + 1)
        for row, label in zip(rows, labels, strict=True):
            standard = self.standardise(row)
            z = self.bias + sum(w * x for w, x in zip(self.weights, standard, strict=True))
            error = sigmoid(z) - label
            for j in range(width):
                grad[j] += error * standard[j]
            grad[width] += error
        count = len(rows)
        grad = [g / count for g in grad]
        for j in range(width):
            grad[j] += self.l2 * self.weights[j]
        return grad

    def parameters(self) -> list[float]:
        """Trainable parameters as one flat list: the weights, then the bias."""
        return [*self.weights, self.bias]

    def set_parameters(self, values: Sequence[float]) -> None:
        """Replace the trainable parameters with ``values`` (as returned by ``parameters``)."""
        if len(values) != len(self.weights) + 1:
            raise ModelError(f"expected {len(self.weights) + 1} parameters, got {len(values)}")
        self.weights = [float(v) for v in values[:-1]]
        self.bias = float(values[-1])

    def step(self, gradient: Sequence[float], learning_rate: float) -> None:
        """Apply one SGD update."""
        self.set_parameters(
            [p - learning_rate * g for p, g in zip(self.parameters(), gradient, strict=True)]
        )

    # -- persistence -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Serialise to plain JSON types."""
        return {
            "format": FORMAT,
            "feature_names": list(self.feature_names),
            "label_column": self.label_column,
            "mean": self.mean,
            "scale": self.scale,
            "weights": self.weights,
            "bias": self.bias,
            "l2": self.l2,
            "threshold": self.threshold,
            "metadata": self.metadata,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LogisticRegression:
        """Rebuild a model saved with ``to_dict``."""
        if data.get("format") != FORMAT:
            raise ModelError(f"unknown model format {data.get('format')!r}; expected {FORMAT!r}")
        try:
            model = cls(
                feature_names=tuple(data["feature_names"]),
                mean=[float(v) for v in data["mean"]],
                scale=[float(v) for v in data["scale"]],
                weights=[float(v) for v in data["weights"]],
                bias=float(data["bias"]),
                l2=float(data.get("l2", 0.0)),
                label_column=str(data.get("label_column", DEFAULT_LABEL_COLUMN)),
                threshold=float(data.get("threshold", 0.5)),
                metadata=dict(data.get("metadata", {})),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ModelError(f"model file is incomplete or malformed: {error}") from None
        widths = {len(model.feature_names), len(model.mean), len(model.scale), len(model.weights)}
        if len(widths) != 1:
            raise ModelError("model file has feature lists of different lengths")
        return model

    def save(self, directory: Path | str) -> Path:
        """Write ``model.json`` into ``directory``; return its path."""
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        path = target / MODEL_FILENAME
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n", "utf-8")
        return path


def load_model(path: Path | str) -> LogisticRegression:
    """Load a model from ``model.json``, a directory holding it, or a ``.tar.gz`` archive.

    Raises:
        ModelError: When no model file is found or it cannot be parsed.
    """
    source = Path(path)
    if source.is_dir():
        candidates = [source / MODEL_FILENAME, *sorted(source.glob("*.tar.gz"))]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise ModelError(f"no {MODEL_FILENAME} or .tar.gz model archive in {source}")
        source = found
    if not source.is_file():
        raise ModelError(f"model file {source} does not exist")
    if source.name.endswith((".tar.gz", ".tgz")):
        text = _read_from_archive(source)
    else:
        text = source.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ModelError(f"{source} is not valid JSON: {error}") from None
    return LogisticRegression.from_dict(data)


def _read_from_archive(archive: Path) -> str:
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile() and Path(member.name).name == MODEL_FILENAME:
                handle = tar.extractfile(member)
                if handle is not None:
                    return io.TextIOWrapper(handle, encoding="utf-8").read()
    raise ModelError(f"{archive} holds no {MODEL_FILENAME}")


def write_archive(model_dir: Path | str, archive: Path | str) -> Path:
    """Pack ``model_dir`` into a ``model.tar.gz`` laid out as SageMaker expects.

    SageMaker training does this itself; use it where nothing else does (EKS training).
    The archive is written sequentially, so it works on Mountpoint for S3 as well.
    """
    source = Path(model_dir)
    target = Path(archive)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(target, "w:gz") as tar:
        for file in sorted(p for p in source.rglob("*") if p.is_file()):
            tar.add(file, arcname=file.relative_to(source).as_posix())
    return target
