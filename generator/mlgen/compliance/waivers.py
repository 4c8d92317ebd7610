"""The waiver register: every suppression with its reason, owner and expiry date.

A waiver is an inline Checkov suppression whose reason ends with mlgen's metadata in brackets::

    #checkov:skip=CKV_AWS_18:this is the access-log target [owner=platform-team expires=2027-12-01]

Checkov's comment regex (``checkov.common.comment.enum.COMMENT_REGEX``) takes everything after
the second colon up to the end of the line as the reason (``(:[^\\n]*)?``), so the bracket is part
of ``suppress_comment`` and the line is still an ordinary Checkov skip for a plain ``checkov``
run. mlgen splits it off: ``reason`` is the text before the bracket, ``owner`` a team or person
(letters, digits and ``._@+-``), ``expires`` an ISO date. The gate fails on a waiver without a
reason (``MLGEN_WAIVER_REASON``), without an owner (``MLGEN_WAIVER_OWNER``) and on one without an
expiry date, with a malformed date or past its date (``MLGEN_WAIVER_EXPIRY``).

Example:
    >>> w = parse_waiver("log target [owner=platform expires=2027-12-01]")
    >>> (w.reason, w.owner, w.expires.isoformat())
    ('log target', 'platform', '2027-12-01')
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field

WAIVER_REASON_ID = "MLGEN_WAIVER_REASON"
WAIVER_OWNER_ID = "MLGEN_WAIVER_OWNER"
WAIVER_EXPIRY_ID = "MLGEN_WAIVER_EXPIRY"

WAIVER_CHECK_NAMES: dict[str, str] = {
    WAIVER_REASON_ID: "Every suppressed check states a reason",
    WAIVER_OWNER_ID: "Every suppressed check names an owner",
    WAIVER_EXPIRY_ID: "Every suppressed check has an expiry date that has not passed",
}

WAIVER_SYNTAX = "#checkov:skip=<ID>:<reason> [owner=<team or person> expires=<YYYY-MM-DD>]"
"""How to write a complete waiver (used in messages)."""

_EMPTY_REASONS = {"", "no comment provided"}
_META = re.compile(r"\s*\[(?P<body>[^\[\]]*)\]\s*$")
_PAIR = re.compile(r"(?P<key>[a-z_]+)\s*=\s*(?P<value>[^\s\]]+)")
_OWNER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")


class Waiver(BaseModel):
    """The parts of one suppression comment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: str = Field(description="Why the finding is acceptable (empty when none was given).")
    owner: str | None = Field(default=None, description="Team or person accountable for the waiver.")
    expires: dt.date | None = Field(default=None, description="Date after which the waiver no longer counts.")
    expires_text: str | None = Field(default=None, description="The expiry as written, when it is not a valid date.")

    def problems(self, today: dt.date) -> dict[str, str]:
        """Gate check id -> what is wrong with this waiver on ``today`` (empty when complete)."""
        out: dict[str, str] = {}
        if not self.reason.strip():
            out[WAIVER_REASON_ID] = "is suppressed without a reason"
        if not self.owner:
            out[WAIVER_OWNER_ID] = "is suppressed without an owner"
        if self.expires is None:
            if self.expires_text:
                out[WAIVER_EXPIRY_ID] = f"has an expiry {self.expires_text!r} that is not a YYYY-MM-DD date"
            else:
                out[WAIVER_EXPIRY_ID] = "is suppressed without an expiry date"
        elif self.expires < today:
            out[WAIVER_EXPIRY_ID] = f"has a waiver that expired on {self.expires.isoformat()}"
        return out


def parse_waiver(comment: str | None) -> Waiver:
    """Split a Checkov ``suppress_comment`` into reason, owner and expiry.

    Args:
        comment: The text after ``#checkov:skip=ID:`` (``None`` or Checkov's "No comment provided"
            count as no reason).

    Returns:
        The waiver; fields that were not given are ``None`` (reason: empty string).
    """
    text = (comment or "").strip()
    if text.lower() in _EMPTY_REASONS:
        return Waiver(reason="")
    match = _META.search(text)
    if not match:
        return Waiver(reason=text)
    pairs = {m["key"]: m["value"] for m in _PAIR.finditer(match["body"])}
    if not pairs:
        return Waiver(reason=text)
    owner = pairs.get("owner")
    expires_raw = pairs.get("expires")
    expires: dt.date | None = None
    if expires_raw:
        try:
            expires = dt.date.fromisoformat(expires_raw)
        except ValueError:
            expires = None
    return Waiver(
        reason=text[: match.start()].strip(),
        owner=owner if owner and _OWNER.match(owner) else None,
        expires=expires,
        expires_text=expires_raw if expires is None else None,
    )
