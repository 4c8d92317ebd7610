"""Plan scan: reconciling HCL and plan findings, and the offline provider override."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mlgen.compliance.gate import evaluate_gate
from mlgen.compliance.plan_scan import RESOLVED_DETAIL, locate_in_sources, override_text, reconcile

from .conftest import make_finding, make_result


def test_hcl_failure_that_passes_in_the_plan_is_resolved_and_stops_gating() -> None:
    hcl = make_result(
        make_finding("CKV_AWS_19", "failed", resource="module.storage.aws_s3_bucket.data"),
        make_finding("CKV_AWS_20", "failed", resource="module.storage.aws_s3_bucket.logs"),
    )
    plan = [
        make_finding("CKV_AWS_19", "passed", resource="module.storage.aws_s3_bucket.data"),
        make_finding("CKV_AWS_20", "failed", resource="module.storage.aws_s3_bucket.logs"),
        make_finding("CKV2_AWS_6", "failed", resource="module.storage.aws_s3_bucket.data[0]"),
    ]
    assert not evaluate_gate(hcl, frameworks=["hipaa"], fail_on="high").passed
    reconciled, diff = reconcile(hcl, plan, ["infra/prod"])
    assert [(f.check_id, f.status) for f in reconciled.findings] == [("CKV_AWS_19", "passed"), ("CKV_AWS_20", "failed")]
    assert RESOLVED_DETAIL in reconciled.findings[0].details
    assert [f.check_id for f in diff.resolved] == ["CKV_AWS_19"]
    assert [f.check_id for f in diff.both_failed] == ["CKV_AWS_20"]
    assert [f.check_id for f in diff.plan_only_failed] == ["CKV2_AWS_6"]
    gate = evaluate_gate(reconciled, frameworks=["hipaa"], fail_on="high")
    assert [g.finding.check_id for g in gate.failures] == ["CKV_AWS_20"]
    assert "Resolved by the plan scan (1)" in diff.to_markdown()


def test_roots_without_a_plan_keep_their_hcl_result() -> None:
    hcl = make_result(make_finding("CKV_AWS_19", "failed"))
    reconciled, diff = reconcile(hcl, [make_finding("CKV_AWS_19", "passed")], roots=[])
    assert reconciled.findings[0].status == "failed" and diff.resolved == []


def test_override_points_every_provider_block_at_the_mock_endpoint() -> None:
    text = override_text(["dr", "dr", "us"], "http://127.0.0.1:5000")
    assert text.count('provider "aws"') == 3 and 'alias = "dr"' in text and 'alias = "us"' in text
    assert text.count('sts = "http://127.0.0.1:5000"') == 3
    assert 'backend "local"' in text and "skip_requesting_account_id  = true" in text


def test_plan_findings_point_at_the_source_file_not_the_plan(tmp_path: Path) -> None:
    root = tmp_path / "infra" / "envs" / "dev"
    payload = {
        "results": {
            "failed_checks": [
                {"file_path": "../../modules/storage/buckets.tf", "file_abs_path": str(tmp_path / "plan.json")},
                {"file_path": "/providers.tf", "file_abs_path": str(tmp_path / "plan.json")},
            ]
        }
    }
    located = locate_in_sources(payload, root)["results"]["failed_checks"]
    assert [r["file_abs_path"] for r in located] == [
        str(tmp_path / "infra" / "modules" / "storage" / "buckets.tf"),
        str(root / "providers.tf"),
    ]


@pytest.mark.terraform
@pytest.mark.checkov
@pytest.mark.slow
def test_plan_scan_of_a_project_end_to_end(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    """A root is planned offline against moto, scanned, and the reports are rewritten with the diff."""
    import json
    import shutil

    from mlgen.compliance.gate import evaluate_gate
    from mlgen.compliance.plan_scan import run
    from mlgen.compliance.report import write_reports
    from mlgen.compliance.scan import ScanSettings, run_scan

    from .conftest import FIXTURES

    if shutil.which("moto_server") is None and not Path(sys.executable).with_name("moto_server").exists():
        pytest.skip("moto_server is not installed (pip install 'mlgen[plan]')")
    project = tmp_path / "p"
    root = project / "infra" / "envs" / "dev"
    shutil.copytree(FIXTURES / "injected" / "base", root)
    settings = ScanSettings(allowed_regions=("eu-west-1",), frameworks=("hipaa",))
    result = run_scan([root], repo_root=project, settings=settings)
    gate = evaluate_gate(result, frameworks=["hipaa"], fail_on="high")
    write_reports(result, gate, project / "docs" / "compliance", formats={"json", "md"}, metadata={})
    diff = run(project)
    assert diff.roots == ["infra/envs/dev"] and diff.errors == {}
    doc = json.loads((project / "docs" / "compliance" / "plan-diff.json").read_text(encoding="utf-8"))
    assert doc["roots"] == ["infra/envs/dev"]
    assert all(not r["file"].endswith(".json") for r in doc["failed_only_in_plan"])
    results = json.loads((project / "docs" / "compliance" / "results.json").read_text(encoding="utf-8"))
    assert results["metadata"]["plan_scan"].startswith("1/1 roots planned")
    assert (
        (project / "docs" / "compliance" / "plan-diff.md").read_text(encoding="utf-8").startswith("# HCL scan vs plan")
    )


def test_check_plan_gates_failures_found_only_in_the_plan() -> None:
    """`mlgen check --plan`: a failure only the planned values show is a failure, not a note."""
    from mlgen.compliance.plan_scan import PLAN_ONLY_DETAIL

    hcl = make_result(make_finding("CKV_AWS_19", "passed", resource="module.storage.aws_s3_bucket.data"))
    plan = [
        make_finding("CKV_AWS_19", "passed", resource="module.storage.aws_s3_bucket.data"),
        make_finding("CKV_AWS_20", "failed", resource="module.storage.aws_s3_bucket.data[0]"),
    ]
    listed, _ = reconcile(hcl, plan, ["infra/prod"])
    assert evaluate_gate(listed, frameworks=["hipaa"], fail_on="high").passed
    gated, diff = reconcile(hcl, plan, ["infra/prod"], gate_plan_only=True)
    assert [(f.check_id, f.status) for f in gated.findings] == [("CKV_AWS_19", "passed"), ("CKV_AWS_20", "failed")]
    assert PLAN_ONLY_DETAIL in gated.findings[1].details
    gate = evaluate_gate(gated, frameworks=["hipaa"], fail_on="high")
    assert [g.finding.check_id for g in gate.failures] == ["CKV_AWS_20"]
    assert diff.to_json()["failed_only_in_plan_gated"] is True
    assert "(not gated)" not in diff.to_markdown()


def test_check_help_documents_the_plan_scan() -> None:
    from click.testing import CliRunner

    from mlgen.cli import main

    out = CliRunner().invoke(main, ["check", "--help"]).output
    assert "--plan" in out and "fails only in the plan is a failure" in " ".join(out.split())


@pytest.mark.terraform
@pytest.mark.checkov
@pytest.mark.slow
def test_mlgen_check_plan_on_a_small_project(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    """`mlgen check DEST --plan` on a one-environment default project: both scans, the diff, plan-only failures gated."""
    import json
    import shutil

    from click.testing import CliRunner

    from mlgen.cli import main
    from mlgen.errors import GateFailed

    if shutil.which("moto_server") is None and not Path(sys.executable).with_name("moto_server").exists():
        pytest.skip("moto_server is not installed (pip install 'mlgen[plan]')")
    dest = tmp_path / "p"
    runner = CliRunner()
    made = runner.invoke(main, ["new", str(dest), "--defaults", "--no-check", "--set", "cloud.environments=[dev]"])
    assert made.exit_code == 0, made.output
    result = runner.invoke(main, ["check", str(dest), "--plan", "--format", "json,md"])
    reports = dest / "docs" / "compliance"
    diff = json.loads((reports / "plan-diff.json").read_text(encoding="utf-8"))
    assert diff["errors"] == {} and diff["roots"] and diff["failed_only_in_plan_gated"] is True
    results = json.loads((reports / "results.json").read_text(encoding="utf-8"))
    assert "roots planned" in results["metadata"]["plan_scan"]
    from mlgen.compliance.plan_scan import PLAN_ONLY_DETAIL

    added = {(f["check_id"], f["resource"]) for f in results["findings"] if PLAN_ONLY_DETAIL in f["details"]}
    assert added == {(f["check_id"], f["resource"]) for f in diff["failed_only_in_plan"]}
    assert result.exit_code == (GateFailed.exit_code if results["gate"]["failures"] else 0), result.output
