"""Recompute tests/apply/subset.yaml: the fewest roots whose cycles cover every resource type.

    PYTHONPATH=generator python tests/apply/make_subset.py            # print
    PYTHONPATH=generator python tests/apply/make_subset.py --write    # rewrite subset.yaml

Every example is rendered, every root planned offline under ``mock_provider`` (no emulator, about
5-10 s a root), and a greedy set cover picks the roots. ``test_subset.py`` checks the committed
file is still current.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apply import harness


def compute(work: Path) -> dict[str, list[str]]:
    """Root id → resource types it creates, for every root of every example."""
    from mlgen.terraform import cli_config_env

    env = cli_config_env(work)
    out: dict[str, list[str]] = {}
    for name in harness.example_names():
        project = harness.render_example(name, work / "render" / name)
        for root in harness.roots_of(name, project / "infra"):
            out[root.id] = harness.planned_types(
                project, root, work / "plan" / root.id.replace(":", "-").replace("/", "-"), env
            )
    return out


def render_yaml(types_by_root: dict[str, list[str]]) -> str:
    """subset.yaml's text: the chosen roots with their types, and the union of all types."""
    chosen = harness.greedy_cover(types_by_root)
    every = sorted(set().union(*map(set, types_by_root.values())))
    lines = [
        "# Roots whose apply cycles together cover every resource type the examples create (greedy set",
        "# cover over offline mock plans). Regenerate: PYTHONPATH=generator python tests/apply/make_subset.py --write",
        "# tests/apply/test_subset.py fails when this file is out of date.",
        "roots:",
    ]
    for root in chosen:
        lines.append(f"  {root}:")
        lines += [f"    - {t}" for t in types_by_root[root]]
    lines.append("types:")
    lines += [f"  - {t}" for t in every]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlgen-subset-") as tmp:
        text = render_yaml(compute(Path(tmp)))
    if args.write:
        harness.SUBSET_FILE.write_text(text, encoding="utf-8")
    print(text, end="")


if __name__ == "__main__":
    main()
