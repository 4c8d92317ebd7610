"""OSCAL assessment results (``results.oscal.json``) built with compliance-trestle's models.

The document is rendered from the same results document as every other report
(:func:`mlgen.compliance.report.build_results`):

* one **observation** per check id that ran (method ``TEST``: an automated static scan), with
  every resource it evaluated as relevant evidence (``file:line``, status);
* one **finding** per control of each selected framework, its target the control
  (``objective-id``), state ``satisfied`` only for mlgen status ``satisfied``; the mlgen status
  (one of five), the control's own id and its NIST SP 800-53 r5 related controls (from the hub,
  :mod:`mlgen.compliance.catalog.hub`) are properties; it links the observations of its checks
  and the risks of its waivers;
* one **risk** per waiver, status ``deviation-approved`` for a complete waiver (reason, owner,
  expiry not passed) and ``open`` otherwise, the reason as statement, owner as a property and the
  expiry as ``deadline``.

UUIDs are version-5 UUIDs of stable keys (fingerprints, control keys, scan time and commit), so a
rescan of the same commit at the same ``SOURCE_DATE_EPOCH`` gives the same document.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

NS = "https://github.com/mlgen/mlgen/ns/oscal"
"""Namespace of mlgen's OSCAL properties."""

_UUID_NS = uuid.UUID("6f1c3b52-8f0e-5d7c-9a51-2f8e4d3c1b70")
_TOKEN_BAD = re.compile(r"[^A-Za-z0-9._-]+")


def control_token(framework: str, control_id: str) -> str:
    """An OSCAL token (NCName) for a control: ``hipaa-164.312-b``."""
    return _TOKEN_BAD.sub("-", f"{framework}-{control_id}").strip("-")


def _uuid(*parts: Any) -> str:
    return str(uuid.uuid5(_UUID_NS, "|".join(str(p) for p in parts)))


