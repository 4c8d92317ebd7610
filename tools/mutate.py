"""Mutation check for decide.py: apply each listed mutation to a temporary copy and run the unit tests.

A benchmark-style script, not a timed test: it prints a table of which mutations the tests kill.

    PYTHONPATH=generator python tools/mutate.py              # every mutation in MUTATIONS
    PYTHONPATH=generator python tools/mutate.py budget-equal # only the named ones
    python tools/mutate.py --tests tests/unit/test_decide.py --list

Each mutation is (name, original text, mutated text); the original must occur exactly once in decide.py so
a refactor that moves the code makes the script fail loudly instead of silently testing nothing. The copy
lives in a temporary directory (generator/ copied whole) and the tests run in a subprocess with PYTHONPATH
pointing at it, with ``-x`` so a killed mutant stops at the first failure. Exit status 1 if any survived.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DECIDE = Path("mlgen") / "decide.py"

MUTATIONS: list[tuple[str, str, str]] = [
    # The three that survived the fast suite (issue #11 item 6).
    (
        "budget-equal",
        "share = totals[env.name] / grand if grand > 0 else 1 / len(totals)",
        "share = 1 / len(totals)",
    ),
    ("max-run-1.0", "math.ceil(t.hours_per_job * 3600 * 1.5)", "math.ceil(t.hours_per_job * 3600 * 1.0)"),
    (
        "flow-log-unrounded",
        '"flow_log_retention_days": log_retention(c.audit_retention_days)',
        '"flow_log_retention_days": c.audit_retention_days',
    ),
    # Their kind: other factors and constants that reach a generated file.
    ("max-wait-2", "math.ceil(t.hours_per_job * 3600 * 3)", "math.ceil(t.hours_per_job * 3600 * 2)"),
    (
        "audit-unrounded",
        '"retention_days": log_retention(c.audit_retention_days)',
        '"retention_days": c.audit_retention_days',
    ),
    (
        "budget-floor-0",
        "limit = max(1.0, round(a.budget.monthly_usd * share, 0))",
        "limit = round(a.budget.monthly_usd * share, 0)",
    ),
    ("retention-round-down", "if r >= days), CLOUDWATCH_RETENTION[-1])", "if r > days), CLOUDWATCH_RETENTION[-1])"),
    ("data-capture-20", "DATA_CAPTURE_PERCENT = 10", "DATA_CAPTURE_PERCENT = 20"),
    ("data-capture-days-30", "DATA_CAPTURE_DAYS = 90", "DATA_CAPTURE_DAYS = 30"),
    ("checkpoint-days-30", "CHECKPOINT_NONCURRENT_DAYS = 7", "CHECKPOINT_NONCURRENT_DAYS = 30"),
    ("per-az-nat-budget-500", "PER_AZ_NAT_MIN_BUDGET = 5000", "PER_AZ_NAT_MIN_BUDGET = 500"),
    ("cost-tags-one", 'COST_ALLOCATION_TAGS = ("environment", "project")', 'COST_ALLOCATION_TAGS = ("environment",)'),
]


def default_tests() -> list[str]:
    """tests/unit, the decide tests first so that with -x a killed mutant stops early."""
    files = sorted((ROOT / "tests" / "unit").glob("test_*.py"))
    files.sort(key=lambda f: (not f.name.startswith("test_decide"), f.name))
    return [str(f) for f in files]


def run_mutant(name: str, old: str, new: str, tests: list[str], timeout: float = 600) -> tuple[str, float, str]:
    """Return (``killed``/``survived``/``timeout``, seconds, last output line) for one mutation.

    An empty ``old`` runs the unmutated copy (the baseline, which must pass)."""
    with tempfile.TemporaryDirectory(prefix=f"mlgen-mutant-{name}-") as tmp:
        gen = Path(tmp) / "generator"
        shutil.copytree(ROOT / "generator", gen, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for entry in ROOT.iterdir():  # modules/, templates/ ...: found next to generator/, read only
            if entry.name not in ("generator", ".git"):
                (Path(tmp) / entry.name).symlink_to(entry)
        path = gen / DECIDE
        text = path.read_text(encoding="utf-8")
        if old and text.count(old) != 1:
            raise SystemExit(f"mutation {name}: original text occurs {text.count(old)} times in decide.py, want 1")
        path.write_text(text.replace(old, new), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(gen), "PYTHONDONTWRITEBYTECODE": "1"}
        cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-n", "0", *tests]
        start = time.monotonic()
        try:
            proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return "timeout", time.monotonic() - start, ""
        lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
        status = "survived" if proc.returncode == 0 else "killed"
        if proc.returncode not in (0, 1):
            status = f"error({proc.returncode})"
        return status, time.monotonic() - start, lines[-1] if lines else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--tests", nargs="+", help="test paths (default: tests/unit, decide tests first)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run that must pass")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.names or m[0] in args.names]
    unknown = set(args.names) - {m[0] for m in MUTATIONS}
    if unknown:
        parser.error(f"unknown mutation(s): {', '.join(sorted(unknown))}")
    if args.list:
        for name, old, new in chosen:
            print(f"{name}: {old!r} -> {new!r}")
        return 0
    tests = args.tests or default_tests()
    survived = 0
    print(f"{'mutation':<24} {'result':<10} {'seconds':>7}  last line")
    if not args.no_baseline:
        status, secs, last = run_mutant("baseline", "", "", tests)
        print(f"{'(baseline)':<24} {'passed' if status == 'survived' else status:<10} {secs:7.1f}  {last}", flush=True)
        if status != "survived":
            print("the unmutated copy fails: fix that first")
            return 2
    for name, old, new in chosen:
        status, secs, last = run_mutant(name, old, new, tests)
        survived += status != "killed"
        print(f"{name:<24} {status:<10} {secs:7.1f}  {last}", flush=True)
    print(f"{len(chosen) - survived}/{len(chosen)} killed")
    return 1 if survived else 0


if __name__ == "__main__":
    raise SystemExit(main())
