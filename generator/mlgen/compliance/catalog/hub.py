"""The hub mapping: check id -> NIST SP 800-53 rev 5, and frameworks derived from it.

Sources, in ``hub.yaml`` and ``../data/``:

* ``hub.yaml`` - one row per Checkov or mlgen check. A row names an AWS Security Hub control of
  the same intent (``securityhub``) whose NIST SP 800-53 r5 "Related requirements" AWS publishes
  (``data/securityhub_controls.json``, with document, commit and date), or is mlgen's own judgment
  (``judgment.nist`` and ``rationale``), listed for review.
* ``data/prowler/*.json`` - Prowler 5.46.0's compliance files (Apache-2.0, see its NOTICE):
  Security Hub control -> Prowler checks (``securityhub_fsbp``), NIST r5 -> Prowler checks, and
  HIPAA / SOC 2 / GDPR / PCI DSS 4.0 / ISO 27001:2022 -> Prowler checks.

The crosswalk NIST r5 -> framework control is derived from Prowler: a NIST control and a framework
control correspond when Prowler assigns them a common Prowler check. It is an empirical crosswalk,
not a published one (NIST SP 800-66r2 for HIPAA, AICPA's TSC mapping for SOC 2 and NIST OLIR for
ISO 27001 are the authoritative routes and should replace it); ``review/`` lists where it and the
per-framework catalog disagree. The per-framework catalog (``<framework>.yaml``) stays the mapping
the gate uses; nothing here changes a verdict.

Run ``python -m mlgen.compliance.catalog.hub`` to rewrite the review files after changing a
mapping; ``tests/compliance/test_hub.py`` fails while they are stale.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
REVIEW = HERE / "review"
FRAMEWORK_FILES = {"hipaa": "hipaa", "soc2": "soc2", "gdpr": "gdpr", "pci_dss": "pci_dss", "iso27001": "iso27001"}


class Judgment(BaseModel):
    """A hub row that is mlgen's own judgment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nist: tuple[str, ...] = Field(min_length=1)
    rationale: str = Field(min_length=10)


