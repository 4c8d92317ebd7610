"""Teardown on the rendered HCL (issue #12 item 8): a non-primary environment has nothing that blocks
``terraform destroy``; the primary root keeps its protections.

Reads the generated roots and the modules they call (brace-matched blocks, as the apply harness
does): for every resource with ``prevent_destroy = true`` (or ``force_destroy = false``,
``force_delete = false``, a retained Studio EFS) the root must switch it off, i.e. the resource is
behind ``count = var.destroyable ? 0 : 1`` (or takes its value from ``var.destroyable``) and the root
passes ``destroyable = true`` to that module.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlgen.cli import main

from .harness import _blocks

ANSWERS = """\
project: {name: Teardown Test, slug: teardown}
cloud: {environments: [dev, staging, prod]}
compliance: {data_classification: confidential}
scale: {team_size: 6}
stage: pilot
"""
HIPAA = ANSWERS.replace(
    "{data_classification: confidential}",
    "{frameworks: [hipaa], data_classification: restricted, audit_retention_days: 2190}",
)


def render(tmp: Path, answers: str) -> Path:
    path = tmp / "answers.yml"
    path.write_text(answers, encoding="utf-8")
    result = CliRunner().invoke(main, ["new", str(tmp / "p"), "--answers", str(path), "--no-check", "--no-git"])
    assert result.exit_code == 0, result.output
    return tmp / "p" / "infra"


def module_calls(root: Path) -> dict[str, tuple[str, str]]:
    """module name -> (source folder, body) of the root's main.tf."""
    text = (root / "main.tf").read_text(encoding="utf-8")
    out = {}
    for m, body in _blocks(text, r'^module\s+"([A-Za-z0-9_-]+)"\s*\{'):
        src = re.search(r'source\s*=\s*"\.\./\.\./modules/([a-z_]+)"', body)
        assert src, body
        out[m.group(1)] = (src.group(1), body)
    return out


BLOCKERS = [
    (r"prevent_destroy\s*=\s*true", "prevent_destroy"),
    (r"force_destroy\s*=\s*false", "force_destroy = false"),
    (r"force_delete\s*=\s*false", "force_delete = false"),
    (r'home_efs_file_system\s*=\s*"Retain"', "retained Studio EFS"),
]


def blockers(infra: Path, source: str, destroyable: bool) -> list[str]:
    """Resources of a module that would block destroy with ``var.destroyable = destroyable``."""
    found = []
    for tf in sorted((infra / "modules" / source).glob("*.tf")):
        text = tf.read_text(encoding="utf-8")
        for m, body in _blocks(text, r'^resource\s+"([a-z0-9_]+)"\s+"([A-Za-z0-9_-]+)"\s*\{'):
            address = f"{source}.{m.group(1)}.{m.group(2)}"
            off_when_destroyable = re.search(r"count\s*=\s*var\.destroyable\s*\?\s*0\s*:\s*1", body)
            if destroyable and off_when_destroyable:
                continue
            for pattern, what in BLOCKERS:
                if re.search(pattern, body):
                    found.append(f"{address}: {what}")
            for attr in ("force_destroy", "force_delete"):
                if re.search(rf"{attr}\s*=\s*var\.destroyable", body) and not destroyable:
                    found.append(f"{address}: {attr} = false")
            if re.search(r'var\.destroyable\s*\?\s*"Delete"\s*:\s*"Retain"', body) and not destroyable:
                found.append(f"{address}: retained Studio EFS")
    return found


def root_blockers(infra: Path, env: str) -> list[str]:
    out = []
    for _name, (source, body) in module_calls(infra / "envs" / env).items():
        flag = re.search(r"^\s*destroyable\s*=\s*(true|false)\s*$", body, flags=re.MULTILINE)
        out += blockers(infra, source, flag is not None and flag.group(1) == "true")
    return out


@pytest.fixture(scope="module")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("teardown"), ANSWERS)


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_non_primary_environments_have_nothing_blocking_destroy(infra: Path, env: str) -> None:
    assert root_blockers(infra, env) == []
    main_tf = (infra / "envs" / env / "main.tf").read_text(encoding="utf-8")
    assert "enabled = true, mode" not in main_tf, "no object lock on sandbox data"


def test_the_primary_root_keeps_its_protections(infra: Path) -> None:
    found = root_blockers(infra, "prod")
    assert any("storage.aws_s3_bucket.data: prevent_destroy" in f for f in found), found
    assert any("registry.aws_ecr_repository.this: force_delete = false" in f for f in found), found


def test_retention_frameworks_keep_trail_buckets_everywhere(tmp_path: Path) -> None:
    infra = render(tmp_path, HIPAA)
    found = root_blockers(infra, "dev")
    assert found == [f for f in found if f.startswith("audit.")] and found, found


def test_make_destroy_refuses_the_primary_environment(infra: Path) -> None:
    makefile = (infra.parent / "Makefile").read_text(encoding="utf-8")
    assert "PROTECTED_ENVS := prod\n" in makefile
    assert "\tterraform -chdir=$(TF_ROOT) destroy -input=false $(TF_DESTROY_ARGS)" in makefile
