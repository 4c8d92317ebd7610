"""``mlgen preflight`` against a local moto server on 127.0.0.1 (issue #12 item 7).

moto 5.2.5 serves STS, EC2 zone offerings, CloudWatch Logs and CloudTrail; it serves no SageMaker or
EC2 quotas and no Cost Explorer anomaly monitors or cost-allocation tags, so those rows must come
back ``unknown`` (listed, not failing) instead of crashing the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from mlgen.cli import main

from . import harness


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from .conftest import _require_moto

    _require_moto()
    server = harness.start_moto(tmp_path_factory.mktemp("moto-preflight") / "moto.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("pf") / "proj"
    result = CliRunner().invoke(
        main,
        ["new", str(dest), "--defaults", "--no-check", "--no-git", "--set", "cloud.environments=[dev,prod]"],
    )
    assert result.exit_code == 0, result.output
    return dest


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def preflight(project: Path, moto: Any, *extra: str) -> Any:
    return CliRunner().invoke(main, ["preflight", str(project), "--endpoint-url", moto.endpoint, *extra])


def rows(output: str) -> dict[str, str]:
    """subject -> status of the printed table."""
    out = {}
    for line in output.splitlines():
        for status in (" ok ", " fail ", " unknown "):
            if status in f"{line} ":
                subject = line.split(status)[0].split("  ", 1)[-1].strip()
                out[subject] = status.strip()
                break
    return out


def test_fresh_account_passes_and_unserved_apis_are_unknown(project: Path, moto: Any, aws: None) -> None:
    result = preflight(project, moto)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("account 123456789012, region us-east-1")
    got = rows(result.output)
    assert got["/aws/sagemaker/TrainingJobs"] == "ok"
    assert got["multi-region trail"] == "ok"
    # moto serves no SageMaker quotas and no Cost Explorer monitors: listed as unknown, not failed.
    assert any(s.endswith("for training job usage") or s.endswith("spot training job usage") for s in got)
    assert got["AWS-services anomaly monitor"] == "unknown"


def test_an_existing_training_log_group_fails_with_exit_6(project: Path, moto: Any, aws: None) -> None:
    logs = boto3.client("logs", region_name="us-east-1", endpoint_url=moto.endpoint)
    logs.create_log_group(logGroupName="/aws/sagemaker/TrainingJobs")
    try:
        result = preflight(project, moto)
    finally:
        logs.delete_log_group(logGroupName="/aws/sagemaker/TrainingJobs")
    assert result.exit_code == 6, result.output
    assert rows(result.output)["/aws/sagemaker/TrainingJobs"] == "fail"
    assert "error: 1 preflight check(s) failed" in result.output


def test_a_non_owner_root_does_not_check_the_account_singletons(project: Path, moto: Any, aws: None) -> None:
    result = preflight(project, moto, "--env", "dev")
    assert result.exit_code == 0, result.output
    assert "/aws/sagemaker/TrainingJobs" not in result.output


def test_unknown_environment_is_bad_input(project: Path, moto: Any, aws: None) -> None:
    result = preflight(project, moto, "--env", "qa")
    assert result.exit_code == 2
    assert "no environment 'qa'" in result.output
