"""Training images: a CSV manifest of image files and labels, read by a PyTorch data loader.

A data set is one or more CSV files with an ``image`` column (a path relative to the CSV
file) and a ``label`` column (the class name; absent in data to score). Images are 8-bit
grayscale PGM files (``P5``), a format every image library reads and writes; convert other
formats with e.g. ``PIL.Image.open(path).convert("L").save("x.pgm")``. The channel may be a
local directory, a SageMaker channel, an S3 mount or an ``s3://`` URI (see ``channels``).

Run ``python -m <package>.data synth --out data/train/train.csv`` to write a synthetic set:
small images of a horizontal, vertical or diagonal bar on noise.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import Dataset

from .channels import DataError

IMAGE_SIZE = 16
CLASSES = ("diagonal", "horizontal", "vertical")
IMAGE_COLUMN = "image"
LABEL_COLUMN = "label"


def write_pgm(path: Path, pixels: Sequence[Sequence[int]]) -> Path:
    """Write an 8-bit grayscale image (rows of 0-255 values) as binary PGM."""
    height, width = len(pixels), len(pixels[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    body = bytes(value for row in pixels for value in row)
    path.write_bytes(f"P5\n{width} {height}\n255\n".encode("ascii") + body)
    return path


def decode_pgm(data: bytes, where: str) -> torch.Tensor:
    """Decode a binary PGM into a ``1 x height x width`` float tensor scaled to 0..1."""
    fields: list[bytes] = []
    position = 0
    while len(fields) < 4:
        while position < len(data) and data[position : position + 1].isspace():
            position += 1
        if data[position : position + 1] == b"#":  # a comment runs to the end of the line
            position = data.find(b"\n", position) + 1 or len(data)
            continue
        start = position
        while position < len(data) and not data[position : position + 1].isspace():
            position += 1
        if start == position:
            raise DataError(f"{where}: not a binary PGM image (truncated header)")
        fields.append(data[start:position])
    if fields[0] != b"P5":
        raise DataError(f"{where}: not a binary PGM image (magic {fields[0][:8]!r}, want P5)")
    width, height, maximum = (int(value) for value in fields[1:])
    pixels = data[position + 1 : position + 1 + width * height]
    if maximum != 255 or len(pixels) != width * height:
        raise DataError(f"{where}: only complete 8-bit PGM images are supported")
    tensor = torch.frombuffer(bytearray(pixels), dtype=torch.uint8).reshape(1, height, width)
    return tensor.float() / 255.0


def read_pgm(path: Path) -> torch.Tensor:
    """Read one PGM file (see ``decode_pgm``)."""
    try:
        return decode_pgm(path.read_bytes(), str(path))
    except OSError as error:
        raise DataError(f"cannot read image {path}: {error.strerror}") from None


def make_image(kind: str, rng: random.Random, size: int = IMAGE_SIZE) -> list[list[int]]:
    """A bar of ``kind`` (one of ``CLASSES``) at a random place, on random noise."""
    pixels = [[rng.randint(0, 70) for _ in range(size)] for _ in range(size)]
    offset = rng.randint(2, size - 4)
    for i in range(size):
        for width in range(2):
            y, x = {
                "horizontal": (offset + width, i),
                "vertical": (i, offset + width),
                "diagonal": (i, (i + offset + width) % size),
            }[kind]
            pixels[y][x] = rng.randint(190, 255)
    return pixels


def synthesize(out: Path, rows: int = 300, seed: int = 0, labelled: bool = True) -> Path:
    """Write ``rows`` synthetic images next to ``out`` and the manifest ``out`` (a CSV)."""
    if rows < 1:
        raise DataError("rows must be at least 1")
    rng = random.Random(seed)
    images = out.parent / f"{out.stem}-images"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([IMAGE_COLUMN, LABEL_COLUMN] if labelled else [IMAGE_COLUMN])
        for index in range(rows):
            kind = CLASSES[index % len(CLASSES)]
            path = write_pgm(images / f"{index:05d}.pgm", make_image(kind, rng))
            relative = path.relative_to(out.parent).as_posix()
            writer.writerow([relative, kind] if labelled else [relative])
    return out


@dataclass(frozen=True)
class Example:
    """One image file and its label (``None`` when unlabelled)."""

    path: Path
    label: str | None


def manifests(root: Path) -> list[Path]:
    """The CSV manifests at ``root`` (a file, or a directory searched recursively), sorted."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise DataError(f"{root} does not exist; pass a directory or CSV manifest of images")
    found = sorted(p for p in root.rglob("*.csv") if p.is_file())
    if not found:
        raise DataError(
            f"no .csv manifests under {root} "
            "(python -m <package>.data synth --out <dir>/train.csv makes a synthetic set)"
        )
    return found


def read_examples(root: Path, labelled: bool = True) -> list[Example]:
    """Every example listed by the manifests under ``root``, in manifest order."""
    examples = []
    for manifest in manifests(root):
        with manifest.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            needed = [IMAGE_COLUMN, LABEL_COLUMN] if labelled else [IMAGE_COLUMN]
            missing = [name for name in needed if name not in header]
            if missing:
                raise DataError(
                    f"{manifest}: no {', '.join(map(repr, missing))} column "
                    f"(columns: {', '.join(header) or 'none'})"
                )
            reader.fieldnames = header
            for line, row in enumerate(reader, start=2):
                path = manifest.parent / (row[IMAGE_COLUMN] or "").strip()
                if not path.is_file():
                    raise DataError(f"{manifest}:{line}: image {path} does not exist")
                label = (row.get(LABEL_COLUMN) or "").strip() or None
                if labelled and label is None:
                    raise DataError(f"{manifest}:{line}: the label is empty")
                examples.append(Example(path, label))
    if not examples:
        raise DataError(f"{root}: the manifests list no images")
    return examples


class ImageDataset(Dataset):
    """Labelled images read lazily from disk: ``(1 x H x W tensor, class index)`` items."""

    def __init__(self, examples: Sequence[Example], classes: Sequence[str]) -> None:
        self.examples = list(examples)
        self.classes = tuple(classes)
        self._index = {name: i for i, name in enumerate(self.classes)}
        unknown = sorted({e.label for e in self.examples if e.label not in self._index})
        if unknown:
            raise DataError(f"labels {unknown} are not among the classes {list(self.classes)}")

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        example = self.examples[index]
        return read_pgm(example.path), self._index[str(example.label)]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m <package>.data synth --out data/train/train.csv``."""
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}.data", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    synth = commands.add_parser("synth", help="write synthetic images and their manifest")
    synth.add_argument("--out", type=Path, default=Path("data/train/train.csv"))
    synth.add_argument("--rows", type=int, default=300)
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--no-label", action="store_true", help="omit labels (scoring input)")
    args = parser.parse_args(argv)
    path = synthesize(args.out, rows=args.rows, seed=args.seed, labelled=not args.no_label)
    print(f"wrote {args.rows} images listed in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
