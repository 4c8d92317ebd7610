"""Locate the files shipped with mlgen: the Copier template, the Terraform modules and data files.

In a wheel they live inside the package (``mlgen/_templates``, ``mlgen/_modules``); in a source
checkout (editable install, tests) they are the repository's top-level ``templates/`` and ``modules/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "mlgen's bundled files are missing (looked in " + ", ".join(str(c) for c in candidates) + "); reinstall mlgen"
    )


@cache
def templates_dir() -> Path:
    """The Copier template root (holds ``copier.yml``)."""
    return _first_existing(_PACKAGE_DIR / "_templates", _PACKAGE_DIR.parent.parent / "templates")


@cache
def modules_dir() -> Path:
    """The Terraform module library root (holds ``aws/<module>/``)."""
    return _first_existing(_PACKAGE_DIR / "_modules", _PACKAGE_DIR.parent.parent / "modules")


def data_file(name: str) -> Path:
    """A data file shipped in ``mlgen/data``."""
    return _PACKAGE_DIR / "data" / name
