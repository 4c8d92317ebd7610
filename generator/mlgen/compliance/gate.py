"""Decide whether a scan passes, and map its findings to framework controls.

A failed finding fails the gate when any of these holds:

* its check maps to a control of a selected framework (whatever its severity);
* its severity is at or above ``fail_on`` (critical > high > medium > low; ``None`` turns this
  rule off, leaving only the framework mapping);
* it is one of mlgen's own findings (``GATING_CHECK_IDS``): a suppression without a reason, an
  owner or a valid, unexpired expiry date, and a file Checkov could not parse, always fail.

Per selected framework every control gets one of five statuses:

* ``failed`` - a mapped check failed;
* ``satisfied`` - mapped checks ran and passed, none failed (waived findings are listed too); a
  control mapping the waiver checks is also satisfied by complete waivers (documented exceptions);
* ``waived`` - every finding of the mapped checks is suppressed (the waivers carry the reasons);
* ``not_applicable`` - no mapped check ran on any resource: the project has nothing in scope (the
  control's ``reason`` says so, naming the checks);
* ``not_assessed`` - the control needs evidence a configuration scan cannot give (procedures,
  people, contracts); ``evidence`` says what the team must supply.

Example:
    >>> gate = evaluate_gate(result, frameworks=["gdpr"], fail_on="high")  # doctest: +SKIP
    >>> gate.passed, [f.controls for f in gate.failures]  # doctest: +SKIP
    (False, [('gdpr:Art. 44',)])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mlgen.compliance.catalog import (
    FRAMEWORK_IDS,
    SEVERITY_ORDER,
    Catalog,
    Severity,
    Source,
    load_catalog,
    unknown_framework_message,
)
from mlgen.compliance.scan import GATING_CHECK_IDS, Finding, ScanResult
from mlgen.compliance.waivers import WAIVER_EXPIRY_ID, WAIVER_OWNER_ID, WAIVER_REASON_ID

ControlStatus = Literal["satisfied", "failed", "waived", "not_applicable", "not_assessed"]
CONTROL_STATUSES: tuple[str, ...] = ("satisfied", "failed", "waived", "not_applicable", "not_assessed")
"""Every control status, in report order."""

FRAMEWORK_LABELS: dict[str, str] = {
    "hipaa": "HIPAA",
    "soc2": "SOC 2",
    "gdpr": "GDPR",
    "pci_dss": "PCI DSS",
    "iso27001": "ISO 27001",
}
"""Short names used in messages and reports."""


class ControlResult(BaseModel):
    """How one control fared in a scan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    framework: str
    control_id: str
    title: str
    source: Source
    status: ControlStatus
    checks: tuple[str, ...] = Field(description="Check ids the catalog maps to this control.")
    failed: tuple[Finding, ...] = ()
    passed: tuple[Finding, ...] = ()
    waived: tuple[Finding, ...] = Field(default=(), description="Suppressed findings.")
    reason: str | None = Field(default=None, description="Why the control is not applicable or not assessed.")
    evidence: str | None = Field(default=None, description="Evidence the team must supply (not assessed).")

    @property
    def key(self) -> str:
        """``<framework>:<control id>``."""
        return f"{self.framework}:{self.control_id}"

    @property
    def label(self) -> str:
        """Human label such as ``GDPR Art. 44``."""
        return f"{FRAMEWORK_LABELS.get(self.framework, self.framework)} {self.control_id}"


class GateFailure(BaseModel):
    """A finding that fails the gate, with the reasons."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    finding: Finding
    severity: Severity
    controls: tuple[str, ...] = Field(description="Control keys of selected frameworks.")
    control_labels: tuple[str, ...] = Field(description="Same controls, human labels.")
    reasons: tuple[str, ...]


class GateResult(BaseModel):
    """The verdict, the failing findings and per-framework control results."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    passed: bool
    frameworks: tuple[str, ...]
    fail_on: Severity | None
    failures: tuple[GateFailure, ...]
    controls: dict[str, tuple[ControlResult, ...]] = Field(description="Framework id -> its controls, catalog order.")
    severities: dict[str, Severity] = Field(description="Severity of every check in the scan.")
    finding_controls: dict[str, tuple[str, ...]] = Field(
        description="Check id -> control keys (selected frameworks) it maps to."
    )

    @property
    def verdict(self) -> str:
        """``PASS`` or ``FAIL``."""
        return "PASS" if self.passed else "FAIL"

    def control_counts(self, framework: str) -> dict[str, int]:
        """Number of controls per status for one framework."""
        counts = dict.fromkeys(CONTROL_STATUSES, 0)
        for control in self.controls.get(framework, ()):
            counts[control.status] += 1
        return counts


