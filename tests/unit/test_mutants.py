"""The three mutants of decide.py that once survived the fast suite are killed by tests/unit.

Runs tools/mutate.py (a temp copy of generator/ with one mutation each, pytest in a subprocess, ``-x``),
on the decide tests, which is where the killing tests live; tools/mutate.py without arguments runs the
whole list over all of tests/unit.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _mutate_module():
    spec = importlib.util.spec_from_file_location("mlgen_tools_mutate", ROOT / "tools" / "mutate.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_surviving_mutants_are_killed() -> None:
    mutate = _mutate_module()
    tests = [str(p) for p in sorted((ROOT / "tests" / "unit").glob("test_decide*.py"))]
    by_name = {m[0]: m for m in mutate.MUTATIONS}
    results = {
        name: mutate.run_mutant(*by_name[name], tests, timeout=120)
        for name in ("budget-equal", "max-run-1.0", "flow-log-unrounded")
    }
    assert {name: r[0] for name, r in results.items()} == dict.fromkeys(results, "killed"), results
