"""The waiver register: reason, owner and expiry on every suppression, and the gate's rules."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from mlgen.compliance.gate import evaluate_gate
from mlgen.compliance.report import waiver_register, write_reports
from mlgen.compliance.scan import waiver_findings
from mlgen.compliance.waivers import (
    WAIVER_EXPIRY_ID,
    WAIVER_OWNER_ID,
    WAIVER_REASON_ID,
    parse_waiver,
)

from .conftest import make_finding, make_result

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 12, 2)


def _skipped(comment: str, **kw: object) -> object:
    w = parse_waiver(comment)
    return make_finding(
        "CKV_AWS_18",
        "skipped",
        suppress_reason=w.reason or None,
        waiver_owner=w.owner,
        waiver_expires=w.expires.isoformat() if w.expires else w.expires_text,
        **kw,
    )


def test_metadata_is_split_off_the_reason() -> None:
    w = parse_waiver("log target; see ADR 7 [owner=platform-team expires=2027-06-30]")
    assert (w.reason, w.owner, w.expires) == ("log target; see ADR 7", "platform-team", dt.date(2027, 6, 30))
    assert w.problems(TODAY) == {}


@pytest.mark.parametrize(
    ("comment", "problems"),
    [
        ("", {WAIVER_REASON_ID, WAIVER_OWNER_ID, WAIVER_EXPIRY_ID}),
        ("No comment provided", {WAIVER_REASON_ID, WAIVER_OWNER_ID, WAIVER_EXPIRY_ID}),
        ("a reason", {WAIVER_OWNER_ID, WAIVER_EXPIRY_ID}),
        ("a reason [expires=2027-01-01]", {WAIVER_OWNER_ID}),
        ("a reason [owner=sec]", {WAIVER_EXPIRY_ID}),
        ("a reason [owner=sec expires=2026-12-01]", {WAIVER_EXPIRY_ID}),  # yesterday
        ("a reason [owner=sec expires=2026-12-02]", set()),  # valid through its date
        ("a reason [owner=sec expires=next-year]", {WAIVER_EXPIRY_ID}),
        ("a reason [owner=sec expires=2027-02-30]", {WAIVER_EXPIRY_ID}),
        ("[owner=sec expires=2027-01-01]", {WAIVER_REASON_ID}),
        ("a reason [owner=$(rm) expires=2027-01-01]", {WAIVER_OWNER_ID}),
    ],
)
def test_incomplete_or_expired_waivers_are_found(comment: str, problems: set[str]) -> None:
    assert set(parse_waiver(comment).problems(TODAY)) == problems


def test_gate_fails_on_an_expired_waiver_and_on_one_without_owner() -> None:
    expired = _skipped("trail covers it [owner=sec expires=2026-11-30]", resource="aws_s3_bucket.a")
    ownerless = _skipped("trail covers it [expires=2027-11-30]", resource="aws_s3_bucket.b")
    fine = _skipped("trail covers it [owner=sec expires=2027-11-30]", resource="aws_s3_bucket.c")
    extra = waiver_findings([expired, ownerless, fine], today=TODAY)
    assert sorted((f.check_id, f.resource) for f in extra) == [
        (WAIVER_EXPIRY_ID, "aws_s3_bucket.a"),
        (WAIVER_OWNER_ID, "aws_s3_bucket.b"),
    ]
    assert "expired on 2026-11-30" in next(f for f in extra if f.check_id == WAIVER_EXPIRY_ID).details[0]
    # whatever the frameworks and threshold, these fail the gate
    gate = evaluate_gate(make_result(expired, ownerless, fine, *extra), frameworks=[], fail_on=None)
    assert not gate.passed
    assert {g.finding.check_id for g in gate.failures} == {WAIVER_EXPIRY_ID, WAIVER_OWNER_ID}
    assert evaluate_gate(make_result(fine, *waiver_findings([fine], today=TODAY)), frameworks=[], fail_on=None).passed


def test_register_is_its_own_table_and_file(tmp_path: Path) -> None:
    expired = _skipped("trail covers it [owner=sec expires=2026-11-30]", resource="aws_s3_bucket.a")
    fine = _skipped("trail covers it [owner=sec expires=2027-11-30]", resource="aws_s3_bucket.c")
    result = make_result(expired, fine, *waiver_findings([expired, fine], today=TODAY))
    rows = {r["resource"]: r for r in waiver_register(result)}
    assert rows["aws_s3_bucket.a"]["state"] == "expired"
    assert rows["aws_s3_bucket.c"] | {"fingerprint": None} == rows["aws_s3_bucket.c"] | {
        "fingerprint": None,
        "reason": "trail covers it",
        "owner": "sec",
        "expires": "2027-11-30",
        "state": "valid",
    }
    gate = evaluate_gate(result, frameworks=["hipaa"], fail_on="high")
    write_reports(result, gate, tmp_path, formats={"md", "json"}, metadata={})
    register = json.loads((tmp_path / "waivers.json").read_text(encoding="utf-8"))
    assert [r["state"] for r in register] == [rows[r["resource"]]["state"] for r in register]
    md = (tmp_path / "waivers.md").read_text(encoding="utf-8")
    assert "| CKV_AWS_18 | `aws_s3_bucket.a` |" in md and "| sec | 2026-11-30 | expired |" in md


SKIP_LINE = re.compile(r"#checkov:skip=([A-Za-z0-9_]+):(.*)$")


def test_every_shipped_suppression_is_a_complete_waiver() -> None:
    """modules/ and templates/ suppressions carry reason, owner and an expiry at least 6 months out."""
    found = 0
    for path in [*REPO.joinpath("modules").rglob("*.tf"), *REPO.joinpath("templates").rglob("*.tf*")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = SKIP_LINE.search(line)
            if not match:
                continue
            found += 1
            waiver = parse_waiver(match.group(2))
            assert waiver.problems(TODAY) == {}, f"{path}: {line.strip()}"
            assert waiver.expires and waiver.expires >= TODAY + dt.timedelta(days=180), f"{path}: {line.strip()}"
    assert found >= 20


def test_checkov_still_parses_the_waiver_as_a_skip_with_the_whole_reason() -> None:
    """The bracket is inside Checkov's reason group, so a plain checkov run still honours the skip."""
    from checkov.common.comment.enum import COMMENT_REGEX

    match = COMMENT_REGEX.search("  #checkov:skip=CKV_AWS_18:log target [owner=sec expires=2027-01-01]")
    assert match is not None
    assert match.group(2) == "CKV_AWS_18"
    assert parse_waiver(match.group(3)[1:]).owner == "sec"
