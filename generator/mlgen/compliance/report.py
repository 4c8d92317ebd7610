"""Write the compliance reports: Markdown, HTML, JSON, SARIF 2.1.0 and JUnit XML.

Every writer renders the same results document (:func:`build_results`, saved as
``results.json``; its schema is documented in ``SCHEMA.md``), so the formats never disagree.
Output is deterministic apart from the evidence metadata (scan time, commit), which the caller
passes in (``SOURCE_DATE_EPOCH`` pins the time, see :mod:`mlgen.compliance.evidence`); everything
is sorted, so reports can be committed and diffed. ``results.oscal.json`` is the same assessment as
OSCAL assessment results (:mod:`mlgen.compliance.oscal`); ``waivers.json`` and ``waivers.md`` are
the waiver register.

Example:
    >>> write_reports(result, gate, Path("reports"), formats={"md", "html"},
    ...               metadata={"answers_digest": "sha256:..."})  # doctest: +SKIP
    [PosixPath('reports/report.html'), PosixPath('reports/report.md')]
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mlgen.compliance.catalog import SEVERITY_ORDER, load_catalog
from mlgen.compliance.evidence import EVIDENCE_STATEMENT
from mlgen.compliance.gate import CONTROL_STATUSES, FRAMEWORK_LABELS, GateResult
from mlgen.compliance.scan import Finding, ScanResult

SCHEMA_VERSION = "2.0"
"""Version of the ``results.json`` schema (SCHEMA.md). Bump the major part on breaking changes."""

FORMATS: dict[str, str] = {
    "md": "report.md",
    "html": "report.html",
    "json": "results.json",
    "sarif": "results.sarif",
    "junit": "junit.xml",
    "oscal": "results.oscal.json",
}
"""Format name -> file written into the output directory."""

WAIVER_FILES = ("waivers.json", "waivers.md")
"""The waiver register, written with the ``json`` and ``md`` formats respectively."""

RAW_FINDINGS_FILE = "checkov.json"
"""Normalised list of every finding, written alongside ``results.json``."""

SARIF_LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
"""GitHub code scanning reads ``security-severity`` (0-10) to rank alerts."""

_STATUS_TEXT = {
    "satisfied": "satisfied",
    "failed": "failed",
    "waived": "waived",
    "not_applicable": "not applicable",
    "not_assessed": "not assessed",
}
_METADATA_ORDER = (
    "scan_time",
    "git_commit",
    "git_dirty",
    "git_note",
    "mlgen_version",
    "checkov_version",
    "terraform_version",
    "answers_digest",
    "validation",
)
_HIDDEN_METADATA = ("evidence_statement",)


# --------------------------------------------------------------------------------------------
# the results document
# --------------------------------------------------------------------------------------------
def _mlgen_version() -> str:
    from mlgen import __version__

    return __version__


def _finding_doc(f: Finding, gate: GateResult) -> dict[str, Any]:
    return {
        "fingerprint": f.fingerprint,
        "check_id": f.check_id,
        "check_name": f.check_name,
        "status": f.status,
        "severity": gate.severities.get(f.check_id, "medium"),
        "resource": f.resource,
        "resource_type": f.resource_type,
        "file": f.file,
        "line_start": f.line_start,
        "line_end": f.line_end,
        "root": f.root,
        "roots": list(f.roots),
        "suppress_reason": f.suppress_reason,
        "waiver_owner": f.waiver_owner,
        "waiver_expires": f.waiver_expires,
        "details": list(f.details),
        "controls": list(gate.finding_controls.get(f.check_id, ())),
        "guideline": f.guideline,
        "caller_file": f.caller_file,
        "caller_line": f.caller_line,
    }


def _plain(value: Any) -> Any:
    """Metadata values as JSON-safe, deterministically ordered data."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def build_results(result: ScanResult, gate: GateResult, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The results document every report is rendered from (``results.json``).

    Args:
        result: The scan.
        gate: The gate verdict for the same scan.
        metadata: Extra facts to record (``answers_digest``, ``validation``, ...).

    Returns:
        A JSON-ready dict following SCHEMA.md.
    """
    catalog = load_catalog()
    meta = {str(k): _plain(v) for k, v in (metadata or {}).items()}
    meta.setdefault("mlgen_version", _mlgen_version())
    meta["checkov_version"] = result.checkov_version
    meta.setdefault("evidence_statement", EVIDENCE_STATEMENT)
    meta = dict(sorted(meta.items()))

    findings = [_finding_doc(f, gate) for f in result.findings]
    status_counts = Counter(f.status for f in result.findings)
    failed_by_severity: Counter[str] = Counter(gate.severities[f.check_id] for f in result.by_status("failed"))

    frameworks = []
    for fid in gate.frameworks:
        fw = catalog.framework(fid)
        frameworks.append(
            {
                "id": fid,
                "label": FRAMEWORK_LABELS[fid],
                "name": fw.name,
                "version": fw.version,
                "source": fw.source.model_dump(),
                "counts": gate.control_counts(fid),
                "controls": [
                    {
                        "id": c.control_id,
                        "key": c.key,
                        "label": c.label,
                        "title": c.title,
                        "status": c.status,
                        "source": c.source.model_dump(),
                        "checks": list(c.checks),
                        "failed": [f.fingerprint for f in c.failed],
                        "passed": [f.fingerprint for f in c.passed],
                        "waived": [f.fingerprint for f in c.waived],
                        "reason": c.reason,
                        "evidence": c.evidence,
                    }
                    for c in gate.controls[fid]
                ],
            }
        )

    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "mlgen", "version": meta["mlgen_version"]},
        "scanner": {"name": "checkov", "version": result.checkov_version},
        "metadata": meta,
        "scan": {
            "roots": list(result.roots),
            "resource_counts": dict(result.resource_counts),
            "parsing_errors": list(result.parsing_errors),
            "extra_roots": list(result.extra_roots),
            "settings": _plain(result.settings.model_dump()),
        },
        "gate": {
            "verdict": gate.verdict,
            "passed": gate.passed,
            "fail_on": gate.fail_on,
            "frameworks": list(gate.frameworks),
            "failures": [
                {
                    "fingerprint": g.finding.fingerprint,
                    "check_id": g.finding.check_id,
                    "check_name": g.finding.check_name,
                    "resource": g.finding.resource,
                    "file": g.finding.file,
                    "line_start": g.finding.line_start,
                    "line_end": g.finding.line_end,
                    "root": g.finding.root,
                    "severity": g.severity,
                    "controls": list(g.controls),
                    "control_labels": list(g.control_labels),
                    "reasons": list(g.reasons),
                    "details": list(g.finding.details),
                }
                for g in gate.failures
            ],
        },
        "summary": {
            "findings": {
                "total": len(result.findings),
                "passed": status_counts.get("passed", 0),
                "failed": status_counts.get("failed", 0),
                "skipped": status_counts.get("skipped", 0),
            },
            "failed_by_severity": {s: failed_by_severity.get(s, 0) for s in SEVERITY_ORDER},
            "gate_failures": len(gate.failures),
            "controls": {fid: gate.control_counts(fid) for fid in gate.frameworks},
        },
        "frameworks": frameworks,
        "waivers": waiver_register(result),
        "findings": findings,
    }


def waiver_register(result: ScanResult) -> list[dict[str, Any]]:
    """One row per suppressed finding: reason, owner, expiry and whether the waiver is valid.

    ``state`` is ``valid`` or lists what the gate rejects (``no reason``, ``no owner``, ``no expiry``,
    ``expired``, ``bad expiry``), read from the ``MLGEN_WAIVER_*`` findings of the same scan.
    """
    from mlgen.compliance.waivers import WAIVER_EXPIRY_ID, WAIVER_OWNER_ID, WAIVER_REASON_ID

    problems: dict[tuple[str, str, int], list[str]] = {}
    for f in result.by_status("failed"):
        if f.check_id in (WAIVER_REASON_ID, WAIVER_OWNER_ID, WAIVER_EXPIRY_ID):
            problems.setdefault((f.resource, f.file, f.line_start), []).extend(f.details)
    rows = []
    for f in result.by_status("skipped"):
        mine = [d for d in problems.get((f.resource, f.file, f.line_start), []) if d.startswith(f.check_id + " ")]
        states = []
        for text, label in (
            ("without a reason", "no reason"),
            ("without an owner", "no owner"),
            ("without an expiry", "no expiry"),
            ("expired on", "expired"),
            ("not a YYYY-MM-DD", "bad expiry"),
        ):
            if any(text in d for d in mine):
                states.append(label)
        rows.append(
            {
                "fingerprint": f.fingerprint,
                "check_id": f.check_id,
                "check_name": f.check_name,
                "resource": f.resource,
                "file": f.file,
                "line_start": f.line_start,
                "root": f.root,
                "roots": list(f.roots),
                "reason": f.suppress_reason,
                "owner": f.waiver_owner,
                "expires": f.waiver_expires,
                "state": ", ".join(states) or "valid",
            }
        )
    return rows


def render_waivers_markdown(doc: Mapping[str, Any]) -> str:
    """The waiver register as its own Markdown file."""
    out = ["# Waiver register", ""]
    out.append(
        "Every suppressed check, with its reason, owner and expiry. Write a waiver as "
        "`#checkov:skip=<ID>:<reason> [owner=<team or person> expires=<YYYY-MM-DD>]`; the gate "
        "fails on a waiver without reason or owner, and on one without a valid expiry or past it."
    )
    out.append("")
    out += _waiver_table(doc["waivers"])
    out.append("")
    return "\n".join(out)


def _waiver_table(waivers: list[Mapping[str, Any]]) -> list[str]:
    if not waivers:
        return ["No check is suppressed."]
    return _table(
        ["Check", "Resource", "Location", "Reason", "Owner", "Expires", "State"],
        [
            [
                w["check_id"],
                f"`{w['resource']}`",
                _loc(w),
                w["reason"] or "(none given)",
                w["owner"] or "(none)",
                w["expires"] or "(none)",
                w["state"],
            ]
            for w in waivers
        ],
    )


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------
def _md_escape(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _loc(item: Mapping[str, Any]) -> str:
    return f"{item['file']}:{item['line_start']}"


def _table(header: list[str], rows: Iterable[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(doc: Mapping[str, Any]) -> str:
    """Render the results document as Markdown (summary first)."""
    gate = doc["gate"]
    summary = doc["summary"]
    by_fp = {f["fingerprint"]: f for f in doc["findings"]}
    labels = ", ".join(FRAMEWORK_LABELS[f] for f in gate["frameworks"]) or "none selected"
    out: list[str] = ["# mlgen compliance report", "", f"> {doc['metadata']['evidence_statement']}", ""]
    meta = doc["metadata"]
    if "scan_time" in meta:
        dirty = {True: " (uncommitted changes)", False: "", None: ""}[meta.get("git_dirty")]
        where = (
            f"at commit {meta['git_commit']}{dirty}"
            if meta.get("git_commit")
            else f"({meta.get('git_note') or 'no commit'})"
        )
        out += [f"Scanned {meta['scan_time']} {where}.", ""]
    out += ["## Summary", ""]
    out.append(f"**Gate: {gate['verdict']}** - {summary['gate_failures']} finding(s) fail the gate.")
    out.append("")
    out.append(f"- Frameworks: {labels}")
    out.append(f"- Fail on severity: {gate['fail_on'] or 'off (framework mapping only)'}")
    counts = summary["findings"]
    out.append(
        f"- Findings: {counts['total']} total, {counts['passed']} passed, "
        f"{counts['failed']} failed, {counts['skipped']} suppressed"
    )
    sev = summary["failed_by_severity"]
    out.append("- Failed by severity: " + ", ".join(f"{k} {v}" for k, v in sev.items()))
    out.append("")
    if doc["frameworks"]:
        out += _table(
            ["Framework", *(_STATUS_TEXT[s].capitalize() for s in CONTROL_STATUSES)],
            [
                [f"{fw['label']} ({fw['version']})", *(fw["counts"][s] for s in CONTROL_STATUSES)]
                for fw in doc["frameworks"]
            ],
        )
        out.append("")
    if gate["failures"]:
        out += ["### Findings that fail the gate", ""]
        out += _table(
            ["Severity", "Check", "Resource", "Location", "Controls", "Why"],
            [
                [
                    g["severity"],
                    g["check_id"],
                    f"`{g['resource']}`",
                    _loc(g),
                    ", ".join(g["control_labels"]) or "-",
                    "; ".join(g["reasons"]),
                ]
                for g in gate["failures"]
            ],
        )
        out.append("")

    for fw in doc["frameworks"]:
        out += [f"## {fw['label']} - {fw['name']}", ""]
        src = fw["source"]
        out.append(
            f"Source: [{src['document']}]({src['url']}), {src['section']} "
            f"(accessed {src['accessed']}). Control titles are mlgen's summaries."
        )
        out.append("")
        out += _table(
            ["Control", "Title", "Status", "Failed", "Passed", "Waived"],
            [
                [
                    c["id"],
                    c["title"],
                    _STATUS_TEXT[c["status"]],
                    len(c["failed"]),
                    len(c["passed"]),
                    len(c["waived"]),
                ]
                for c in fw["controls"]
            ],
        )
        out.append("")
        for c in fw["controls"]:
            out.append(f"### {fw['label']} {c['id']} - {_STATUS_TEXT[c['status']].upper()}")
            out.append("")
            out.append(
                f"{c['title']}. Source: [{c['source']['document']} {c['source']['section']}]"
                f"({c['source']['url']}), accessed {c['source']['accessed']}."
            )
            out.append("")
            if c["checks"]:
                out.append("Checks: " + ", ".join(f"`{x}`" for x in c["checks"]))
                out.append("")
            for fp in c["failed"]:
                f = by_fp[fp]
                detail = f" - {'; '.join(f['details'])}" if f["details"] else ""
                out.append(f"- FAILED [{f['severity']}] `{f['check_id']}` `{f['resource']}` at {_loc(f)}{detail}")
            for fp in c["waived"]:
                f = by_fp[fp]
                out.append(
                    f"- WAIVED `{f['check_id']}` `{f['resource']}` at {_loc(f)} - reason: "
                    f"{f['suppress_reason'] or '(none given)'}"
                )
            passed: dict[str, list[str]] = {}
            for fp in c["passed"]:
                f = by_fp[fp]
                passed.setdefault(f["check_id"], []).append(f"`{f['resource']}` ({_loc(f)})")
            for check, items in passed.items():
                out.append(f"- passed `{check}` ({len(items)}): " + ", ".join(items))
            if c.get("reason"):
                out.append(f"- {_STATUS_TEXT[c['status']]}: {c['reason']}")
            if c.get("evidence"):
                out.append(f"- evidence the team must supply: {c['evidence']}")
            out.append("")

    out += ["## Waivers", "", "The register is also written on its own to `waivers.md` and `waivers.json`.", ""]
    out += _waiver_table(doc["waivers"])
    out.append("")

    gating = {g["fingerprint"] for g in gate["failures"]}
    others = [f for f in doc["findings"] if f["status"] == "failed" and f["fingerprint"] not in gating]
    out += ["## Other failed checks", ""]
    if others:
        out.append("Failed, but neither mapped to a selected framework nor at the fail-on severity.")
        out.append("")
        out += _table(
            ["Severity", "Check", "Resource", "Location", "Name"],
            [[f["severity"], f["check_id"], f"`{f['resource']}`", _loc(f), f["check_name"]] for f in others],
        )
    else:
        out.append("None.")
    out.append("")

    out += ["## Scan metadata", ""]
    for key in _metadata_keys(meta):
        value = meta[key]
        if isinstance(value, (list, dict)):
            value = json.dumps(value, sort_keys=True)
        out.append(f"- {key.replace('_', ' ')}: {value}")
    scan = doc["scan"]
    out.append(
        "- roots scanned: " + ", ".join(f"`{r}` ({scan['resource_counts'].get(r, 0)} resources)" for r in scan["roots"])
    )
    settings = scan["settings"]
    out.append(
        f"- settings: allowed regions {', '.join(settings['allowed_regions']) or 'any'}; "
        f"allowed instance types {', '.join(settings['allowed_instance_types']) or 'any'}; "
        f"network isolation {settings['network_isolation']}; stage {settings['stage']}"
    )
    out.append(
        "- parsing errors (each fails the gate): "
        + (", ".join(scan["parsing_errors"]) if scan["parsing_errors"] else "none")
    )
    out.append(
        "- Terraform outside the known roots, scanned as extra roots: "
        + (", ".join(f"`{r}`" for r in scan["extra_roots"]) if scan["extra_roots"] else "none")
    )
    out.append(f"- results schema version: {doc['schema_version']}")
    out.append("")
    return "\n".join(out)


def _metadata_keys(meta: Mapping[str, Any]) -> list[str]:
    known = [k for k in _METADATA_ORDER if k in meta]
    return known + sorted(set(meta) - set(_METADATA_ORDER) - set(_HIDDEN_METADATA))


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------
def render_html(doc: Mapping[str, Any]) -> str:
    """Render the results document as one self-contained HTML page (inline CSS, no assets)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    gating = {g["fingerprint"] for g in doc["gate"]["failures"]}
    meta = doc["metadata"]
    meta_items = [
        (
            key.replace("_", " "),
            meta[key] if isinstance(meta[key], str) else json.dumps(meta[key], sort_keys=True),
        )
        for key in _metadata_keys(meta)
    ]
    return env.get_template("report.html.j2").render(
        doc=doc,
        by_fp={f["fingerprint"]: f for f in doc["findings"]},
        others=[f for f in doc["findings"] if f["status"] == "failed" and f["fingerprint"] not in gating],
        meta_items=meta_items,
        status_text=_STATUS_TEXT,
        statuses=CONTROL_STATUSES,
        framework_labels=FRAMEWORK_LABELS,
    )


