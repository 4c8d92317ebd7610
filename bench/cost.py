"""Cost benchmark: what every example costs at rest and under load, beside the previous release.

    python bench/cost.py                 # table for the installed/importable mlgen
    python bench/cost.py --record FILE   # write this mlgen's figures to FILE (JSON)

Columns per example: idle, usage, total and budget in USD/month, and idle share (idle / total).
The previous figures come from ``bench/cost_previous.json``, recorded by running this script with
``--record`` against the previous release's code (see that file's ``source``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PREVIOUS = Path(__file__).resolve().parent / "cost_previous.json"


def figures() -> dict[str, dict[str, float]]:
    """Idle, usage, total, budget (USD/month) of every example, from this mlgen's decide()."""
    from mlgen.answers import build_answers, read_answers_file
    from mlgen.decide import decide

    out: dict[str, dict[str, float]] = {}
    for answers_file in sorted(EXAMPLES.glob("*/answers.yml")):
        cost = decide(build_answers(read_answers_file(answers_file))).cost
        out[answers_file.parent.name] = {
            "idle_usd": cost.idle_usd,
            "usage_usd": cost.usage_usd,
            "total_usd": cost.total_usd,
            "budget_usd": cost.budget_usd,
        }
    return out


def _share(row: dict[str, float]) -> str:
    return f"{row['idle_usd'] / row['total_usd']:.0%}" if row["total_usd"] else "-"


def table(now: dict[str, dict[str, float]], previous: dict[str, Any]) -> list[str]:
    """A Markdown table of the current figures beside the previous release's."""
    prev = previous.get("examples", {})
    label = previous.get("release", "previous")
    lines = [
        f"| example | idle | usage | total | budget | idle share | idle ({label}) | total ({label}) "
        f"| idle share ({label}) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in now.items():
        old = prev.get(name)
        old_cols = [f"{old['idle_usd']:,.2f}", f"{old['total_usd']:,.2f}", _share(old)] if old else ["-", "-", "-"]
        lines.append(
            f"| {name} | {row['idle_usd']:,.2f} | {row['usage_usd']:,.2f} | {row['total_usd']:,.2f} "
            f"| {row['budget_usd']:,.2f} | {_share(row)} | " + " | ".join(old_cols) + " |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the table, or record this code's figures with ``--record``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", type=Path, help="write this mlgen's figures to a JSON file and stop")
    args = parser.parse_args(argv)
    now = figures()
    if args.record:
        args.record.write_text(json.dumps({"examples": now}, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return 0
    previous = json.loads(PREVIOUS.read_text(encoding="utf-8")) if PREVIOUS.exists() else {}
    print("\n".join(table(now, previous)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
