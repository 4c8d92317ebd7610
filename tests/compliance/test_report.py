"""report.py: all five formats from a synthetic scan; parsed back and checked."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mlgen import __version__
from mlgen.compliance.gate import GateResult, evaluate_gate
from mlgen.compliance.report import FORMATS, SCHEMA_VERSION, write_reports
from mlgen.compliance.scan import WAIVER_CHECK_ID, ScanResult

from .conftest import make_finding, make_result

ALL = set(FORMATS)
METADATA = {
    "answers_digest": "sha256:4f2a",
    "validation": "terraform validate: not run (terraform not on PATH)",
}


def sample() -> tuple[ScanResult, GateResult]:
    """A scan with every kind of finding: mapped/unmapped failures, waivers, passes."""
    result = make_result(
        make_finding("CKV_AWS_20", resource="aws_s3_bucket.data", line_start=12, line_end=30),
        make_finding(
            "MLGEN_AWS_001",
            resource="aws.dr",
            file="infra/prod/providers.tf",
            line_start=5,
            line_end=8,
            details=("region us-east-1 is outside the allowed set eu-west-1",),
        ),
        make_finding("CKV2_AWS_62", resource="aws_s3_bucket.logs", line_start=40, line_end=44),
        make_finding("CKV_AWS_19", "passed", resource="aws_s3_bucket.data"),
        make_finding(
            "CKV_AWS_21",
            "passed",
            resource='module.ml.aws_s3_bucket.this["a<b>"]',
            file="modules/aws/storage/main.tf",
            root="infra/dev",
            roots=("infra/dev", "infra/prod"),
        ),
        make_finding(
            "CKV_AWS_18",
            "skipped",
            resource="aws_s3_bucket.data",
            suppress_reason="access logged by the central <trail> & data events",
        ),
        make_finding("CKV_AWS_144", "skipped", resource="aws_s3_bucket.data"),
        make_finding(
            WAIVER_CHECK_ID,
            resource="aws_s3_bucket.data",
            details=("CKV_AWS_144 is suppressed without a reason",),
        ),
        allowed_regions=("eu-west-1",),
        frameworks=("gdpr", "hipaa"),
    )
    return result, evaluate_gate(result, frameworks=["gdpr", "hipaa"], fail_on="high")


@pytest.fixture
def written(tmp_path: Path) -> dict[str, Path]:
    result, gate = sample()
    paths = write_reports(result, gate, tmp_path / "out", formats=ALL, metadata=METADATA)
    return {p.name: p for p in paths}


def test_all_formats_are_written(written: dict[str, Path]) -> None:
    assert sorted(written) == sorted([*FORMATS.values(), "checkov.json", "waivers.json", "waivers.md"])


def test_unknown_format_is_rejected(tmp_path: Path) -> None:
    result, gate = sample()
    with pytest.raises(ValueError, match=r"unknown report format.*pdf"):
        write_reports(result, gate, tmp_path, formats={"md", "pdf"}, metadata={})


def test_only_requested_formats_are_written(tmp_path: Path) -> None:
    result, gate = sample()
    paths = write_reports(result, gate, tmp_path, formats={"sarif"}, metadata={})
    assert [p.name for p in paths] == ["results.sarif"]


def test_output_is_deterministic(tmp_path: Path) -> None:
    result, gate = sample()
    first = write_reports(result, gate, tmp_path / "a", formats=ALL, metadata=METADATA)
    second = write_reports(result, gate, tmp_path / "b", formats=ALL, metadata=dict(reversed(list(METADATA.items()))))
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_json_follows_the_documented_schema(written: dict[str, Path]) -> None:
    doc = json.loads(written["results.json"].read_text(encoding="utf-8"))
    assert doc["schema_version"] == SCHEMA_VERSION
    assert set(doc) == {
        "schema_version",
        "generator",
        "scanner",
        "metadata",
        "scan",
        "gate",
        "summary",
        "frameworks",
        "waivers",
        "findings",
    }
    assert doc["generator"] == {"name": "mlgen", "version": __version__}
    assert doc["scanner"] == {"name": "checkov", "version": "3.3.30"}
    assert doc["metadata"]["answers_digest"] == "sha256:4f2a"
    assert doc["gate"]["verdict"] == "FAIL"
    assert doc["summary"]["findings"] == {"total": 8, "passed": 2, "failed": 4, "skipped": 2}
    assert doc["summary"]["controls"]["gdpr"]["failed"] >= 2
    assert {g["check_id"] for g in doc["gate"]["failures"]} == {
        "CKV_AWS_20",
        "MLGEN_AWS_001",
        WAIVER_CHECK_ID,
    }
    finding = doc["findings"][0]
    assert set(finding) == {
        "fingerprint",
        "check_id",
        "check_name",
        "status",
        "severity",
        "resource",
        "resource_type",
        "file",
        "line_start",
        "line_end",
        "root",
        "roots",
        "suppress_reason",
        "waiver_owner",
        "waiver_expires",
        "details",
        "controls",
        "guideline",
        "caller_file",
        "caller_line",
    }
    control = doc["frameworks"][0]["controls"][0]
    assert set(control) == {
        "id",
        "key",
        "label",
        "title",
        "status",
        "source",
        "checks",
        "failed",
        "passed",
        "waived",
        "reason",
        "evidence",
    }
    fingerprints = {f["fingerprint"] for f in doc["findings"]}
    assert len(fingerprints) == len(doc["findings"])
    for fw in doc["frameworks"]:
        for c in fw["controls"]:
            assert set(c["failed"]) | set(c["passed"]) | set(c["waived"]) <= fingerprints
    raw = json.loads(written["checkov.json"].read_text(encoding="utf-8"))
    assert raw == doc["findings"]


def test_schema_doc_lists_every_top_level_and_finding_key(written: dict[str, Path]) -> None:
    schema_md = (Path(__file__).resolve().parents[2] / "generator" / "mlgen" / "compliance" / "SCHEMA.md").read_text(
        encoding="utf-8"
    )
    doc = json.loads(written["results.json"].read_text(encoding="utf-8"))
    for key in [*doc, *doc["findings"][0], *doc["gate"]["failures"][0]]:
        assert f"`{key}`" in schema_md, key


def test_sarif_is_valid_for_github_code_scanning(written: dict[str, Path]) -> None:
    sarif = json.loads(written["results.sarif"].read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-2.1.0.json")
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mlgen"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert rule_ids == sorted(set(rule_ids))
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
        assert 0 < float(rule["properties"]["security-severity"]) <= 10
    assert len(run["results"]) == 6  # 4 failed + 2 suppressed; passed checks are not results
    for res in run["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in {"error", "warning", "note"}
        assert res["message"]["text"]
        loc = res["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith("/")
        assert loc["region"]["startLine"] >= 1
        assert loc["region"]["endLine"] >= loc["region"]["startLine"]
        assert res["partialFingerprints"]["mlgenFinding/v1"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["CKV_AWS_20"]["level"] == "error"  # critical
    assert by_rule["CKV2_AWS_62"]["level"] == "warning"  # default medium
    assert by_rule["CKV_AWS_18"]["suppressions"][0]["justification"].startswith("access logged")
    assert by_rule["CKV_AWS_144"]["suppressions"] == [{"kind": "inSource", "justification": ""}]
    assert (
        by_rule["MLGEN_AWS_001"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "infra/prod/providers.tf"
    )


def test_junit_has_a_suite_per_root_and_a_case_per_check_and_resource(
    written: dict[str, Path],
) -> None:
    tree = ET.parse(written["junit.xml"])
    root = tree.getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("8", "4", "2")
    suites = {s.get("name", ""): s for s in root.findall("testsuite")}
    assert sorted(suites) == ["infra/dev", "infra/prod"]
    prod = suites["infra/prod"]
    cases = prod.findall("testcase")
    assert len(cases) == int(prod.get("tests", "0")) == 7
    failures = [c for c in cases if c.find("failure") is not None]
    assert len(failures) == int(prod.get("failures", "0")) == 4
    acl = next(c for c in cases if c.get("name") == "CKV_AWS_20 aws_s3_bucket.data")
    failure = acl.find("failure")
    assert failure is not None and failure.get("type") == "critical"
    assert "gdpr:Art. 5(1)(f)" in (failure.text or "")
    low = next(c for c in cases if c.get("name", "").startswith("CKV2_AWS_62"))
    assert "does not fail the gate" in (low.find("failure").text or "")  # type: ignore[union-attr]
    skipped = next(c for c in cases if c.get("name") == "CKV_AWS_18 aws_s3_bucket.data")
    assert skipped.find("skipped").get("message", "").startswith("access logged")  # type: ignore[union-attr]


def test_markdown_starts_with_the_summary(written: dict[str, Path]) -> None:
    md = written["report.md"].read_text(encoding="utf-8")
    lines = md.splitlines()
    assert lines[0] == "# mlgen compliance report"
    # the statement that this is configuration evidence, not an attestation, comes first
    assert lines[2].startswith("> Automated configuration evidence") and "not an attestation" in lines[2]
    summary = lines.index("## Summary")
    assert summary <= 6
    assert "**Gate: FAIL**" in lines[summary + 2]
    # frameworks follow catalog order (hipaa, soc2, gdpr, pci_dss, iso27001)
    assert md.index("## Summary") < md.index("## HIPAA") < md.index("## GDPR")
    assert md.index("## GDPR") < md.index("## Waivers") < md.index("## Scan metadata")
    assert "### GDPR Art. 44 - FAILED" in md
    assert "`MLGEN_AWS_001` `aws.dr` at infra/prod/providers.tf:5" in md
    assert "central <trail> & data events" in md
    assert "terraform validate: not run (terraform not on PATH)" in md
    assert "answers digest: sha256:4f2a" in md
    assert f"mlgen version: {__version__}" in md
    assert "checkov version: 3.3.30" in md
    assert "`infra/prod` (7 resources)" in md


def test_html_is_self_contained_and_escaped(written: dict[str, Path]) -> None:
    html = written["report.html"].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert 'id="summary"' in html
    assert "Gate: FAIL" in html
    assert "<style>" in html and "@media print" in html
    for external in ("<link", "<script", "src=", "@import", "url("):
        assert external not in html, external
    assert "central &lt;trail&gt; &amp; data events" in html
    assert "[&#34;a&lt;b&gt;&#34;]" in html or "[&quot;a&lt;b&gt;&quot;]" in html
    assert html.index('id="summary"') < html.index('id="fw-gdpr"') < html.index('id="waivers"')
