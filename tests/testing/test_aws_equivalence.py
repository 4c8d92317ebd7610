"""The schema-served provider against the real one, on AWS where both exist: the aws schema extracted
from cdktn-provider-aws (built from aws 6.28.0) must make `terraform validate` and `terraform test` give
the same results as the real hashicorp/aws 5.100.0 binary on the aggregate root (every module under
modules/aws/, wired together) and on a root of deliberately broken resources (same diagnostics: summary,
file and line). That is what licenses trusting it for google and azurerm, where no binary exists."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from schema_helpers import FIXTURES, installed_version, prepare

from mlgen.resources import modules_dir
from mlgen.terraform import Terraform

pytestmark = pytest.mark.terraform
AGGREGATE = Path(__file__).resolve().parents[1] / "terraform" / "aggregate"


def _aggregate(tf: Terraform, base: Path) -> Path:
    shutil.copytree(modules_dir(), base / "modules", ignore=shutil.ignore_patterns(".terraform*"))
    return prepare(tf, AGGREGATE, base / "tests" / "terraform" / "aggregate")


@pytest.fixture(scope="module")
def roots(tf: Terraform, schema_tf: Terraform, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """The aggregate and the broken root, initialised once against each provider."""
    out: dict[str, dict[str, Path]] = {}
    for label, runner in (("real", tf), ("schema", schema_tf)):
        base = tmp_path_factory.mktemp(f"aws-{label}")
        out[label] = {
            "aggregate": _aggregate(runner, base / "agg"),
            "broken": prepare(runner, FIXTURES / "aws_broken", base / "broken"),
        }
    return out


def _diagnostics(tf: Terraform, root: Path) -> tuple[bool, list[tuple[str, str, str, int]]]:
    proc = tf.run(root, "validate", "-json", "-no-color")
    payload = json.loads(proc.stdout)
    found = sorted(
        (
            d["severity"],
            d["summary"],
            Path(d.get("range", {}).get("filename", "")).name,
            d.get("range", {}).get("start", {}).get("line", 0),
        )
        for d in payload["diagnostics"]
    )
    return bool(payload["valid"]), found


def test_each_side_uses_its_own_provider(roots: dict[str, dict[str, Path]]) -> None:
    assert installed_version(roots["real"]["aggregate"], "aws") == "5.100.0"
    assert installed_version(roots["schema"]["aggregate"], "aws") == "6.28.0"


@pytest.mark.parametrize("root", ["aggregate", "broken"])
def test_validate_gives_the_same_diagnostics(
    root: str, roots: dict[str, dict[str, Path]], tf: Terraform, schema_tf: Terraform
) -> None:
    real_valid, real = _diagnostics(tf, roots["real"][root])
    schema_valid, served = _diagnostics(schema_tf, roots["schema"][root])
    errors = [d for d in real if d[0] == "error"]
    assert (schema_valid, [d for d in served if d[0] == "error"]) == (real_valid, errors)
    if root == "aggregate":
        assert real_valid and real == [] and served == []
    else:
        # every deliberately broken resource is caught, by both
        assert not real_valid and len(errors) == 13, errors


def _test_summary(tf: Terraform, root: Path) -> tuple[int, int, int, int]:
    proc = tf.run(root, "test", "-no-color", timeout=900)
    match = re.search(r"(\d+) passed, (\d+) failed(?:, (\d+) skipped)?", proc.stdout)
    assert match, proc.stdout[-3000:] + proc.stderr[-2000:]
    return proc.returncode, int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def test_terraform_test_gives_the_same_result(
    roots: dict[str, dict[str, Path]], tf: Terraform, schema_tf: Terraform
) -> None:
    real = _test_summary(tf, roots["real"]["aggregate"])
    served = _test_summary(schema_tf, roots["schema"]["aggregate"])
    assert served == real
    assert real[0] == 0 and real[1] > 0 and real[2] == 0