# --------------------------------------------------------------------------------------------
# SARIF 2.1.0
# --------------------------------------------------------------------------------------------
def render_sarif(doc: Mapping[str, Any]) -> dict[str, Any]:
    """SARIF 2.1.0 for GitHub code scanning: failed findings, plus suppressed ones marked so."""
    findings = [f for f in doc["findings"] if f["status"] in ("failed", "skipped")]
    gating = {g["fingerprint"] for g in doc["gate"]["failures"]}
    rule_ids = sorted({f["check_id"] for f in findings})
    by_rule = {f["check_id"]: f for f in reversed(findings)}
    rules = []
    for rule_id in rule_ids:
        sample = by_rule[rule_id]
        controls = sample["controls"]
        text = sample["check_name"]
        help_md = f"**{rule_id}** - {text}\n\nSeverity (mlgen): {sample['severity']}."
        if controls:
            help_md += "\n\nControls: " + ", ".join(controls)
        rule: dict[str, Any] = {
            "id": rule_id,
            "name": rule_id,
            "shortDescription": {"text": text},
            "fullDescription": {"text": text},
            "help": {"text": help_md.replace("**", ""), "markdown": help_md},
            "defaultConfiguration": {"level": SARIF_LEVELS[sample["severity"]]},
            "properties": {
                "tags": ["security", "compliance", *controls],
                "security-severity": SECURITY_SEVERITY[sample["severity"]],
                "precision": "high",
            },
        }
        if sample["guideline"]:
            rule["helpUri"] = sample["guideline"]
        rules.append(rule)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    results = []
    for f in findings:
        message = f"{f['check_name']}: {f['resource']}"
        if f["details"]:
            message += " - " + "; ".join(f["details"])
        if f["controls"]:
            message += " (controls: " + ", ".join(f["controls"]) + ")"
        start = max(1, int(f["line_start"] or 1))
        entry: dict[str, Any] = {
            "ruleId": f["check_id"],
            "ruleIndex": index[f["check_id"]],
            "level": SARIF_LEVELS[f["severity"]],
            "message": {"text": message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f["file"]},
                        "region": {
                            "startLine": start,
                            "endLine": max(start, int(f["line_end"] or start)),
                        },
                    },
                    "logicalLocations": [{"name": f["resource"], "kind": "resource"}],
                }
            ],
            "partialFingerprints": {"mlgenFinding/v1": f["fingerprint"]},
            "properties": {
                "severity": f["severity"],
                "root": f["root"],
                "gateFailure": f["fingerprint"] in gating,
            },
        }
        if f["status"] == "skipped":
            entry["suppressions"] = [{"kind": "inSource", "justification": f["suppress_reason"] or ""}]
        results.append(entry)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlgen",
                        "version": doc["generator"]["version"],
                        "rules": rules,
                    }
                },
                "columnKind": "utf16CodeUnits",
                "results": results,
                "properties": {
                    "gate": doc["gate"]["verdict"],
                    "checkovVersion": doc["scanner"]["version"],
                    "frameworks": doc["gate"]["frameworks"],
                },
            }
        ],
    }


