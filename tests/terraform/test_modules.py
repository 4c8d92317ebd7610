"""Every module under modules/aws: fmt-clean, validates with 0 errors and 0 warnings, and its own
``terraform test`` suite (mocked provider, offline) passes. Runs the real terraform and provider."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlgen.resources import modules_dir
from mlgen.terraform import Terraform

pytestmark = pytest.mark.terraform

MODULES = sorted(p.name for p in (modules_dir() / "aws").iterdir() if p.is_dir())
EXPECTED = {
    "audit",
    "budget",
    "ci_identity",
    "endpoint",
    "keys",
    "network",
    "registry",
    "state_backend",
    "storage",
    "training_eks",
    "training_sagemaker",
    "workspace",
}


def test_the_whole_library_is_there() -> None:
    assert set(MODULES) >= EXPECTED
    for name in MODULES:
        for f in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
            assert (modules_dir() / "aws" / name / f).is_file(), f"{name}/{f}"
        assert list((modules_dir() / "aws" / name / "tests").glob("*.tftest.hcl")), f"{name} has no tests"


@pytest.mark.parametrize("name", MODULES)
def test_module(name: str, tf: Terraform, tmp_path: Path) -> None:
    root = tmp_path / name
    shutil.copytree(modules_dir() / "aws" / name, root, ignore=shutil.ignore_patterns(".terraform*"))
    fmt = tf.run(root, "fmt", "-check", "-recursive", "-list=true")
    assert fmt.returncode == 0, f"terraform fmt would change: {fmt.stdout}"
    init = tf.run(root, "init", "-backend=false", "-input=false", "-no-color")
    assert init.returncode == 0, init.stderr
    # A module that declares configuration_aliases cannot be validated on its own (terraform#28490):
    # it is validated through tests/terraform/aggregate and every generated root instead.
    if "configuration_aliases" not in (root / "versions.tf").read_text():
        validate = tf.run(root, "validate", "-json", "-no-color")
        diags = json.loads(validate.stdout).get("diagnostics", [])
        assert [d for d in diags if d["severity"] in ("error", "warning")] == [], diags
    test = tf.run(root, "test", "-no-color", timeout=900)
    assert test.returncode == 0, test.stdout[-4000:] + test.stderr[-2000:]
    assert "0 failed" in test.stdout and " passed" in test.stdout, test.stdout[-2000:]
