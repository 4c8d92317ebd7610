"""apply → empty re-plan → destroy of every root of every example against a local moto server.

    pytest tests/apply -m apply -n 2                  # every root (about 3-4 min each on 2 cores)
    pytest tests/apply -m apply -n 2 --apply-subset   # the roots of subset.yaml (cover every type)

Each root gets its own patched moto server on a free 127.0.0.1 port, so roots run in parallel under
xdist. With ``MLGEN_APPLY_RESULTS=DIR`` each cycle also writes ``DIR/<example>--<root>.json``
(status, resources, stubs, timings) for docs/performance.md.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import pytest

from . import harness

pytestmark = [pytest.mark.apply, pytest.mark.terraform, pytest.mark.slow]


@pytest.mark.parametrize("root", harness.all_roots(), ids=lambda r: r.id)
def test_apply_replan_destroy(
    root: harness.Root, moto_for_root: harness.MotoServer, terraform_env: dict[str, str], tmp_path: Path
) -> None:
    project = harness.render_example(root.example, tmp_path / "project")
    result = harness.run_cycle(project, root, tmp_path / "work", moto_for_root.endpoint, terraform_env)
    out = os.environ.get("MLGEN_APPLY_RESULTS")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        name = f"{root.example}--{root.path.replace('/', '-')}.json"
        (Path(out) / name).write_text(json.dumps(asdict(result), indent=2, sort_keys=True), encoding="utf-8")
    print(result.summary())
    assert result.ok, (
        f"{result.summary()}\n"
        + "".join(f"re-plan change: {c}\n" for c in result.replan_changes)
        + "".join(f"error: {d[:2000]}\n" for d in result.diagnostics)
        + f"(moto log: {moto_for_root.log}; terraform test output under {tmp_path / 'work'})"
    )
