"""Regenerate every example: examples/<name>/answers.yml -> examples/<name>/project/.

    python examples/regenerate.py [NAME ...]

Runs the full `mlgen new` (terraform validation and the Checkov scan included) without git, so the
committed trees carry their compliance reports. tests/e2e/test_examples.py regenerates each into a
temporary folder and diffs it against the committed tree.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from mlgen import api
from mlgen.answers import load_answers

EXAMPLES = Path(__file__).resolve().parent


def example_names() -> list[str]:
    return sorted(p.parent.name for p in EXAMPLES.glob("*/answers.yml"))


def generate(name: str, dest: Path) -> api.CheckOutcome | None:
    """Generate one example into ``dest`` (must not exist); returns its validation and scan."""
    answers = load_answers(EXAMPLES / name / "answers.yml")
    return api.new(dest, answers, check=True, use_git=False, echo=lambda line: print(f"  {line}"))


def main(names: list[str]) -> None:
    for name in names or example_names():
        print(f"{name}:")
        target = EXAMPLES / name / "project"
        with tempfile.TemporaryDirectory(dir=EXAMPLES / name) as tmp:
            fresh = Path(tmp) / "project"
            generate(name, fresh)
            shutil.rmtree(target, ignore_errors=True)
            fresh.rename(target)


if __name__ == "__main__":
    main(sys.argv[1:])