def _time(meta: Mapping[str, Any]) -> dt.datetime:
    text = str(meta.get("scan_time") or "")
    if text:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def build_oscal(doc: Mapping[str, Any]) -> Any:
    """The trestle ``assessment_results.Model`` for a results document."""
    from trestle.oscal import OSCAL_VERSION, common
    from trestle.oscal import assessment_results as ar

    from mlgen.compliance.catalog.hub import load_hub

    hub = load_hub()
    meta = doc["metadata"]
    when = _time(meta)
    run_key = (meta.get("scan_time"), meta.get("git_commit"), meta.get("answers_digest"), meta.get("project"))

    def prop(name: str, value: Any, remarks: str | None = None) -> Any:
        return common.Property(name=name, value=str(value), ns=NS, remarks=remarks)

    by_check: dict[str, list[Mapping[str, Any]]] = {}
    for f in doc["findings"]:
        by_check.setdefault(f["check_id"], []).append(f)

    observations = []
    obs_uuid: dict[str, str] = {}
    for check_id in sorted(by_check):
        items = by_check[check_id]
        obs_uuid[check_id] = _uuid("observation", *run_key, check_id)
        counts = {s: sum(1 for f in items if f["status"] == s) for s in ("passed", "failed", "skipped")}
        observations.append(
            ar.Observation(
                uuid=obs_uuid[check_id],
                title=check_id,
                description=f"{items[0]['check_name']}: {counts['passed']} passed, {counts['failed']} failed, "
                f"{counts['skipped']} waived.",
                methods=["TEST"],
                types=["finding"],
                props=[prop("check-id", check_id), prop("severity", items[0]["severity"])],
                relevant_evidence=[
                    common.RelevantEvidence(
                        description=f"{f['status']}: {f['resource']} at {f['file']}:{f['line_start']}",
                        props=[prop("fingerprint", f["fingerprint"]), prop("status", f["status"])],
                    )
                    for f in items
                ],
                collected=when,
            )
        )

    risks = []
    risk_uuid: dict[str, str] = {}
    for w in doc["waivers"]:
        risk_uuid[w["fingerprint"]] = _uuid("risk", *run_key, w["fingerprint"])
        deadline = None
        if w["expires"]:
            try:
                deadline = dt.datetime.combine(dt.date.fromisoformat(w["expires"]), dt.time(23, 59, 59), dt.UTC)
            except ValueError:
                deadline = None
        props = [prop("check-id", w["check_id"]), prop("waiver-state", w["state"])]
        if w["owner"]:
            props.append(prop("owner", w["owner"]))
        risks.append(
            common.Risk(
                uuid=risk_uuid[w["fingerprint"]],
                title=f"Waiver of {w['check_id']} on {w['resource']}",
                description=f"{w['check_name']} is suppressed at {w['file']}:{w['line_start']}.",
                statement=w["reason"] or "(no reason given)",
                status=common.RiskStatus("deviation-approved" if w["state"] == "valid" else "open"),
                deadline=deadline,
                props=props,
                related_observations=(
                    [common.RelatedObservation(observation_uuid=obs_uuid[w["check_id"]])]
                    if w["check_id"] in obs_uuid
                    else None
                ),
            )
        )

    findings = []
    selected = []
    for fw in doc["frameworks"]:
        for c in fw["controls"]:
            token = control_token(fw["id"], c["id"])
            selected.append(common.SelectControlById(control_id=token))
            related = hub.nist_for_control(fw["id"], c["id"], c["checks"])
            props = [
                prop("framework", fw["id"]),
                prop("control-id", c["id"]),
                prop("mlgen-status", c["status"]),
            ]
            props += [prop("related-nist-800-53r5", n) for n in related]
            remarks = " ".join(x for x in (c.get("reason"), c.get("evidence") and f"Supply: {c['evidence']}") if x)
            state = "satisfied" if c["status"] == "satisfied" else "not-satisfied"
            reason = {"satisfied": "pass", "failed": "fail"}.get(c["status"], "other")
            obs = [obs_uuid[x] for x in c["checks"] if x in obs_uuid]
            waived = [risk_uuid[fp] for fp in c["waived"] if fp in risk_uuid]
            findings.append(
                common.Finding(
                    uuid=_uuid("finding", *run_key, token),
                    title=f"{fw['label']} {c['id']}",
                    description=c["title"],
                    props=props,
                    target=common.FindingTarget(
                        type=common.FindingTargetTypeValidValues.objective_id,
                        target_id=token,
                        status=common.ObjectiveStatus(
                            state=common.ObjectiveStatusStateValidValues(state),
                            reason=common.Reason(reason),
                            remarks=remarks or None,
                        ),
                    ),
                    related_observations=[common.RelatedObservation(observation_uuid=u) for u in obs] or None,
                    related_risks=[common.AssociatedRisk(risk_uuid=u) for u in waived] or None,
                )
            )

    reviewed = common.ReviewedControls(
        control_selections=(
            [common.ControlSelections(include_controls=selected)]
            if selected
            else [
                common.ControlSelectionsAll(
                    description="No framework selected: no control was judged; the observations stand alone.",
                    include_all=common.IncludeAll(),
                    remarks="mlgen selects no controls when the answers name no compliance framework.",
                )
            ]
        )
    )
    meta_props = [prop("gate-verdict", doc["gate"]["verdict"])]
    for key in ("git_commit", "git_dirty", "mlgen_version", "checkov_version", "terraform_version", "answers_digest"):
        if meta.get(key) is not None:
            meta_props.append(prop(key.replace("_", "-"), meta[key]))
    result = ar.Result(
        uuid=_uuid("result", *run_key),
        title="mlgen static configuration scan",
        description=meta["evidence_statement"],
        start=when,
        end=when,
        props=meta_props,
        reviewed_controls=reviewed,
        observations=observations or None,
        risks=risks or None,
        findings=findings or None,
    )
    model = ar.AssessmentResults(
        uuid=_uuid("assessment-results", *run_key),
        metadata=common.Metadata(
            title=f"mlgen compliance scan of {meta.get('project') or 'the project'}",
            last_modified=when,
            version=str(doc["generator"]["version"]),
            oscal_version=common.OscalVersion(OSCAL_VERSION),
            remarks=meta["evidence_statement"],
        ),
        import_ap=ar.ImportAp(
            href="#mlgen-scan-settings",
            remarks="No separate assessment plan: the plan is mlgen's scan (roots and settings in results.json).",
        ),
        results=[result],
    )
    return ar.Model(assessment_results=model)


def render_oscal(doc: Mapping[str, Any]) -> str:
    """``results.oscal.json``: the OSCAL assessment results as sorted, indented JSON."""
    model = build_oscal(doc)
    data = json.loads(model.model_dump_json(by_alias=True, exclude_none=True))
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
