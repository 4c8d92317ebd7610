"""scan.py without Checkov: normalising Checkov's JSON, waivers, dedupe, settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from mlgen.compliance import scan
from mlgen.compliance.scan import (
    WAIVER_CHECK_ID,
    ScanError,
    ScanSettings,
    dedupe,
    run_scan,
    waiver_findings,
)

from .conftest import make_finding


def _record(check_id: str, **kw: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "check_id": check_id,
        "check_name": f"name {check_id}",
        "resource": "aws_s3_bucket.data",
        "file_path": "/main.tf",
        "file_abs_path": "/repo/infra/prod/main.tf",
        "file_line_range": [3, 9],
        "check_result": {"result": "PASSED"},
        "details": [],
        "caller_file_path": None,
        "caller_file_line_range": None,
        "suppress_comment": None,
        "guideline": None,
    }
    record.update(kw)
    return record


def _payload() -> dict[str, Any]:
    return {
        "check_type": "terraform",
        "results": {
            "passed_checks": [_record("CKV_AWS_21")],
            "failed_checks": [
                _record(
                    "MLGEN_AWS_004",
                    resource='module.net.aws_vpc_endpoint.this["sts"]',
                    file_path="/../../modules/net/main.tf",
                    file_abs_path="/repo/modules/net/main.tf",
                    file_line_range=[12, 20],
                    caller_file_path="/main.tf",
                    caller_file_line_range=[30, 34],
                    details=["missing tags: cost-center"],
                    check_result={"result": "FAILED"},
                )
            ],
            "skipped_checks": [
                _record(
                    "CKV_AWS_18",
                    check_result={"result": "SKIPPED", "suppress_comment": "logs go to the trail"},
                ),
                _record(
                    "CKV_AWS_144",
                    check_result={"result": "SKIPPED", "suppress_comment": ""},
                ),
                _record(
                    "CKV_AWS_145",
                    check_result={"result": "SKIPPED", "suppress_comment": "No comment provided"},
                ),
            ],
            "parsing_errors": [],
        },
        "summary": {"resource_count": 4, "checkov_version": "3.3.30"},
    }


def test_payload_is_normalised_relative_to_repo_root() -> None:
    findings = scan._findings_from_payload(_payload(), Path("/repo/infra/prod"), "infra/prod", Path("/repo"))
    by_id = {f.check_id: f for f in findings}
    assert by_id["CKV_AWS_21"].status == "passed"
    assert by_id["CKV_AWS_21"].file == "infra/prod/main.tf"
    module = by_id["MLGEN_AWS_004"]
    assert module.file == "modules/net/main.tf"
    assert module.line_range == (12, 20)
    assert module.caller_file == "infra/prod/main.tf"
    assert module.caller_line == 30
    assert module.resource_type == "aws_vpc_endpoint"
    assert module.details == ("missing tags: cost-center",)
    assert by_id["CKV_AWS_18"].suppress_reason == "logs go to the trail"
    # an empty reason and Checkov's placeholder both count as "no reason"
    assert by_id["CKV_AWS_144"].suppress_reason is None
    assert by_id["CKV_AWS_145"].suppress_reason is None


def test_every_reasonless_suppression_becomes_a_failed_waiver_finding() -> None:
    findings = scan._findings_from_payload(_payload(), Path("/repo/infra/prod"), "infra/prod", Path("/repo"))
    waivers = [w for w in waiver_findings(findings) if w.check_id == WAIVER_CHECK_ID]
    assert sorted(w.details[0].split()[0] for w in waivers) == ["CKV_AWS_144", "CKV_AWS_145"]
    assert {w.status for w in waivers} == {"failed"}
    assert all(w.file == "infra/prod/main.tf" and w.line_start == 3 for w in waivers)


def test_dedupe_merges_identical_module_findings_and_keeps_roots() -> None:
    a = make_finding("CKV_AWS_21", root="infra/dev", roots=("infra/dev",), file="modules/s3/main.tf")
    b = make_finding("CKV_AWS_21", root="infra/prod", roots=("infra/prod",), file="modules/s3/main.tf")
    different = make_finding(
        "CKV_AWS_21",
        status="passed",
        root="infra/stage",
        roots=("infra/stage",),
        file="modules/s3/main.tf",
    )
    merged = dedupe([b, different, a])
    assert len(merged) == 2
    failed = next(f for f in merged if f.status == "failed")
    assert failed.root == "infra/dev"
    assert failed.roots == ("infra/dev", "infra/prod")


def test_dedupe_output_is_sorted_and_stable() -> None:
    items = [
        make_finding("CKV_AWS_2", line_start=5),
        make_finding("CKV_AWS_1", line_start=50),
        make_finding("CKV_AWS_3", file="a.tf"),
    ]
    once = dedupe(items)
    assert once == dedupe(list(reversed(items)))
    assert [f.check_id for f in once] == ["CKV_AWS_3", "CKV_AWS_2", "CKV_AWS_1"]


def test_settings_become_environment_variables() -> None:
    settings = ScanSettings(
        allowed_regions=("eu-west-1", " eu-central-1 ", "eu-west-1"),
        allowed_instance_types=("ml.g5.*",),
        network_isolation="private",
        stage="production",
        frameworks=("gdpr", "hipaa"),
    )
    assert settings.environment() == {
        "MLGEN_ALLOWED_REGIONS": "eu-central-1,eu-west-1",
        "MLGEN_ALLOWED_INSTANCE_TYPES": "ml.g5.*",
        "MLGEN_NETWORK_ISOLATION": "private",
        "MLGEN_STAGE": "production",
        "MLGEN_FRAMEWORKS": "hipaa,gdpr",
    }
    assert "MLGEN_ALLOWED_REGIONS" not in ScanSettings().environment()


def test_settings_reject_unknown_framework_with_a_suggestion() -> None:
    with pytest.raises(ValidationError, match="did you mean 'hipaa'"):
        ScanSettings(frameworks=("hippa",))


def test_settings_reject_unknown_isolation() -> None:
    with pytest.raises(ValidationError):
        ScanSettings(network_isolation="airgapped")  # type: ignore[arg-type]


def test_missing_root_is_a_scan_error(tmp_path: Path) -> None:
    with pytest.raises(ScanError, match="is not a directory"):
        run_scan([tmp_path / "nope"], repo_root=tmp_path, settings=ScanSettings())
    with pytest.raises(ScanError, match="no Terraform roots"):
        run_scan([], repo_root=tmp_path, settings=ScanSettings())


def test_checkov_command_is_offline_terraform_json() -> None:
    cmd = scan.checkov_command(Path("/r"), Path("/p"))
    assert cmd[1:3] == ["-c", scan.CHECKOV_LAUNCHER]
    assert "get_default_config_paths = lambda argv: []" in cmd[2]
    for flag in ("--framework", "terraform", "-o", "json", "--skip-download", "-d", "/r"):
        assert flag in cmd
    assert cmd[cmd.index("--external-checks-dir") + 1] == "/p"


def test_importing_the_compliance_package_does_not_import_checkov() -> None:
    import subprocess
    import sys

    code = (
        "import sys, mlgen.compliance.scan, mlgen.compliance.gate, mlgen.compliance.report;"
        "print(any(m == 'checkov' or m.startswith('checkov.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_checkov_environment_keeps_nothing_of_the_caller_but_the_allow_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CKV_SKIP_CHECK", "BC_API_KEY", "CHECKOV_NO_OUTPUT", "LOG_LEVEL", "HTTPS_PROXY", "WORKDIR"):
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("HOME", "/home/someone")
    env = scan.checkov_environment(ScanSettings(allowed_regions=("eu-west-1",)), tmp_path)
    assert not {"CKV_SKIP_CHECK", "BC_API_KEY", "CHECKOV_NO_OUTPUT", "LOG_LEVEL", "HTTPS_PROXY", "WORKDIR"} & set(env)
    own = {k for k in env if k.startswith(("CKV_", "BC_", "MLGEN_", "XDG_"))} | {"HOME", "TMPDIR", "PYTHONUSERBASE"}
    assert set(env) - own <= set(scan._PASSED_ENV)
    assert env["HOME"] == str(tmp_path / "home") and env["MLGEN_ALLOWED_REGIONS"] == "eu-west-1"
    assert env["CKV_IGNORE_HIDDEN_DIRECTORIES"] == "FALSE"
