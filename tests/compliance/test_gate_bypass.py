"""The gate cannot be talked out of a world-readable bucket (issue #10, "gate bypass").

Every case scans, for real, a root holding a bucket with a ``public-read`` ACL (``CKV_AWS_20``,
critical, mapped to every framework) plus one attempt to hide it: a ``.checkov.yaml`` or
``.checkov.yml`` with ``skip-check`` / ``skip-path`` in the root, a ``~/.checkov.yaml``, the
``CKV_SKIP_CHECK`` variable, a template Checkov cannot parse, and Terraform outside the known
roots. Each must still fail the gate, on that bucket (or, for the parse error, on the file).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlgen.compliance.gate import GateResult, evaluate_gate
from mlgen.compliance.report import build_results
from mlgen.compliance.scan import PARSE_ERROR_CHECK_ID, ScanResult, ScanSettings, run_scan

from .conftest import FIXTURES, requires_checkov

pytestmark = [pytest.mark.checkov, requires_checkov]

FRAMEWORKS = ["hipaa", "soc2", "gdpr", "pci_dss", "iso27001"]
SETTINGS = ScanSettings(allowed_regions=("eu-west-1",), frameworks=tuple(FRAMEWORKS))

PUBLIC_ACL = """
resource "aws_s3_bucket_acl" "public" {
  bucket = aws_s3_bucket.data.id
  acl    = "public-read"
}
"""

# terraform accepts a %{for} directive inside a quoted string; Checkov's HCL parser does not, and
# used to drop the whole file (and the public bucket in it) silently.
TEMPLATE_IN_STRING = """
resource "aws_s3_bucket_acl" "public" {
  bucket = "mlgen-fixture-%{ for n in ["a", "b"] }${n}%{ endfor }"
  acl    = "public-read"
}
"""

SKIP_EVERYTHING = "skip-check:\n  - CKV_AWS_20\n  - CKV_AWS_57\n  - CKV2_AWS_65\nsoft-fail: true\n"


def _root(parent: Path, name: str, extra: str = PUBLIC_ACL, extra_name: str = "public.tf") -> Path:
    root = parent / name
    shutil.copytree(FIXTURES / "injected" / "base", root)
    (root / extra_name).write_text(extra, encoding="utf-8")
    return root


def _fails_on_public_bucket(gate: GateResult, root: str) -> bool:
    """CKV_AWS_20 (public-read ACL) fails the gate in ``root``; Checkov reports it on the bucket."""
    return any(g.finding.check_id == "CKV_AWS_20" and g.finding.root == root for g in gate.failures)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[ScanResult, GateResult]:
    """One scan of a project holding every bypass attempt, each in its own root.

    The caller's HOME and working directory hold a ``.checkov.yaml`` and the environment carries
    ``CKV_*`` settings that would skip the check everywhere, so every root also tests those.
    """
    tmp = tmp_path_factory.mktemp("bypass")
    envs = tmp / "infra" / "envs"
    envs.mkdir(parents=True)
    (_root(envs, "checkov_yaml") / ".checkov.yaml").write_text(SKIP_EVERYTHING, encoding="utf-8")
    (_root(envs, "checkov_yml") / ".checkov.yml").write_text(
        "skip-path:\n  - main.tf\n  - public\n" + SKIP_EVERYTHING, encoding="utf-8"
    )
    plain = _root(envs, "plain")
    _root(envs, "parse_error", TEMPLATE_IN_STRING, "template.tf")
    # a module reached through a module call is not a stray root
    module = tmp / "infra" / "modules" / "bucket"
    module.mkdir(parents=True)
    (module / "main.tf").write_text('resource "aws_s3_bucket" "this" {\n  bucket = var.name\n}\n', encoding="utf-8")
    (module / "variables.tf").write_text('variable "name" {\n  type = string\n}\n', encoding="utf-8")
    (plain / "module.tf").write_text(
        'module "bucket" {\n  source = "../../modules/bucket"\n  name   = "m"\n}\n', encoding="utf-8"
    )
    # Terraform outside infra/envs, and in a hidden folder Checkov skips by default
    for stray in (tmp / "infra" / "extra", tmp / ".hidden"):
        stray.mkdir(parents=True)
        (stray / "bucket.tf").write_text('resource "aws_s3_bucket" "data" {\n  bucket = "x"\n}\n', encoding="utf-8")
        (stray / "public.tf").write_text(PUBLIC_ACL, encoding="utf-8")
    home = tmp / "home"
    home.mkdir()
    for name in (".checkov.yaml", ".checkov.yml"):
        (home / name).write_text(SKIP_EVERYTHING, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.chdir(home)
        mp.setenv("CKV_SKIP_CHECK", "CKV_AWS_20,CKV_AWS_57,CKV2_AWS_65")
        mp.setenv("CKV_SOFT_FAIL", "true")
        mp.setenv("CKV_CHECK", "CKV_AWS_7")
        mp.setenv("CKV_FRAMEWORK", "kubernetes")
        mp.setenv("BC_SKIP_CHECK", "CKV_AWS_20")
        roots = sorted(p for p in envs.iterdir())
        result = run_scan(roots, repo_root=tmp, settings=SETTINGS, scan_strays=True)
    return result, evaluate_gate(result, frameworks=FRAMEWORKS, fail_on="high")


@pytest.mark.parametrize("root", ["checkov_yaml", "checkov_yml"])
def test_config_file_in_the_root_is_ignored(scanned: tuple[ScanResult, GateResult], root: str) -> None:
    _, gate = scanned
    assert not gate.passed
    assert _fails_on_public_bucket(gate, f"infra/envs/{root}")


def test_home_and_working_directory_config_and_checkov_variables_are_ignored(
    scanned: tuple[ScanResult, GateResult],
) -> None:
    _, gate = scanned
    assert _fails_on_public_bucket(gate, "infra/envs/plain")


def test_parse_error_fails_the_gate_and_is_listed(scanned: tuple[ScanResult, GateResult]) -> None:
    result, gate = scanned
    assert result.parsing_errors == ("infra/envs/parse_error/template.tf",)
    failure = next(g for g in gate.failures if g.finding.check_id == PARSE_ERROR_CHECK_ID)
    assert failure.finding.file == "infra/envs/parse_error/template.tf"
    assert "could not parse" in " ".join(failure.reasons)
    doc = build_results(result, gate, {})
    assert doc["scan"]["parsing_errors"] == ["infra/envs/parse_error/template.tf"]
    assert doc["gate"]["verdict"] == "FAIL"


def test_terraform_outside_the_known_roots_is_scanned(scanned: tuple[ScanResult, GateResult]) -> None:
    result, gate = scanned
    assert result.extra_roots == (".hidden", "infra/extra")
    assert _fails_on_public_bucket(gate, "infra/extra")
    assert _fails_on_public_bucket(gate, ".hidden")
    assert build_results(result, gate, {})["scan"]["extra_roots"] == [".hidden", "infra/extra"]


def test_called_modules_are_not_stray_roots(scanned: tuple[ScanResult, GateResult]) -> None:
    result, _ = scanned
    assert "infra/modules/bucket" not in result.extra_roots
    assert any(f.file == "infra/modules/bucket/main.tf" for f in result.findings)