# --------------------------------------------------------------------------------------------
# JUnit XML
# --------------------------------------------------------------------------------------------
def render_junit(doc: Mapping[str, Any]) -> str:
    """JUnit XML: one testsuite per root, one testcase per check and resource."""
    gating = {g["fingerprint"]: g for g in doc["gate"]["failures"]}
    by_root: dict[str, list[Mapping[str, Any]]] = {}
    for f in doc["findings"]:
        by_root.setdefault(f["root"], []).append(f)
    total = Counter(f["status"] for f in doc["findings"])
    suites = ET.Element(
        "testsuites",
        {
            "name": "mlgen compliance",
            "tests": str(len(doc["findings"])),
            "failures": str(total.get("failed", 0)),
            "errors": "0",
            "skipped": str(total.get("skipped", 0)),
        },
    )
    for root in sorted(by_root):
        items = by_root[root]
        counts = Counter(f["status"] for f in items)
        suite = ET.SubElement(
            suites,
            "testsuite",
            {
                "name": root,
                "tests": str(len(items)),
                "failures": str(counts.get("failed", 0)),
                "errors": "0",
                "skipped": str(counts.get("skipped", 0)),
            },
        )
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", {"name": "gate", "value": doc["gate"]["verdict"]})
        ET.SubElement(props, "property", {"name": "checkov", "value": doc["scanner"]["version"]})
        for f in items:
            case = ET.SubElement(
                suite,
                "testcase",
                {
                    "classname": f"{root}.{f['check_id']}",
                    "name": f"{f['check_id']} {f['resource']}",
                    "file": f["file"],
                    "line": str(f["line_start"]),
                },
            )
            if f["status"] == "failed":
                gate = gating.get(f["fingerprint"])
                lines = [
                    f"{f['check_name']}",
                    f"resource: {f['resource']}",
                    f"location: {f['file']}:{f['line_start']}-{f['line_end']}",
                    f"severity: {f['severity']}",
                    "controls: " + (", ".join(f["controls"]) or "-"),
                    "gate: " + ("; ".join(gate["reasons"]) if gate else "does not fail the gate"),
                    *f["details"],
                ]
                failure = ET.SubElement(
                    case,
                    "failure",
                    {
                        "message": f"{f['check_id']} failed on {f['resource']}",
                        "type": f["severity"],
                    },
                )
                failure.text = "\n".join(lines)
            elif f["status"] == "skipped":
                ET.SubElement(
                    case,
                    "skipped",
                    {"message": f["suppress_reason"] or "suppressed without a reason"},
                )
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


