"""The example model: a small convolutional network that classifies grayscale images.

``Task`` is what ``train`` trains (the model, its data loader, loss and metrics);
``Predictor`` is what ``serve`` and ``batch`` run. Replace the network with your own and
keep that interface. A saved model is a directory: ``model.pt`` (the weights) and
``model.json`` (classes and image size). ``load_predictor`` also reads the ``model.tar.gz``
that SageMaker uploads after training.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional
from torch.utils.data import default_collate

from .artifacts import model_directory
from .channels import DataError
from .data import IMAGE_SIZE, ImageDataset, decode_pgm, manifests, read_examples, read_pgm

FORMAT = "vision-cnn/v1"
WEIGHTS_FILE = "model.pt"
CONFIG_FILE = "model.json"


class ModelError(ValueError):
    """A model that cannot be read, or input that does not fit the model."""


class SmallCNN(nn.Module):
    """Two convolutions and a linear layer: about 800 parameters for 16 x 16 images."""

    def __init__(self, classes: int, image_size: int = IMAGE_SIZE) -> None:
        super().__init__()
        if image_size % 4:
            raise ModelError(f"image size {image_size} must be a multiple of 4")
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(4, 8, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.head = nn.Linear(8 * (image_size // 4) ** 2, classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits for a ``batch x 1 x H x W`` tensor."""
        return self.head(self.features(images).flatten(1))


