"""OSCAL assessment results (validated by compliance-trestle's own models) and evidence metadata."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from mlgen.compliance.evidence import EVIDENCE_STATEMENT, evidence_metadata, git_state, scan_time
from mlgen.compliance.gate import evaluate_gate
from mlgen.compliance.oscal import control_token
from mlgen.compliance.report import write_reports
from mlgen.compliance.scan import waiver_findings

from .conftest import make_finding, make_result

trestle_ar = pytest.importorskip("trestle.oscal.assessment_results", reason="compliance-trestle is not installed")


def _scan() -> tuple[object, object]:
    waived = make_finding(
        "CKV_AWS_18",
        "skipped",
        resource="aws_s3_bucket.logs",
        suppress_reason="log target",
        waiver_owner="platform",
        waiver_expires="2027-12-01",
    )
    result = make_result(
        make_finding("CKV_AWS_20", "failed"),
        make_finding("CKV_AWS_19", "passed"),
        waived,
        *waiver_findings([waived], today=dt.date(2026, 12, 2)),
    )
    return result, evaluate_gate(result, frameworks=["hipaa", "gdpr"], fail_on="high")


META = {
    "scan_time": "2026-12-02T06:00:00Z",
    "git_commit": "0" * 40,
    "git_dirty": False,
    "answers_digest": "abcd",
    "project": "fraud",
}


@pytest.fixture(scope="module")
def oscal(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    result, gate = _scan()
    out = tmp_path_factory.mktemp("oscal")
    write_reports(result, gate, out, formats={"oscal", "json"}, metadata=META)  # type: ignore[arg-type]
    return {
        "text": (out / "results.oscal.json").read_text(encoding="utf-8"),
        "doc": json.loads((out / "results.json").read_text(encoding="utf-8")),
    }


def test_oscal_round_trips_through_trestle_models(oscal: dict[str, object]) -> None:
    data = json.loads(str(oscal["text"]))
    model = trestle_ar.Model.model_validate(data)
    again = json.loads(model.model_dump_json(by_alias=True, exclude_none=True))
    assert again == data
    ar = model.assessment_results
    assert ar.metadata.last_modified == dt.datetime(2026, 12, 2, 6, 0, tzinfo=dt.UTC)
    assert ar.metadata.remarks == EVIDENCE_STATEMENT


def test_oscal_has_observations_findings_with_related_controls_and_waivers_as_risks(
    oscal: dict[str, object],
) -> None:
    doc = oscal["doc"]
    result = trestle_ar.Model.model_validate(json.loads(str(oscal["text"]))).assessment_results.results[0]
    assert sorted(o.title for o in result.observations) == sorted({f["check_id"] for f in doc["findings"]})
    findings = {f.target.target_id: f for f in result.findings}
    controls = [(fw["id"], c) for fw in doc["frameworks"] for c in fw["controls"]]
    assert len(findings) == len(controls)
    for fid, c in controls:
        finding = findings[control_token(fid, c["id"])]
        props = {(p.name, p.value) for p in finding.props}
        assert ("mlgen-status", c["status"]) in props
        assert finding.target.status.state.value == ("satisfied" if c["status"] == "satisfied" else "not-satisfied")
        if c["checks"]:
            assert any(name == "related-nist-800-53r5" for name, _ in props), c["key"]
    (risk,) = result.risks
    assert json.loads(risk.status.model_dump_json()) == "deviation-approved"
    assert risk.statement == "log target"
    assert {(p.name, p.value) for p in risk.props} >= {("owner", "platform"), ("waiver-state", "valid")}
    assert risk.deadline.date() == dt.date(2027, 12, 1)
    failed = next(f for f in result.findings if f.target.target_id == control_token("hipaa", "164.312(b)"))
    assert failed.related_risks and failed.related_risks[0].risk_uuid == risk.uuid


def test_oscal_is_stable_for_the_same_scan(tmp_path: Path, oscal: dict[str, object]) -> None:
    result, gate = _scan()
    write_reports(result, gate, tmp_path, formats={"oscal"}, metadata=META)  # type: ignore[arg-type]
    assert (tmp_path / "results.oscal.json").read_text(encoding="utf-8") == oscal["text"]


def test_scan_time_honours_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764655200")
    assert scan_time() == dt.datetime(2025, 12, 2, 6, 0, tzinfo=dt.UTC)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    now = dt.datetime(2026, 12, 2, 7, 8, 9, 500, tzinfo=dt.UTC)
    assert scan_time(now) == now.replace(microsecond=0)


def test_evidence_records_commit_and_dirty_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764655200")
    assert git_state(tmp_path) == (None, None)
    meta = evidence_metadata(tmp_path, answers_digest="abcd")
    assert meta["git_commit"] is None and "before the first commit" in meta["git_note"]
    assert meta["scan_time"] == "2025-12-02T06:00:00Z"
    assert meta["evidence_statement"] == EVIDENCE_STATEMENT and "not an attestation" in EVIDENCE_STATEMENT
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "a.tf").write_text("# a\n", encoding="utf-8")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "a"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert git_state(tmp_path) == (head, False)
    (tmp_path / "a.tf").write_text("# b\n", encoding="utf-8")
    assert git_state(tmp_path) == (head, True)
    meta = evidence_metadata(tmp_path)
    assert meta["git_commit"] == head and meta["git_dirty"] is True and "git_note" not in meta


def test_markdown_report_states_time_commit_and_not_an_attestation(tmp_path: Path) -> None:
    result, gate = _scan()
    write_reports(result, gate, tmp_path, formats={"md", "html"}, metadata={**META, "git_dirty": True})  # type: ignore[arg-type]
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "not an attestation" in md.splitlines()[2]
    assert f"Scanned 2026-12-02T06:00:00Z at commit {'0' * 40} (uncommitted changes)." in md
    assert "not an attestation" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_oscal_without_frameworks_still_validates(tmp_path: Path) -> None:
    result, _ = _scan()
    gate = evaluate_gate(result, frameworks=[], fail_on="high")  # type: ignore[arg-type]
    write_reports(result, gate, tmp_path, formats={"oscal"}, metadata=META)  # type: ignore[arg-type]
    model = trestle_ar.Model.model_validate(json.loads((tmp_path / "results.oscal.json").read_text(encoding="utf-8")))
    assert model.assessment_results.results[0].findings is None
    assert model.assessment_results.results[0].observations


# Every example's results.oscal.json round-trips: tests/e2e/test_examples.py::test_oscal_results_round_trip
# (examples commit no scan output; the e2e regenerates each example with the scan).
