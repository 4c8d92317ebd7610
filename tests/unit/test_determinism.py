"""Decisions and renders do not depend on the interpreter's hash seed: each runs in separate
processes with different ``PYTHONHASHSEED`` values and must produce identical bytes (two runs in one
process share a seed, so they cannot catch set- or dict-order leaks)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent.name for p in (REPO / "examples").glob("*/answers.yml"))
SEEDS = ("0", "1", "4242")

_PLAN = """
import json, sys
from pathlib import Path
from mlgen.answers import load_answers
from mlgen.api import plan
for name in sys.argv[1:]:
    bp = plan(load_answers(Path("examples") / name / "answers.yml"))
    print(json.dumps(bp.model_dump(mode="json"), sort_keys=False))
"""

_RENDER = """
import hashlib, sys
from pathlib import Path
from mlgen import api
from mlgen.answers import load_answers
dest = Path(sys.argv[2])
api.new(dest, load_answers(Path("examples") / sys.argv[1] / "answers.yml"), check=False, use_git=False,
        echo=lambda _: None)
h = hashlib.sha256()
for p in sorted(q for q in dest.rglob("*") if q.is_file()):
    rel = p.relative_to(dest).as_posix()
    if rel == ".copier-answers.yml":
        data = b"".join(l for l in p.read_bytes().splitlines(True) if not l.startswith((b"_commit:", b"_src_path:")))
    else:
        data = p.read_bytes()
    h.update(rel.encode() + b"\\0" + data + b"\\0")
print(h.hexdigest())
"""


def _run(code: str, seed: str, *args: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO / "generator")}
    out = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_blueprints_are_identical_across_hash_seeds() -> None:
    outputs = {seed: _run(_PLAN, seed, *EXAMPLES) for seed in SEEDS}
    assert len(set(outputs.values())) == 1, "blueprint JSON differs between hash seeds"
    # Dict order is part of the output (it is rendered): compare text, not parsed values.
    assert outputs[SEEDS[0]].count("\n") == len(EXAMPLES)


@pytest.mark.parametrize("name", ["hipaa-medical-imaging"])
def test_rendered_trees_are_identical_across_hash_seeds(name: str, tmp_path: Path) -> None:
    digests = {_run(_RENDER, seed, name, str(tmp_path / f"seed-{seed}")) for seed in SEEDS[:2]}
    assert len(digests) == 1, "rendered files differ between hash seeds"
    assert all(len(d.strip()) == len(hashlib.sha256().hexdigest()) for d in digests)
