"""gate.py on synthetic scan results: verdict rules and control statuses."""

from __future__ import annotations

import pytest

from mlgen.compliance.catalog import load_catalog
from mlgen.compliance.gate import evaluate_gate
from mlgen.compliance.scan import WAIVER_CHECK_ID

from .conftest import make_finding, make_result

# CKV2_AWS_62 (S3 event notifications) is referenced by no control and rated by nobody:
# it has the default severity (medium) and no framework mapping.
UNMAPPED = "CKV2_AWS_62"


def test_unmapped_check_is_really_unmapped_and_medium() -> None:
    catalog = load_catalog()
    assert catalog.controls_for(UNMAPPED) == []
    assert catalog.severity(UNMAPPED) == "medium"


def test_all_passed_scan_passes_and_controls_are_satisfied() -> None:
    result = make_result(make_finding("CKV_AWS_20", "passed"), make_finding("MLGEN_AWS_001", "passed"))
    gate = evaluate_gate(result, frameworks=["gdpr"])
    assert gate.passed and gate.verdict == "PASS"
    statuses = {c.control_id: c.status for c in gate.controls["gdpr"]}
    assert statuses["Art. 44"] == "satisfied"
    assert statuses["Art. 5(1)(f)"] == "satisfied"
    assert statuses["Art. 33"] == "not_applicable"


def test_failed_check_mapped_to_selected_framework_fails_whatever_its_severity() -> None:
    # CKV2_AWS_61 (lifecycle) is low, mapped to GDPR Art. 5(1)(e)
    result = make_result(make_finding("CKV2_AWS_61"))
    gate = evaluate_gate(result, frameworks=["gdpr"], fail_on=None)
    assert not gate.passed
    (failure,) = gate.failures
    assert failure.severity == "low"
    assert failure.controls == ("gdpr:Art. 5(1)(e)",)
    assert failure.control_labels == ("GDPR Art. 5(1)(e)",)
    assert failure.reasons == ("maps to GDPR Art. 5(1)(e)",)


def test_mapping_only_counts_for_selected_frameworks() -> None:
    # MLGEN_AWS_009 (budget) maps to SOC 2 A1.1 and ISO 8.6, not to GDPR; severity medium
    result = make_result(make_finding("MLGEN_AWS_009"))
    assert evaluate_gate(result, frameworks=["gdpr"], fail_on="high").passed
    gate = evaluate_gate(result, frameworks=["soc2"], fail_on="high")
    assert [f.controls for f in gate.failures] == [("soc2:A1.1",)]


@pytest.mark.parametrize(
    ("fail_on", "fails"),
    [("critical", False), ("high", False), ("medium", True), ("low", True), (None, False)],
)
def test_severity_threshold_for_unmapped_checks(fail_on: str | None, fails: bool) -> None:
    result = make_result(make_finding(UNMAPPED))
    gate = evaluate_gate(result, frameworks=["hipaa"], fail_on=fail_on)
    assert gate.passed is not fails
    if fails:
        assert gate.failures[0].controls == ()
        assert "severity medium is at or above" in gate.failures[0].reasons[0]


def test_critical_finding_fails_even_without_frameworks() -> None:
    result = make_result(make_finding("CKV_AWS_20"))  # public-read ACL, critical
    gate = evaluate_gate(result, frameworks=[], fail_on="high")
    assert not gate.passed
    assert gate.failures[0].severity == "critical"
    assert gate.controls == {}


def test_suppression_without_reason_always_fails() -> None:
    skipped = make_finding("CKV_AWS_18", "skipped", suppress_reason=None)
    waiver = make_finding(WAIVER_CHECK_ID, details=("CKV_AWS_18 is suppressed without a reason",))
    result = make_result(skipped, waiver)
    for frameworks, fail_on in (([], None), (["gdpr"], None), ([], "critical")):
        gate = evaluate_gate(result, frameworks=frameworks, fail_on=fail_on)
        assert not gate.passed
        assert gate.failures[0].finding.check_id == WAIVER_CHECK_ID
        assert "a suppression must state its reason" in gate.failures[0].reasons


def test_reasoned_suppression_does_not_fail_and_is_listed_as_waiver() -> None:
    skipped = make_finding("CKV_AWS_18", "skipped", suppress_reason="central trail covers it")
    result = make_result(skipped)
    gate = evaluate_gate(result, frameworks=["hipaa"], fail_on="low")
    assert gate.passed
    audit = next(c for c in gate.controls["hipaa"] if c.control_id == "164.312(b)")
    assert audit.status == "waived"
    assert audit.waived == (skipped,)


def test_control_with_one_failed_and_one_passed_check_is_failed() -> None:
    result = make_result(
        make_finding("CKV_AWS_19", "passed"),
        make_finding("CKV_AWS_98", resource="aws_sagemaker_endpoint_configuration.x"),
    )
    gate = evaluate_gate(result, frameworks=["hipaa"])
    enc = next(c for c in gate.controls["hipaa"] if c.control_id == "164.312(a)(2)(iv)")
    assert enc.status == "failed"
    assert [f.check_id for f in enc.failed] == ["CKV_AWS_98"]
    assert [f.check_id for f in enc.passed] == ["CKV_AWS_19"]
    counts = gate.control_counts("hipaa")
    assert counts["failed"] == 1 and sum(counts.values()) == len(gate.controls["hipaa"])


def test_failures_keep_scan_order_and_frameworks_are_normalised() -> None:
    result = make_result(
        make_finding("CKV_AWS_20", file="b.tf"),
        make_finding("CKV_AWS_57", file="a.tf"),
    )
    gate = evaluate_gate(result, frameworks=["iso27001", "hipaa", "hipaa"])
    assert gate.frameworks == ("hipaa", "iso27001")
    assert [f.finding.file for f in gate.failures] == ["a.tf", "b.tf"]


def test_unknown_framework_and_severity_are_rejected() -> None:
    result = make_result()
    with pytest.raises(ValueError, match="did you mean 'soc2'"):
        evaluate_gate(result, frameworks=["soc-2"])
    with pytest.raises(ValueError, match="unknown severity 'severe'"):
        evaluate_gate(result, frameworks=[], fail_on="severe")