# --------------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------------
def write_reports(
    result: ScanResult,
    gate: GateResult,
    out_dir: Path,
    *,
    formats: set[str],
    metadata: dict[str, Any],
) -> list[Path]:
    """Write the requested reports into ``out_dir``.

    Args:
        result: The scan.
        gate: The gate verdict for the same scan.
        out_dir: Directory to write into (created if needed).
        formats: Any of ``md``, ``html``, ``json``, ``sarif``, ``junit``. ``json`` also writes
            ``checkov.json``, the normalised list of all findings.
        metadata: Facts recorded in every report: ``mlgen_version`` (defaults to the installed
            one), ``answers_digest``, ``validation`` (e.g. "terraform validate: not run
            (terraform not on PATH)") and anything else worth keeping.

    Returns:
        The written files, sorted.

    Raises:
        ValueError: an unknown format was requested.
    """
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown report format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = build_results(result, gate, metadata)
    written: list[Path] = []

    def write(name: str, text: str) -> None:
        path = out_dir / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)

    if "md" in formats:
        write(FORMATS["md"], render_markdown(doc))
        write(WAIVER_FILES[1], render_waivers_markdown(doc))
    if "html" in formats:
        write(FORMATS["html"], render_html(doc))
    if "json" in formats:
        write(FORMATS["json"], json.dumps(doc, indent=2, sort_keys=True) + "\n")
        write(RAW_FINDINGS_FILE, json.dumps(doc["findings"], indent=2, sort_keys=True) + "\n")
        write(WAIVER_FILES[0], json.dumps(doc["waivers"], indent=2, sort_keys=True) + "\n")
    if "sarif" in formats:
        write(FORMATS["sarif"], json.dumps(render_sarif(doc), indent=2, sort_keys=True) + "\n")
    if "junit" in formats:
        write(FORMATS["junit"], render_junit(doc))
    if "oscal" in formats:
        from mlgen.compliance.oscal import render_oscal

        write(FORMATS["oscal"], render_oscal(doc))
    return sorted(written)
