"""Five honest control statuses, with counts per framework in every report."""

from __future__ import annotations

import json
from pathlib import Path

from mlgen.compliance.catalog import load_catalog
from mlgen.compliance.gate import CONTROL_STATUSES, evaluate_gate
from mlgen.compliance.report import write_reports

from .conftest import make_finding, make_result


def _status(gate: object, framework: str, control: str) -> object:
    return next(c for c in gate.controls[framework] if c.control_id == control)  # type: ignore[attr-defined]


def test_control_whose_evidence_is_all_waived_is_waived_not_not_applicable() -> None:
    checks = load_catalog().framework("hipaa").controls
    control = next(c for c in checks if c.id == "164.308(a)(7)(ii)(B)")
    waived = [
        make_finding(check, "skipped", suppress_reason="reason", resource=f"aws_s3_bucket.b{i}")
        for i, check in enumerate(control.checks)
    ]
    gate = evaluate_gate(make_result(*waived), frameworks=["hipaa"], fail_on=None)
    row = _status(gate, "hipaa", "164.308(a)(7)(ii)(B)")  # disaster recovery: all evidence waived
    assert row.status == "waived"
    assert len(row.waived) == len(control.checks)


def test_not_applicable_says_why_and_not_assessed_says_what_to_supply() -> None:
    gate = evaluate_gate(make_result(make_finding("CKV_AWS_20", "passed")), frameworks=["hipaa"], fail_on=None)
    na = _status(gate, "hipaa", "164.308(a)(6)(ii)")
    assert na.status == "not_applicable"
    assert "no resource of this project is in scope" in na.reason
    manual = _status(gate, "hipaa", "164.308(b)(1)")
    assert manual.status == "not_assessed"
    assert manual.checks == () and "Business Associate" in manual.evidence


def test_every_framework_has_controls_that_need_people_and_procedures() -> None:
    for framework in load_catalog().frameworks.values():
        manual = [c for c in framework.controls if not c.checks]
        assert manual, framework.id
        assert all(c.evidence and len(c.evidence) > 20 for c in manual), framework.id


def test_reports_show_five_statuses_with_counts_per_framework(tmp_path: Path) -> None:
    result = make_result(
        make_finding("CKV_AWS_20", "failed"),
        make_finding("CKV_AWS_19", "passed"),
        make_finding("MLGEN_WAIVER_REASON", "skipped", suppress_reason="r"),
    )
    gate = evaluate_gate(result, frameworks=["hipaa", "gdpr"], fail_on=None)
    write_reports(result, gate, tmp_path, formats={"md", "json", "html"}, metadata={})
    doc = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    for fw in doc["frameworks"]:
        assert set(fw["counts"]) == set(CONTROL_STATUSES)
        assert sum(fw["counts"].values()) == len(fw["controls"])
        assert fw["counts"]["not_assessed"] > 0 and fw["counts"]["failed"] > 0
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| Framework | Satisfied | Failed | Waived | Not applicable | Not assessed |" in md
    hipaa = doc["summary"]["controls"]["hipaa"]
    assert f"| HIPAA (45 CFR 164.308, 164.312, 164.316) | {' | '.join(str(hipaa[s]) for s in CONTROL_STATUSES)} |" in md
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Not assessed" in html and "Evidence the team must supply" in html


def test_documented_exceptions_control_is_satisfied_by_complete_waivers() -> None:
    """HIPAA 164.316(b)(1) maps the waiver checks: complete waivers are its evidence."""
    from mlgen.compliance.scan import waiver_findings

    complete = make_finding(
        "CKV_AWS_18", "skipped", suppress_reason="log target", waiver_owner="sec", waiver_expires="2099-01-01"
    )
    gate = evaluate_gate(make_result(complete, *waiver_findings([complete])), frameworks=["hipaa"], fail_on=None)
    row = _status(gate, "hipaa", "164.316(b)(1)")
    assert row.status == "satisfied" and "1 suppression(s)" in row.reason
    ownerless = complete.model_copy(update={"waiver_owner": None})
    gate = evaluate_gate(make_result(ownerless, *waiver_findings([ownerless])), frameworks=["hipaa"], fail_on=None)
    assert _status(gate, "hipaa", "164.316(b)(1)").status == "failed"
    gate = evaluate_gate(make_result(make_finding("CKV_AWS_20", "passed")), frameworks=["hipaa"], fail_on=None)
    assert _status(gate, "hipaa", "164.316(b)(1)").status == "not_applicable"
