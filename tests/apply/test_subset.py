"""The committed subset (subset.yaml) still covers every resource type the examples create."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import harness, make_subset

pytestmark = [pytest.mark.apply, pytest.mark.terraform, pytest.mark.slow]


def test_subset_is_current_and_covers_every_type(terraform_env: dict[str, str], tmp_path: Path) -> None:
    types_by_root = make_subset.compute(tmp_path)
    committed = harness.load_subset()
    every = set().union(*map(set, types_by_root.values()))
    covered = set().union(*(set(types_by_root[r]) for r in committed["roots"] if r in types_by_root))
    assert not every - covered, f"types no subset root creates (run make_subset.py --write): {sorted(every - covered)}"
    assert set(committed["roots"]) <= set(types_by_root), "subset.yaml names a root that no longer exists"
    assert make_subset.render_yaml(types_by_root) == harness.SUBSET_FILE.read_text(encoding="utf-8"), (
        "tests/apply/subset.yaml is out of date: PYTHONPATH=generator python tests/apply/make_subset.py --write"
    )
