"""Read an environment's Terraform outputs, the single source of account-specific values."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ENV_ROOTS = Path("infra/envs")


class LaunchError(RuntimeError):
    """A job cannot be launched as asked; the message says what to change."""


def normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Unwrap ``terraform output -json`` (``{"name": {"value": ...}}``); pass plain values."""
    result = {}
    for name, value in raw.items():
        if isinstance(value, Mapping) and "value" in value and "type" in value:
            value = value["value"]
        result[name] = value
    return result


def read(env: str, outputs_json: Path | None = None, roots: Path = ENV_ROOTS) -> dict[str, Any]:
    """Outputs of ``infra/envs/<env>``, or of a saved ``terraform output -json`` file."""
    if outputs_json is not None:
        return normalise(json.loads(outputs_json.read_text(encoding="utf-8")))
    root = roots / env
    if not root.is_dir():
        raise LaunchError(f"{root} does not exist; pass --env with one of the infra/envs roots")
    if shutil.which("terraform") is None:
        raise LaunchError("terraform is not on PATH; install it or pass --outputs-json FILE")
    completed = subprocess.run(
        ["terraform", f"-chdir={root}", "output", "-json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise LaunchError(
            f"terraform output failed in {root} (was it applied?): {completed.stderr.strip()}"
        )
    outputs = normalise(json.loads(completed.stdout or "{}"))
    if not outputs:
        raise LaunchError(f"{root} has no outputs; run terraform apply there first")
    return outputs


def resolve(
    env: str, outputs_json: Path | None, overrides: Sequence[str], required: Sequence[str]
) -> dict[str, Any]:
    """Outputs from ``NAME=VALUE`` overrides, read from Terraform only when some are missing.

    Overrides win over Terraform's values, so a pipeline without access to the state can
    pass every value on the command line.
    """
    given: dict[str, Any] = {}
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise LaunchError(f"--output {item!r} is not NAME=VALUE")
        given[name.strip()] = value.strip()
    if outputs_json is None and all(given.get(name) for name in required):
        return given
    return {**read(env, outputs_json), **given}


def require(outputs: Mapping[str, Any], *names: str) -> None:
    """Fail with the list of missing outputs."""
    missing = [name for name in names if outputs.get(name) in (None, "", [])]
    if missing:
        raise LaunchError(
            f"terraform outputs missing or empty: {', '.join(missing)}; "
            "apply the environment root first, or check the values in --outputs-json"
        )


def string_list(value: Any) -> list[str]:
    """A list of strings from a list, a JSON list in a string, or a comma-separated string."""
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return [str(item) for item in json.loads(text)]
        return [item.strip() for item in text.split(",") if item.strip()]
    raise LaunchError(f"expected a list of strings, got {value!r}")


def join_s3(prefix: str, *parts: str) -> str:
    """Join S3 URI parts with single slashes, keeping a trailing slash on the last part."""
    text = prefix.rstrip("/")
    for part in parts:
        text = f"{text}/{part.strip('/')}"
    return text


def safe_name(text: str, limit: int = 63) -> str:
    """A SageMaker resource name: letters, digits and hyphens, at most ``limit`` characters."""
    cleaned = re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-")
    return cleaned[:limit].rstrip("-") or "run"
