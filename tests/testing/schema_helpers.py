"""Helpers for the schema-served provider tests (a module, so test files can import them)."""

from __future__ import annotations

import shutil
from pathlib import Path

from mlgen.terraform import Terraform

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def prepare(tf: Terraform, source: Path, dest: Path) -> Path:
    """Copy a root to ``dest`` and ``terraform init`` it; returns ``dest``."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".terraform*"))
    init = tf.run(dest, "init", "-backend=false", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout + init.stderr
    return dest


def installed_version(root: Path, provider: str) -> str:
    """The provider version ``terraform init`` selected in ``root`` (from the lock file)."""
    lock = (root / ".terraform.lock.hcl").read_text(encoding="utf-8")
    block = lock.split(f'provider "registry.terraform.io/hashicorp/{provider}"', 1)[1]
    return block.split('version     = "', 1)[1].split('"', 1)[0]