class Task:
    """The images under ``root`` and the network that learns them."""

    def __init__(self, root: Path, base_model: str = "") -> None:
        self.root = root
        examples = read_examples(root)
        self.classes = tuple(sorted({str(e.label) for e in examples}))
        self.dataset = ImageDataset(examples, self.classes)
        self.files = [*manifests(root), *(e.path for e in examples)]
        first, _ = self.dataset[0]
        self.image_size = int(first.shape[-1])
        if tuple(first.shape) != (1, self.image_size, self.image_size):
            raise DataError(f"images must be square grayscale; got shape {tuple(first.shape)}")

    def __len__(self) -> int:
        return len(self.dataset)

    def describe(self) -> dict[str, Any]:
        """What shapes the model, for the run key."""
        return {"format": FORMAT, "classes": self.classes, "image_size": self.image_size}

    def summary(self) -> str:
        """One line for the log."""
        return f"{len(self)} images of {self.image_size}x{self.image_size}, classes {self.classes}"

    def batch(self, indices: Sequence[int]) -> Any:
        """Collate the examples at ``indices`` (what a ``DataLoader`` would yield)."""
        return default_collate([self.dataset[i] for i in indices])

    def build_model(self, base_model: str | None = None) -> nn.Module:
        """A fresh network, or the weights of a saved model to fine-tune."""
        model = SmallCNN(len(self.classes), self.image_size)
        if base_model:
            base = load_predictor(base_model)
            if base.classes != self.classes:
                raise ModelError(f"{base_model} has classes {base.classes}, not {self.classes}")
            model.load_state_dict(base.model.state_dict())
        return model

    def loss(self, model: nn.Module, batch: Any) -> torch.Tensor:
        """Cross-entropy of one batch."""
        images, labels = batch
        return functional.cross_entropy(model(images), labels)

    @torch.no_grad()
    def evaluate(self, model: nn.Module, prefix: str) -> dict[str, float]:
        """Loss and accuracy over every example, keyed ``<prefix>_loss`` and so on."""
        model.eval()
        images, labels = self.batch(range(len(self)))
        logits = model(images)
        return {
            f"{prefix}_loss": float(functional.cross_entropy(logits, labels)),
            f"{prefix}_accuracy": float((logits.argmax(1) == labels).float().mean()),
        }

    def save(self, model: nn.Module, model_dir: Path) -> Path:
        """Write ``model.pt`` and ``model.json`` into ``model_dir``; return the directory."""
        model_dir.mkdir(parents=True, exist_ok=True)
        with (model_dir / WEIGHTS_FILE).open("wb") as handle:
            torch.save(model.state_dict(), handle)
        config = {"format": FORMAT, "classes": list(self.classes), "image_size": self.image_size}
        (model_dir / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", "utf-8")
        return model_dir


class Predictor:
    """A loaded model answering ``/invocations`` bodies and batch rows."""

    def __init__(self, model: SmallCNN, classes: Sequence[str], image_size: int) -> None:
        self.model = model.eval()
        self.classes = tuple(classes)
        self.image_size = image_size

    def summary(self) -> str:
        """One line for the log."""
        return f"{self.image_size}x{self.image_size} image classifier over {self.classes}"

    def _image(self, value: Any, where: str) -> torch.Tensor:
        if isinstance(value, Mapping) and "pgm_base64" in value:
            try:
                data = base64.b64decode(str(value["pgm_base64"]), validate=True)
            except (binascii.Error, ValueError):
                raise DataError(f"{where}: pgm_base64 is not base64") from None
            image = decode_pgm(data, where)
        elif isinstance(value, list):
            try:
                image = torch.tensor(value, dtype=torch.float32)
            except (TypeError, ValueError):
                raise DataError(f"{where}: an image is rows of numbers from 0 to 1") from None
            image = image.unsqueeze(0) if image.dim() == 2 else image
        else:
            raise DataError(f"{where}: an image is rows of 0..1 numbers or {{'pgm_base64': ...}}")
        expected = (1, self.image_size, self.image_size)
        if tuple(image.shape) != expected:
            raise DataError(f"{where}: expected a {expected[1]}x{expected[2]} grayscale image")
        return image

    @torch.no_grad()
    def classify(self, images: Sequence[torch.Tensor]) -> list[dict[str, Any]]:
        """Label and per-class probability for each image."""
        probabilities = torch.softmax(self.model(torch.stack(list(images))), dim=1)
        return [
            {
                "label": self.classes[int(row.argmax())],
                "scores": {name: float(p) for name, p in zip(self.classes, row, strict=True)},
            }
            for row in probabilities
        ]

    def predict(self, document: Any) -> dict[str, Any]:
        """``{"instances": [image, ...]}`` in, ``{"predictions": [...]}`` out.

        An image is rows of 0..1 grayscale values (``image_size`` x ``image_size``) or
        ``{"pgm_base64": "<base64 of a PGM file>"}``.
        """
        if not isinstance(document, Mapping) or not isinstance(document.get("instances"), list):
            raise DataError('the body must be {"instances": [image, ...]}')
        items = document["instances"]
        if not items:
            raise DataError("the request holds no instances")
        images = [self._image(item, f"instance {i}") for i, item in enumerate(items)]
        return {"predictions": self.classify(images)}

    def predict_rows(self, rows: Sequence[Mapping[str, str]], base: Path) -> list[dict[str, Any]]:
        """Predictions for batch rows whose ``image`` column names a file under ``base``."""
        images = []
        for number, row in enumerate(rows, start=2):
            name = (row.get("image") or "").strip()
            if not name:
                raise DataError(f"row {number}: no image column")
            images.append(read_pgm(base / name))
        return self.classify(images) if images else []


def load_predictor(path: Path | str) -> Predictor:
    """Load a saved model from its directory or a ``model.tar.gz``.

    Raises:
        ModelError: When no model is found there or it cannot be read.
    """
    directory = model_directory(path, CONFIG_FILE)
    if directory is None:
        raise ModelError(f"no {CONFIG_FILE} or model archive at {path}")
    try:
        config = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
        if config.get("format") != FORMAT:
            raise ModelError(f"unknown model format {config.get('format')!r}; want {FORMAT!r}")
        classes, size = tuple(config["classes"]), int(config["image_size"])
        model = SmallCNN(len(classes), size)
        state = torch.load(directory / WEIGHTS_FILE, map_location="cpu", weights_only=True)
        model.load_state_dict(state)
    except (OSError, KeyError, TypeError, ValueError, RuntimeError) as error:
        if isinstance(error, ModelError):
            raise
        raise ModelError(f"model at {path} is incomplete or malformed: {error}") from None
    return Predictor(model, classes, size)
