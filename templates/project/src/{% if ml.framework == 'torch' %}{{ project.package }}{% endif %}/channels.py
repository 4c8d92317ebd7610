"""Where data channels are: local directories, SageMaker channels, mounts and ``s3://`` URIs.

A channel (``train``, ``validation``) may live in:

- a local directory (``data/train``);
- the SageMaker training channel (``SM_CHANNEL_TRAIN``, or ``/opt/ml/input/data/train``);
- an S3 prefix mounted as a file system (Mountpoint for Amazon S3 on EKS, or SageMaker's
  ``FastFile`` input mode), which reads like a local directory;
- an ``s3://`` URI, downloaded first with boto3 (``pip install '.[cloud]'``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

SAGEMAKER_CHANNEL_ROOT = Path("/opt/ml/input/data")


class DataError(ValueError):
    """Data that cannot be used as it is; the message says what to change."""


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """Split ``s3://bucket/prefix`` into ``("bucket", "prefix")``."""
    if not uri.startswith("s3://"):
        raise DataError(f"{uri!r} is not an s3:// URI")
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    if not bucket:
        raise DataError(f"{uri!r} has no bucket name")
    return bucket, prefix


def download_s3_prefix(uri: str, destination: Path) -> Path:  # pragma: no cover - needs AWS
    """Download every object under an ``s3://`` prefix into ``destination`` (needs boto3)."""
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
    """An explicit value, ``SM_CHANNEL_<CHANNEL>``, ``/opt/ml/input/data/<channel>``, or None."""
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


def files_digest(root: Path, files: Iterable[Path]) -> str:
    """SHA-256 over the relative names and the bytes of ``files`` (in sorted order)."""
    digest = hashlib.sha256()
    base = root if root.is_dir() else root.parent
    for path in sorted(set(files)):
        digest.update(path.relative_to(base).as_posix().encode("utf-8") + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()
