"""`mlgen new --defaults` end to end with the real tools: terraform validates every root, the
shipped env tests pass, Checkov finds 0 failed checks and the gate passes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlgen.cli import main
from mlgen.terraform import Terraform

pytestmark = [pytest.mark.terraform, pytest.mark.checkov]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, terraform_env: dict[str, str]) -> Path:
    dest = tmp_path_factory.mktemp("e2e") / "demo-ml"
    result = CliRunner().invoke(main, ["new", str(dest), "--defaults"])
    assert result.exit_code == 0, result.output
    return dest


def test_reports_zero_failed_checks(project: Path) -> None:
    results = json.loads((project / "docs" / "compliance" / "results.json").read_text())
    failed = [f for f in results["findings"] if f["status"] == "failed"]
    assert failed == [], failed[:5]
    passed = [f for f in results["findings"] if f["status"] == "passed"]
    assert len(passed) > 100
    report = (project / "docs" / "compliance" / "report.md").read_text()
    assert "**Gate: PASS**" in report
    assert "0 errors" in report  # terraform validation ran and is reported


def test_all_report_formats_written(project: Path) -> None:
    for name in ("report.md", "report.html", "results.json", "results.sarif", "junit.xml"):
        assert (project / "docs" / "compliance" / name).is_file(), name


def test_every_waiver_has_a_reason(project: Path) -> None:
    results = json.loads((project / "docs" / "compliance" / "results.json").read_text())
    skipped = [f for f in results["findings"] if f["status"] == "skipped"]
    assert all((f.get("suppress_reason") or "").strip() for f in skipped)


def test_generated_tree_is_committed_and_clean(project: Path) -> None:
    status = subprocess.run(
        ["git", "-C", str(project), "status", "--porcelain"], capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
    assert not list(project.rglob(".terraform"))


@pytest.mark.parametrize("root", ["infra/envs/dev"])
def test_shipped_env_tests_pass(project: Path, root: str, tf: Terraform, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "p"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".git"))
    assert tf.run(copy / root, "init", "-backend=false", "-input=false").returncode == 0
    test = tf.run(copy / root, "test", "-no-color", timeout=900)
    assert test.returncode == 0, test.stdout[-4000:] + test.stderr[-2000:]
    assert "0 failed" in test.stdout


def test_generated_package_tests_pass(project: Path, tmp_path: Path) -> None:
    import os
    import shutil
    import sys

    copy = tmp_path / "p"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".git"))
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert " passed" in proc.stdout