class HubRow(BaseModel):
    """One check and the NIST SP 800-53 r5 controls it gives evidence for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    check: str
    name: str = ""
    securityhub: str | None = Field(default=None, description="Security Hub control of the same intent.")
    rationale: str | None = None
    judgment: Judgment | None = None

    @model_validator(mode="after")
    def _one_source(self) -> HubRow:
        if bool(self.securityhub) == bool(self.judgment):
            raise ValueError(f"{self.check}: give either `securityhub` (with `rationale`) or `judgment`, not both")
        if self.securityhub and not (self.rationale or "").strip():
            raise ValueError(f"{self.check}: a `securityhub` row needs a `rationale` for the equivalence")
        return self


def nist_token(control: str) -> str:
    """``AC-3(7)`` / ``ac_3_7`` -> ``ac_3_7`` (Prowler's spelling), for comparisons."""
    return re.sub(r"[^a-z0-9]+", "_", control.lower()).strip("_")


def framework_token(framework: str, control: str) -> str:
    """A framework control id in a spelling shared by mlgen's catalog and Prowler.

    HIPAA ``164.308(a)(1)(ii)(D)`` -> ``164_308_a_1_ii_d``; SOC 2 ``CC6.1`` -> ``cc_6_1``; GDPR
    ``Art. 5(1)(e)`` -> ``article_5`` (article level); PCI DSS ``1.2.5.1`` -> ``1.2`` (requirement
    level, as mlgen maps); ISO 27001 ``A.5.9`` / ``5.9`` -> ``5.9``.
    """
    text = control.strip().lower()
    if framework == "hipaa":
        return re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if framework == "soc2":
        return re.sub(r"[^a-z0-9]+", "_", re.sub(r"^cc(\d)", r"cc_\1", text)).strip("_")
    if framework == "gdpr":
        match = re.search(r"(\d+)", text)
        return f"article_{match.group(1)}" if match else text
    if framework == "pci_dss":
        return ".".join(text.split(".")[:2])
    if framework == "iso27001":
        return text.removeprefix("a.")
    raise ValueError(f"unknown framework {framework!r}")


class Hub(BaseModel):
    """The hub rows plus the source data they are read against."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rows: dict[str, HubRow]
    securityhub: dict[str, dict[str, object]]
    securityhub_source: dict[str, str]
    prowler: dict[str, dict[str, tuple[str, ...]]] = Field(description="framework -> requirement -> Prowler checks")

    def row(self, check: str) -> HubRow | None:
        """The hub row of ``check``."""
        return self.rows.get(check)

    def nist_for_check(self, check: str) -> tuple[str, ...]:
        """NIST SP 800-53 r5 controls of a check (empty when the hub has no row)."""
        row = self.rows.get(check)
        if row is None:
            return ()
        if row.judgment is not None:
            return row.judgment.nist
        return tuple(self.securityhub[str(row.securityhub)]["nist_800_53_r5"])  # type: ignore[arg-type]

    def nist_for_control(self, framework: str, control: str, checks: Iterable[str]) -> list[str]:
        """NIST controls related to a framework control: those of its mapped checks, sorted."""
        del framework, control
        return sorted({n for c in checks for n in self.nist_for_check(c)})

    def prowler_twins(self, check: str) -> tuple[str, ...]:
        """Prowler checks of the Security Hub control a check is equivalent to."""
        row = self.rows.get(check)
        if row is None or row.securityhub is None:
            return ()
        return self.prowler["securityhub_fsbp"].get(row.securityhub, ())

    def crosswalk(self, framework: str) -> dict[str, set[str]]:
        """NIST token -> framework control tokens that share a Prowler check (derived, see module doc)."""
        by_check: dict[str, set[str]] = {}
        for req, checks in self.prowler[framework].items():
            for c in checks:
                by_check.setdefault(c, set()).add(framework_token(framework, req))
        out: dict[str, set[str]] = {}
        for req, checks in self.prowler["nist_800_53_r5"].items():
            for c in checks:
                out.setdefault(nist_token(req), set()).update(by_check.get(c, set()))
        return out

    def derived(self, check: str, framework: str) -> set[str]:
        """Framework control tokens a check reaches through its NIST controls and the crosswalk."""
        walk = self.crosswalk(framework)
        return {t for n in self.nist_for_check(check) for t in walk.get(nist_token(n), set())}

    def derived_mapping(self, framework: str, control_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Framework control id -> hub checks whose NIST controls reach it through the crosswalk.

        The check -> control lists the gate would use if it mapped through the hub (one mechanism:
        hub row -> NIST r5 -> crosswalk); controls no check reaches map to ``()``. Not wired into the
        gate yet: the Prowler-derived crosswalk is many-to-many (see docs/compliance.md, "The mapping").
        """
        ids = list(control_ids)
        tokens = {cid: framework_token(framework, cid) for cid in ids}
        reach = {check: self.derived(check, framework) for check in self.rows}
        return {cid: tuple(sorted(c for c, toks in reach.items() if tokens[cid] in toks)) for cid in ids}

    def prowler_controls(self, check: str, framework: str) -> set[str]:
        """Framework control tokens Prowler assigns to the Prowler twins of a check."""
        twins = set(self.prowler_twins(check))
        return {
            framework_token(framework, req) for req, checks in self.prowler[framework].items() if twins & set(checks)
        }


@lru_cache(maxsize=1)
def load_hub() -> Hub:
    """Load and validate ``hub.yaml`` against the vendored source data (cached)."""
    data = yaml.safe_load((HERE / "hub.yaml").read_text(encoding="utf-8"))
    rows = [HubRow(**r) for r in data["rows"]]
    seen: dict[str, HubRow] = {}
    for r in rows:
        if r.check in seen:
            raise ValueError(f"hub.yaml: {r.check} appears twice")
        seen[r.check] = r
    sh = json.loads((DATA / "securityhub_controls.json").read_text(encoding="utf-8"))
    for r in rows:
        if r.securityhub and not (sh["controls"].get(r.securityhub) or {}).get("nist_800_53_r5"):
            raise ValueError(f"hub.yaml: {r.check}: Security Hub control {r.securityhub} has no NIST r5 ids")
    prowler: dict[str, dict[str, tuple[str, ...]]] = {}
    for name in (*FRAMEWORK_FILES, "nist_800_53_r5", "securityhub_fsbp"):
        doc = json.loads((DATA / "prowler" / f"{name}.json").read_text(encoding="utf-8"))
        prowler[name] = {req["id"]: tuple(req["checks"]) for req in doc["requirements"]}
    return Hub(rows=seen, securityhub=sh["controls"], securityhub_source=sh["source"], prowler=prowler)


# --------------------------------------------------------------------------------------------
# review files
# --------------------------------------------------------------------------------------------
def _catalog_pairs(framework: str) -> dict[str, set[str]]:
    from mlgen.compliance.catalog import load_catalog

    out: dict[str, set[str]] = {}
    for control in load_catalog().framework(framework).controls:
        for check in control.checks:
            out.setdefault(check, set()).add(framework_token(framework, control.id))
    return out


def render_disagreements(hub: Hub | None = None) -> str:
    """Per framework and check: catalog controls the hub does not derive, and the reverse."""
    from mlgen.compliance.catalog import load_catalog

    hub = hub or load_hub()
    lines = [
        "# Hub-derived mapping vs the per-framework catalog",
        "",
        "Generated by `python -m mlgen.compliance.catalog.hub`; do not edit by hand. For every check the",
        "catalog maps, `catalog only` are controls the catalog names but the hub (check -> NIST SP 800-53 r5",
        "-> Prowler-derived crosswalk) does not reach; `hub only` are controls the hub reaches that the",
        "catalog does not name (limited to controls the catalog has). Nothing here is resolved",
        "automatically: review each line, then change the catalog, the hub row or the crosswalk source.",
        "Control ids are in the shared spelling of `framework_token` (PCI DSS at requirement level, GDPR",
        "at article level).",
        "",
    ]
    for fid in FRAMEWORK_FILES:
        own = {framework_token(fid, c.id) for c in load_catalog().framework(fid).controls}
        pairs = _catalog_pairs(fid)
        rows = []
        for check in sorted(pairs):
            derived = hub.derived(check, fid) & own
            ours = pairs[check]
            only_ours, only_hub = sorted(ours - derived), sorted(derived - ours)
            if only_ours or only_hub:
                rows.append(f"| {check} | {', '.join(only_ours) or '-'} | {', '.join(only_hub) or '-'} |")
        lines += [f"## {fid}", "", f"{len(rows)} of {len(pairs)} mapped checks disagree.", ""]
        if rows:
            lines += ["| check | catalog only | hub only |", "|---|---|---|", *rows]
        lines.append("")
    return "\n".join(lines)


def render_prowler_crosscheck(hub: Hub | None = None) -> str:
    """Checks with a Prowler twin: catalog controls vs Prowler's controls for the twin."""
    from mlgen.compliance.catalog import load_catalog

    hub = hub or load_hub()
    lines = [
        "# Cross-check against Prowler 5.46.0's compliance files",
        "",
        "Generated by `python -m mlgen.compliance.catalog.hub`; do not edit by hand. A Checkov check has a",
        "Prowler twin when its hub row names a Security Hub control and Prowler's",
        "`aws_foundational_security_best_practices_aws.json` lists Prowler checks for that control. For",
        "each twin, `catalog only` are controls mlgen maps that Prowler does not give the twin, `prowler",
        "only` the reverse (limited to controls mlgen's catalog has). Status `to review` means nobody has",
        "yet decided whether to change the catalog or record why it differs; reasons recorded in",
        "`prowler_reasons.yaml` appear instead.",
        "",
    ]
    reasons_path = REVIEW / "prowler_reasons.yaml"
    reasons: dict[str, str] = {}
    if reasons_path.is_file():
        reasons = dict(yaml.safe_load(reasons_path.read_text(encoding="utf-8")) or {})
    for fid in FRAMEWORK_FILES:
        own = {framework_token(fid, c.id) for c in load_catalog().framework(fid).controls}
        pairs = _catalog_pairs(fid)
        rows = []
        agree = 0
        twins = 0
        for check in sorted(pairs):
            if not hub.prowler_twins(check):
                continue
            twins += 1
            theirs = hub.prowler_controls(check, fid) & own
            ours = pairs[check]
            only_ours, only_theirs = sorted(ours - theirs), sorted(theirs - ours)
            if not (only_ours or only_theirs):
                agree += 1
                continue
            key = f"{fid}:{check}"
            rows.append(
                f"| {check} | {', '.join(hub.prowler_twins(check))} | {', '.join(only_ours) or '-'} | "
                f"{', '.join(only_theirs) or '-'} | {reasons.get(key, 'to review')} |"
            )
        lines += [f"## {fid}", "", f"{twins} mapped checks have a Prowler twin; {agree} agree, {len(rows)} differ.", ""]
        if rows:
            lines += ["| check | Prowler twin | catalog only | prowler only | status |", "|---|---|---|---|---|", *rows]
        lines.append("")
    return "\n".join(lines)


def render_judgment_rows(hub: Hub | None = None) -> str:
    """Hub rows that are mlgen's own judgment, for review."""
    hub = hub or load_hub()
    rows = [r for r in hub.rows.values() if r.judgment is not None]
    lines = [
        "# Hub rows that are mlgen's own judgment",
        "",
        "Generated by `python -m mlgen.compliance.catalog.hub`. No AWS-authored control of the same intent",
        f"was found for these {len(rows)} checks (of {len(hub.rows)}); their NIST SP 800-53 r5 ids are",
        "mlgen's choice. Replace a row with a `securityhub` equivalence when one exists, or confirm it.",
        "",
        "| check | title | NIST 800-53 r5 | rationale |",
        "|---|---|---|---|",
    ]
    for r in sorted(rows, key=lambda x: x.check):
        assert r.judgment is not None
        lines.append(f"| {r.check} | {r.name or '-'} | {', '.join(r.judgment.nist)} | {r.judgment.rationale} |")
    lines.append("")
    return "\n".join(lines)


REVIEW_FILES = {
    "disagreements.md": render_disagreements,
    "prowler_crosscheck.md": render_prowler_crosscheck,
    "hub_judgment.md": render_judgment_rows,
}


def main(argv: list[str] | None = None) -> int:
    """Rewrite the review files (``--check``: only report whether they are current)."""
    args = sys.argv[1:] if argv is None else argv
    REVIEW.mkdir(exist_ok=True)
    stale = []
    for name, render in REVIEW_FILES.items():
        text = render()
        path = REVIEW / name
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if "--check" not in args:
            path.write_text(text, encoding="utf-8")
    print(("stale: " if "--check" in args else "wrote: ") + (", ".join(stale) or "nothing"))
    return 1 if stale and "--check" in args else 0


if __name__ == "__main__":
    raise SystemExit(main())
