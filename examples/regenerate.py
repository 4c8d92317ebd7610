"""Regenerate every example: examples/<name>/answers.yml -> examples/<name>/project/ + gate.yml.

    python examples/regenerate.py [NAME ...]

Runs the full `mlgen new` (terraform validation and the Checkov scan included) without git. What is
committed is what a reviewer should read, not what a tool happens to print:

- ``project/``: the generated tree, **without** ``infra/modules/`` (byte copies of ``modules/aws/``,
  checked as copies by the test instead) and **without** ``docs/compliance/`` (scan output whose
  counts and wording depend on the Checkov version installed);
- ``gate.yml``: the gate verdict, the failed checks (none, for a passing example) and every waived
  check with the resource it waives and its written reason — the part of the scan that mlgen's own
  code decides and a reviewer must approve.

tests/e2e/test_examples.py regenerates each example into a temporary folder and diffs it against
what is committed here.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from mlgen import api
from mlgen.answers import load_answers

EXAMPLES = Path(__file__).resolve().parent
# Parts of a generated project that are not committed as goldens (see the module docstring).
UNCOMMITTED = ("infra/modules", "docs/compliance")


def example_names() -> list[str]:
    return sorted(p.parent.name for p in EXAMPLES.glob("*/answers.yml"))


def generate(name: str, dest: Path) -> api.CheckOutcome | None:
    """Generate one example into ``dest`` (must not exist); returns its validation and scan."""
    answers = load_answers(EXAMPLES / name / "answers.yml")
    return api.new(dest, answers, check=True, use_git=False, echo=lambda line: print(f"  {line}"))


def gate_summary(outcome: api.CheckOutcome) -> dict[str, Any]:
    """The reviewable part of a scan: verdict, failures and waivers (sorted, tool-version free)."""
    findings = list(outcome.scan.findings) if outcome.scan is not None else []
    failed = sorted({(f.check_id, f.resource) for f in findings if f.status == "failed"})
    waived = sorted(
        {(f.check_id, f.resource, (f.suppress_reason or "").strip()) for f in findings if f.status == "skipped"}
    )
    return {
        "verdict": outcome.gate.verdict if outcome.gate is not None else "NOT RUN",
        "failed": [{"check": c, "resource": r} for c, r in failed],
        "waived": [{"check": c, "resource": r, "reason": why} for c, r, why in waived],
    }


def committed_files(project: Path) -> list[Path]:
    """Files of a generated project that belong in the golden (relative paths, sorted)."""
    out = []
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project)
        if not path.is_file() or ".git" in rel.parts:
            continue
        if any(rel.as_posix().startswith(prefix + "/") for prefix in UNCOMMITTED):
            continue
        out.append(rel)
    return out


def write_golden(name: str, fresh: Path, outcome: api.CheckOutcome) -> None:
    """Replace examples/<name>/project and gate.yml with what ``fresh`` holds."""
    target = EXAMPLES / name / "project"
    shutil.rmtree(target, ignore_errors=True)
    for rel in committed_files(fresh):
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(fresh / rel, target / rel)
    (EXAMPLES / name / "gate.yml").write_text(
        yaml.safe_dump(gate_summary(outcome), sort_keys=False, width=1000, allow_unicode=True), encoding="utf-8"
    )


def main(names: list[str]) -> None:
    for name in names or example_names():
        print(f"{name}:")
        with tempfile.TemporaryDirectory(dir=EXAMPLES / name) as tmp:
            fresh = Path(tmp) / "project"
            outcome = generate(name, fresh)
            assert outcome is not None
            write_golden(name, fresh, outcome)


if __name__ == "__main__":
    main(sys.argv[1:])