def _check_frameworks(frameworks: Sequence[str]) -> tuple[str, ...]:
    for framework in frameworks:
        if framework not in FRAMEWORK_IDS:
            raise ValueError(unknown_framework_message(framework))
    return tuple(sorted(set(frameworks), key=FRAMEWORK_IDS.index))


def evaluate_gate(
    result: ScanResult,
    *,
    frameworks: Sequence[str],
    fail_on: str | None = "high",
    catalog: Catalog | None = None,
) -> GateResult:
    """Apply the gate rules to a scan.

    Args:
        result: The scan to judge.
        frameworks: Selected framework ids (``hipaa``, ``soc2``, ``gdpr``, ``pci_dss``,
            ``iso27001``).
        fail_on: Lowest severity that fails the gate on its own; ``None`` for mapping only.
        catalog: Control catalog; defaults to the packaged one.

    Returns:
        The verdict with failing findings (sorted like the scan) and control results.

    Raises:
        ValueError: an unknown framework or severity was given.
    """
    selected = _check_frameworks(frameworks)
    if fail_on is not None and fail_on not in SEVERITY_ORDER:
        raise ValueError(f"unknown severity {fail_on!r} for fail_on; use one of {', '.join(SEVERITY_ORDER)} or None")
    threshold = SEVERITY_ORDER[fail_on] if fail_on else None
    cat = catalog or load_catalog()

    check_ids = sorted({f.check_id for f in result.findings})
    severities = {check: cat.severity(check) for check in check_ids}
    mapped = {check: tuple(cat.controls_for(check, selected)) for check in check_ids}

    failures: list[GateFailure] = []
    for finding in result.findings:
        if finding.status != "failed":
            continue
        severity = severities[finding.check_id]
        controls = mapped[finding.check_id]
        labels = tuple(f"{FRAMEWORK_LABELS[c.framework]} {c.id}" for c in controls)
        reasons: list[str] = []
        if finding.check_id in GATING_CHECK_IDS:
            reasons.append(GATING_CHECK_IDS[finding.check_id])
        if controls:
            reasons.append("maps to " + ", ".join(labels))
        if threshold is not None and SEVERITY_ORDER[severity] >= threshold:
            reasons.append(f"severity {severity} is at or above the fail-on level {fail_on}")
        if reasons:
            failures.append(
                GateFailure(
                    finding=finding,
                    severity=severity,
                    controls=tuple(c.key for c in controls),
                    control_labels=labels,
                    reasons=tuple(reasons),
                )
            )

    by_check: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_check.setdefault(finding.check_id, []).append(finding)

    # complete waivers are the evidence for controls that map the waiver checks ("exceptions are
    # documented"): those controls are satisfied by them, not "not applicable"
    waiver_ids = {WAIVER_REASON_ID, WAIVER_OWNER_ID, WAIVER_EXPIRY_ID}
    bad = {(f.resource, f.file, f.line_start) for f in result.findings if f.check_id in waiver_ids}
    complete = [f for f in result.findings if f.status == "skipped" and (f.resource, f.file, f.line_start) not in bad]

    controls_out: dict[str, tuple[ControlResult, ...]] = {}
    for fid in selected:
        rows: list[ControlResult] = []
        for control in cat.framework(fid).controls:
            hits = [f for check in control.checks for f in by_check.get(check, ())]
            hits.sort(key=lambda f: f.sort_key())
            failed = tuple(f for f in hits if f.status == "failed")
            passed = tuple(f for f in hits if f.status == "passed")
            waived = tuple(f for f in hits if f.status == "skipped")
            reason: str | None = None
            status: ControlStatus
            if failed:
                status = "failed"
            elif passed:
                status = "satisfied"
            elif complete and waiver_ids & set(control.checks):
                status = "satisfied"
                reason = (
                    f"each of the {len(complete)} suppression(s) of the scan states a reason, an owner and an "
                    "unexpired expiry date (see the waiver register)"
                )
            elif waived:
                status = "waived"
            elif not control.checks:
                status = "not_assessed"
                reason = "a configuration scan cannot show this control"
            else:
                status = "not_applicable"
                reason = (
                    "no resource of this project is in scope: none of the mapped checks ("
                    + ", ".join(control.checks)
                    + ") evaluated a resource in the scanned roots"
                )
            rows.append(
                ControlResult(
                    framework=fid,
                    control_id=control.id,
                    title=control.title,
                    source=control.source,
                    status=status,
                    checks=control.checks,
                    failed=failed,
                    passed=passed,
                    waived=waived,
                    reason=reason,
                    evidence=control.evidence,
                )
            )
        controls_out[fid] = tuple(rows)

    return GateResult(
        passed=not failures,
        frameworks=selected,
        fail_on=fail_on,  # type: ignore[arg-type]
        failures=tuple(failures),
        controls=controls_out,
        severities=severities,
        finding_controls={check: tuple(c.key for c in controls) for check, controls in mapped.items()},
    )
