"""The aggregate root (every module wired together): validates with 0 errors and 0 warnings, its
plan tests pass with a mocked provider, and Checkov (with mlgen's policies) reports 0 failed with a
reason on every skip."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlgen.resources import modules_dir
from mlgen.terraform import Terraform

pytestmark = [pytest.mark.terraform, pytest.mark.checkov]
AGGREGATE = Path(__file__).resolve().parent / "aggregate"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, tf: Terraform) -> Path:
    base = tmp_path_factory.mktemp("agg")
    shutil.copytree(modules_dir(), base / "modules", ignore=shutil.ignore_patterns(".terraform*"))
    root = base / "tests" / "terraform" / "aggregate"
    shutil.copytree(AGGREGATE, root, ignore=shutil.ignore_patterns(".terraform*"))
    init = tf.run(root, "init", "-backend=false", "-input=false")
    assert init.returncode == 0, init.stderr
    return root


def test_calls_every_module() -> None:
    text = (AGGREGATE / "main.tf").read_text()
    for module in sorted(p.name for p in (modules_dir() / "aws").iterdir() if p.is_dir()):
        assert f'"../../../modules/aws/{module}"' in text, module


def test_validates_without_warnings(workdir: Path, tf: Terraform) -> None:
    proc = tf.run(workdir, "validate", "-json")
    payload = json.loads(proc.stdout)
    assert payload["valid"] is True
    assert payload["diagnostics"] == []


def test_plan_tests_pass(workdir: Path, tf: Terraform) -> None:
    proc = tf.run(workdir, "test", "-no-color", timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "0 failed" in proc.stdout


def test_checkov_zero_failed_and_reasoned_skips(workdir: Path) -> None:
    from mlgen.compliance.scan import ScanSettings, run_scan

    shutil.rmtree(workdir / ".terraform", ignore_errors=True)
    result = run_scan([workdir], repo_root=workdir.parents[2], settings=ScanSettings())
    failed = result.by_status("failed")
    assert failed == (), [(f.check_id, f.resource, f.file) for f in failed]
    assert len(result.by_status("passed")) > 300
    assert all((f.suppress_reason or "").strip() for f in result.by_status("skipped"))
