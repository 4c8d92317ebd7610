"""Model artifacts: the ``model.tar.gz`` that SageMaker uploads, and reading it back."""

from __future__ import annotations

import tarfile
import tempfile
from pathlib import Path


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


def model_directory(path: Path | str, marker: str) -> Path | None:
    """The directory holding ``marker`` at ``path``: the directory itself, or an archive in it
    (or at ``path``) unpacked into a temporary directory. ``None`` when there is none."""
    source = Path(path)
    if source.is_dir():
        if (source / marker).is_file():
            return source
        archives = sorted(source.glob("*.tar.gz"))
        if not archives:
            return None
        source = archives[0]
    if not source.is_file() or not source.name.endswith((".tar.gz", ".tgz")):
        return None
    target = Path(tempfile.mkdtemp(prefix="model-"))
    with tarfile.open(source, "r:gz") as tar:
        tar.extractall(target, filter="data")
    return target if (target / marker).is_file() else None
