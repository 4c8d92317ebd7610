"""The hub mapping (check -> NIST SP 800-53 r5), its sources, and the Prowler cross-check."""

from __future__ import annotations

import json

import pytest

from mlgen.compliance.catalog import load_catalog
from mlgen.compliance.catalog.hub import (
    DATA,
    REVIEW,
    REVIEW_FILES,
    HubRow,
    framework_token,
    load_hub,
    nist_token,
)
from mlgen.compliance.scan import MLGEN_CHECK_IDS


def test_every_catalog_check_and_mlgen_check_has_a_hub_row() -> None:
    hub = load_hub()
    assert load_catalog().referenced_checks() | set(MLGEN_CHECK_IDS) <= set(hub.rows)


def test_every_row_names_its_source() -> None:
    hub = load_hub()
    for row in hub.rows.values():
        if row.securityhub:
            control = hub.securityhub[row.securityhub]
            assert control["nist_800_53_r5"], row.check
            assert row.securityhub in (row.rationale or ""), row.check
        else:
            assert row.judgment is not None and len(row.judgment.rationale) >= 10, row.check
        assert hub.nist_for_check(row.check), row.check
    source = hub.securityhub_source
    assert source["commit"] and source["accessed"] and source["url"].startswith("https://")


@pytest.mark.parametrize(
    "row",
    [
        {"check": "CKV_AWS_1"},
        {"check": "CKV_AWS_1", "securityhub": "IAM.1"},
        {"check": "CKV_AWS_1", "judgment": {"nist": [], "rationale": "because it is so"}},
        {"check": "CKV_AWS_1", "judgment": {"nist": ["AC-3"], "rationale": ""}},
    ],
)
def test_a_row_without_a_source_is_rejected(row: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        HubRow(**row)


def test_security_hub_data_is_what_aws_publishes_for_known_controls() -> None:
    controls = json.loads((DATA / "securityhub_controls.json").read_text(encoding="utf-8"))["controls"]
    # spot checks against the AWS Security Hub user guide's S3 and KMS pages
    assert "SC-28" in controls["S3.4"]["nist_800_53_r5"] and "SC-13" in controls["S3.4"]["nist_800_53_r5"]
    assert "AC-21" in controls["S3.2"]["nist_800_53_r5"]
    assert controls["KMS.4"]["nist_800_53_r5"] == ["SC-12", "SC-12(2)", "SC-28(3)"]


def test_framework_tokens_match_prowler_spelling() -> None:
    assert framework_token("hipaa", "164.308(a)(1)(ii)(D)") == "164_308_a_1_ii_d"
    assert framework_token("soc2", "CC6.1") == framework_token("soc2", "cc_6_1") == "cc_6_1"
    assert framework_token("gdpr", "Art. 5(1)(e)") == "article_5" == framework_token("gdpr", "article_5")
    assert framework_token("pci_dss", "1.2.5.1") == "1.2"
    assert framework_token("iso27001", "A.5.9") == framework_token("iso27001", "5.9")
    assert nist_token("AC-3(7)") == nist_token("ac_3_7")
    hub = load_hub()
    for fid in ("hipaa", "soc2", "gdpr", "pci_dss", "iso27001"):
        prowler = {framework_token(fid, r) for r in hub.prowler[fid]}
        ours = {framework_token(fid, c.id) for c in load_catalog().framework(fid).controls}
        assert prowler & ours, fid  # the spellings meet


def test_prowler_twins_resolve_through_security_hub() -> None:
    hub = load_hub()
    assert "s3_bucket_server_access_logging_enabled" in hub.prowler_twins("CKV_AWS_18")
    assert hub.prowler_controls("CKV_AWS_18", "hipaa")


@pytest.mark.parametrize("name", sorted(REVIEW_FILES))
def test_review_files_are_current(name: str) -> None:
    """Cross-check and disagreement lists are regenerated, not hand-edited; rerun the module to update."""
    assert (REVIEW / name).read_text(encoding="utf-8") == REVIEW_FILES[name](), (
        f"{name} is stale: run `python -m mlgen.compliance.catalog.hub` and review the diff"
    )


def test_prowler_cross_check_lists_every_disagreement_with_a_status() -> None:
    text = (REVIEW / "prowler_crosscheck.md").read_text(encoding="utf-8")
    hub = load_hub()
    for fid in ("hipaa", "soc2", "gdpr", "pci_dss", "iso27001"):
        for control in load_catalog().framework(fid).controls:
            for check in control.checks:
                if not hub.prowler_twins(check):
                    continue
                theirs = hub.prowler_controls(check, fid)
                own = {framework_token(fid, c.id) for c in load_catalog().framework(fid).controls}
                ours = {framework_token(fid, c.id) for c in load_catalog().controls_for(check, [fid])}
                if ours != theirs & own:
                    row = next(line for line in text.splitlines() if line.startswith(f"| {check} |"))
                    assert row.rstrip().endswith("|") and row.split("|")[-2].strip(), row


def test_vendored_prowler_data_carries_its_licence_and_version() -> None:
    notice = (DATA / "prowler" / "NOTICE").read_text(encoding="utf-8")
    assert "Prowler 5.46.0" in notice and "Apache License 2.0" in notice
    assert "Apache License" in (DATA / "prowler" / "LICENSE").read_text(encoding="utf-8")


def test_changing_one_hub_row_changes_the_derived_framework_control() -> None:
    """check -> NIST (hub row) -> framework control (crosswalk): the framework side follows the hub row."""
    from mlgen.compliance.catalog.hub import HubRow, Judgment

    hub = load_hub()
    ids = [c.id for c in load_catalog().framework("hipaa").controls]

    def reached(h: object) -> set[str]:
        return {cid for cid, checks in h.derived_mapping("hipaa", ids).items() if "CKV_AWS_18" in checks}  # type: ignore[attr-defined]

    assert "164.312(b)" in reached(hub)  # S3 access logging -> S3.9 -> AU-2 ... -> audit controls
    rows = dict(hub.rows)
    rows["CKV_AWS_18"] = HubRow(
        check="CKV_AWS_18", judgment=Judgment(nist=("IA-2",), rationale="test: identification and authentication")
    )
    assert reached(hub.model_copy(update={"rows": rows})) == {"164.312(a)(2)(i)"}
