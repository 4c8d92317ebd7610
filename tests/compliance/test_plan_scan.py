"""Plan scan: reconciling HCL and plan findings, and the offline provider override."""

from __future__ import annotations

from mlgen.compliance.gate import evaluate_gate
from mlgen.compliance.plan_scan import RESOLVED_DETAIL, override_text, reconcile

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
