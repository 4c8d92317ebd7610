"""The example projects' environment roots, validated with the real aws provider and with the
schema-served one: the same validity and the same error diagnostics for each (the `dev` root of every
example; the module library itself is covered through the aggregate root in test_aws_equivalence.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlgen.terraform import Terraform

pytestmark = [pytest.mark.terraform, pytest.mark.slow]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LIBRARY = Path(__file__).resolve().parents[2] / "modules" / "aws"
ROOTS = sorted(p.relative_to(EXAMPLES) for p in EXAMPLES.glob("*/project/infra/envs/dev") if (p / "main.tf").is_file())


def _errors(tf: Terraform, root: Path) -> tuple[bool, list[tuple[str, str, int]]]:
    init = tf.run(root, "init", "-backend=false", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout + init.stderr
    payload = json.loads(tf.run(root, "validate", "-json", "-no-color").stdout)
    errors = sorted(
        (
            d["summary"],
            Path(d.get("range", {}).get("filename", "")).name,
            d.get("range", {}).get("start", {}).get("line", 0),
        )
        for d in payload["diagnostics"]
        if d["severity"] == "error"
    )
    return bool(payload["valid"]), errors


def test_there_are_example_roots() -> None:
    assert len(ROOTS) >= 5, ROOTS


@pytest.mark.parametrize("rel", ROOTS, ids=[str(r.parts[0]) for r in ROOTS])
def test_example_root_validates_the_same(rel: Path, tf: Terraform, schema_tf: Terraform, tmp_path: Path) -> None:
    infra = EXAMPLES / rel.parents[1]  # <example>/project/infra
    results = []
    for label, runner in (("real", tf), ("schema", schema_tf)):
        base = tmp_path / label / "infra"
        shutil.copytree(infra, base, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
        # examples/ omits infra/modules (byte copies of the library, checked in tests/e2e): restore them.
        shutil.copytree(LIBRARY, base / "modules", ignore=shutil.ignore_patterns(".terraform*", "tests"))
        results.append(_errors(runner, base / rel.relative_to(rel.parents[1])))
    assert results[1] == results[0]
    assert results[0][0] is True
