"""Progress lines per phase and the "next" block after `mlgen new` (CliRunner: plain lines).

terraform and Checkov are replaced by fakes where the test is about the lines, not the tools.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from mlgen.cli import main

SECONDS = r"\(\d+\.\ds\)"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _lines(output: str) -> list[str]:
    return output.splitlines()


def _has(lines: list[str], pattern: str) -> bool:
    return any(re.fullmatch(pattern, line) for line in lines)


def test_new_without_checks_shows_render_progress_and_the_next_block(runner: CliRunner, tmp_path: Path) -> None:
    dest = tmp_path / "fraud"
    result = runner.invoke(
        main,
        [
            "new",
            str(dest),
            "--defaults",
            "--no-check",
            "--no-git",
            "--set",
            "project.github_repository=acme/fraud",
            "--set",
            'cloud.environments=["stage","prod"]',
        ],
    )
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    assert lines[0] == "render: started"
    assert re.fullmatch(r"render: done " + SECONDS, lines[1]), lines[1]
    assert not any(line.startswith(("terraform validate", "checkov scan")) for line in lines)
    start = lines.index("Next:")
    assert lines[start - 1] == ""
    assert lines[start:] == [
        "Next:",
        f"  cd {shlex.quote(str(dest))}",
        "  make help",
        "  terraform -chdir=infra/bootstrap init && terraform -chdir=infra/bootstrap apply",
        # The root that owns the account's shared layer (the primary env, prod) is applied first.
        "  make backend ENV=prod",
        "  terraform -chdir=infra/envs/prod init -backend-config=backend.hcl && terraform -chdir=infra/envs/prod apply",
        "CI (acme/fraud): set these GitHub Actions variables from the infra/bootstrap outputs:",
        "  AWS_APPLY_ROLE_ARN  (terraform -chdir=infra/bootstrap output -raw apply_role_arn)",
        "  AWS_PLAN_ROLE_ARN  (terraform -chdir=infra/bootstrap output -raw plan_role_arn)",
        "  TF_STATE_BUCKET  (terraform -chdir=infra/bootstrap output -raw state_bucket)",
        "  TF_STATE_KMS_KEY_ARN  (terraform -chdir=infra/bootstrap output -raw state_kms_key_arn)",
        "  or all at once with the gh CLI: make github-vars",
        "Compliance report: not written (checks skipped); run `mlgen check` to write docs/compliance/",
        "Monthly cost estimate: docs/cost.md and `mlgen cost`",
    ]
    # The CI lines name exactly what the generated workflows read.
    workflows = "".join(p.read_text(encoding="utf-8") for p in (dest / ".github" / "workflows").glob("*.yml"))
    assert set(re.findall(r"vars\.([A-Z_]+)", workflows)) == {
        "AWS_APPLY_ROLE_ARN",
        "AWS_PLAN_ROLE_ARN",
        "TF_STATE_BUCKET",
        "TF_STATE_KMS_KEY_ARN",
    }
    assert (dest / "docs" / "cost.md").is_file()
    assert not (dest / "docs" / "compliance" / "report.md").exists()


def test_next_block_has_no_ci_lines_without_a_github_repository(runner: CliRunner, tmp_path: Path) -> None:
    dest = tmp_path / "plain"
    result = runner.invoke(main, ["new", str(dest), "--defaults", "--no-check", "--no-git"])
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    block = lines[lines.index("Next:") :]
    assert not any(line.startswith("CI ") or "GitHub" in line for line in block)
    assert "  make help" in block and f"  cd {shlex.quote(str(dest))}" in block


class _FakeTerraform:
    """check_root records the roots it saw; roots in ``failing`` fail terraform fmt."""

    seen: ClassVar[list[str]] = []
    failing: ClassVar[set[str]] = set()

    def check_root(self, root: Path, *, label: str) -> Any:
        from mlgen.terraform import RootResult

        self.seen.append(label)
        if label in self.failing:
            return RootResult(root=label, fmt_ok=False, fmt_files=["main.tf"])
        return RootResult(root=label)

    def version(self) -> str:
        return "0.0-fake"


@pytest.fixture
def fake_tools(monkeypatch: pytest.MonkeyPatch) -> type[_FakeTerraform]:
    """terraform that passes every root and a Checkov that finds nothing."""
    import mlgen.compliance.scan as scan
    import mlgen.terraform as terraform

    _FakeTerraform.seen = []
    _FakeTerraform.failing = set()
    monkeypatch.setattr(terraform, "terraform_binary", lambda: "/fake/terraform")
    monkeypatch.setattr(terraform, "Terraform", _FakeTerraform)

    def fake_scan(roots: list[Path], *, repo_root: Path, settings: Any, **_: Any) -> Any:
        return scan.ScanResult(
            findings=(),
            roots=tuple(p.relative_to(repo_root).as_posix() for p in roots),
            checkov_version="0.0-fake",
            settings=settings,
        )

    monkeypatch.setattr(scan, "run_scan", fake_scan)
    return _FakeTerraform


def _roots(project: Path) -> list[str]:
    envs = sorted(p.name for p in (project / "infra" / "envs").iterdir() if p.is_dir())
    return ["infra/bootstrap", *(f"infra/envs/{e}" for e in envs)]


def test_new_with_checks_shows_each_root_and_the_scan(
    runner: CliRunner, tmp_path: Path, fake_tools: type[_FakeTerraform]
) -> None:
    dest = tmp_path / "checked"
    result = runner.invoke(main, ["new", str(dest), "--defaults", "--no-git"])
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    roots = _roots(dest)
    assert fake_tools.seen == roots and len(roots) >= 2
    for root in roots:
        start = lines.index(f"terraform validate {root}: started")
        assert re.fullmatch(rf"terraform validate {re.escape(root)}: ok " + SECONDS, lines[start + 1])
    scan_start = lines.index(f"checkov scan ({len(roots)} roots): started")
    assert re.fullmatch(rf"checkov scan \({len(roots)} roots\): done " + SECONDS, lines[scan_start + 1])
    # Phases come in order: render, every root, then the scan, then the next block.
    order = [lines.index("render: started"), *(lines.index(f"terraform validate {r}: started") for r in roots)]
    assert order == sorted(order) and order[-1] < scan_start < lines.index("Next:")
    assert "Compliance report: docs/compliance/report.md (re-run with `mlgen check`)" in lines
    assert (dest / "docs" / "compliance" / "report.md").is_file()


def test_a_failing_root_is_shown_failed_and_no_next_block(
    runner: CliRunner, tmp_path: Path, fake_tools: type[_FakeTerraform]
) -> None:
    fake_tools.failing = {"infra/bootstrap"}
    dest = tmp_path / "bad"
    result = runner.invoke(main, ["new", str(dest), "--defaults", "--no-git"])
    assert result.exit_code != 0
    lines = _lines(result.output)
    start = lines.index("terraform validate infra/bootstrap: started")
    assert re.fullmatch(r"terraform validate infra/bootstrap: FAILED " + SECONDS, lines[start + 1])
    assert "Next:" not in lines


def test_check_shows_progress_per_root_and_for_the_scan(
    runner: CliRunner, tmp_path: Path, fake_tools: type[_FakeTerraform]
) -> None:
    dest = tmp_path / "proj"
    assert runner.invoke(main, ["new", str(dest), "--defaults", "--no-check", "--no-git"]).exit_code == 0
    result = runner.invoke(main, ["check", str(dest)])
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    roots = _roots(dest)
    for root in roots:
        assert _has(lines, rf"terraform validate {re.escape(root)}: ok " + SECONDS), root
    assert _has(lines, rf"checkov scan \({len(roots)} roots\): done " + SECONDS)
    assert "Next:" not in lines


def test_update_shows_render_progress(runner: CliRunner, tmp_path: Path) -> None:
    dest = tmp_path / "upd"
    assert runner.invoke(main, ["new", str(dest), "--defaults", "--no-check"]).exit_code == 0
    result = runner.invoke(main, ["update", str(dest), "--no-check", "--set", "budget.monthly_usd=1400"])
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    start = lines.index("render (copier update): started")
    assert re.fullmatch(r"render \(copier update\): done " + SECONDS, lines[start + 1])
