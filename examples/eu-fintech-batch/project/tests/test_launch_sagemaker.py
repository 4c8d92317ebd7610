"""The SageMaker launcher builds its requests from Terraform outputs without the SDK."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from launch import train_sagemaker
from launch.terraform_outputs import LaunchError, normalise
from launch.train_sagemaker import SETTINGS, build_estimator_kwargs, build_inputs, job_name

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "fraud_scoring"
SLUG = "fraud-scoring"
REGION = "eu-west-1"
REGISTRY = f"123456789012.dkr.ecr.{REGION}.amazonaws.com"
INSTANCE_TYPE = "ml.g4dn.12xlarge"

# The shape of `terraform output -json`.
OUTPUTS = {
    name: {"value": value, "type": "string", "sensitive": False}
    for name, value in {
        "training_role_arn": f"arn:aws:iam::123456789012:role/{SLUG}-dev-training",
        "training_repository_url": f"{REGISTRY}/{SLUG}-train",
        "serving_repository_url": f"{REGISTRY}/{SLUG}-serve",
        "data_bucket": f"{SLUG}-dev-data",
        "kms_key_arn": f"arn:aws:kms:{REGION}:123456789012:key/0000-1111",
        "output_path": f"s3://{SLUG}-dev-artifacts/training/",
        "checkpoint_path": f"s3://{SLUG}-dev-artifacts/checkpoints/",
        "training_subnet_ids": '["subnet-a", "subnet-b"]',
        "training_security_group_id": "sg-123",
    }.items()
}


def kwargs_for(**changes: object) -> dict:
    settings = replace(SETTINGS, **changes) if changes else SETTINGS
    return build_estimator_kwargs(
        normalise(OUTPUTS), "repo:abc123", run_name="abc123", env="dev", settings=settings
    )


def test_estimator_uses_the_generated_compute_settings() -> None:
    kwargs = kwargs_for()

    assert kwargs["instance_type"] == INSTANCE_TYPE
    assert kwargs["instance_count"] == 1
    assert kwargs["use_spot_instances"] is True
    assert kwargs["max_run"] == 32400
    assert kwargs["image_uri"] == "repo:abc123"


def test_estimator_is_private_and_encrypted() -> None:
    kwargs = kwargs_for()

    assert kwargs["role"].endswith("-training")
    assert kwargs["volume_kms_key"] == kwargs["output_kms_key"] == OUTPUTS["kms_key_arn"]["value"]
    assert kwargs["subnets"] == ["subnet-a", "subnet-b"]
    assert kwargs["security_group_ids"] == ["sg-123"]
    assert kwargs["enable_network_isolation"] is True
    assert kwargs["encrypt_inter_container_traffic"] is (SETTINGS.instance_count > 1)
    assert kwargs["output_path"] == OUTPUTS["output_path"]["value"]


def test_checkpoints_go_to_a_prefix_per_run() -> None:
    kwargs = kwargs_for()

    assert kwargs["checkpoint_s3_uri"] == f"s3://{SLUG}-dev-artifacts/checkpoints/abc123/"
    assert kwargs["checkpoint_local_path"] == "/opt/ml/checkpoints"


def test_max_wait_only_with_spot() -> None:
    assert kwargs_for(use_spot=True)["max_wait"] == SETTINGS.max_wait_seconds
    assert "max_wait" not in kwargs_for(use_spot=False)


def test_spot_wait_shorter_than_run_is_refused() -> None:
    with pytest.raises(LaunchError, match="max_wait"):
        kwargs_for(use_spot=True, max_run_seconds=100, max_wait_seconds=50)


def test_torchrun_uses_torch_distributed() -> None:
    kwargs = kwargs_for(distribution="torchrun")

    assert kwargs["distribution"] == {"torch_distributed": {"enabled": True}}
    assert kwargs["entry_point"] == "sagemaker_train.py"
    assert train_sagemaker.estimator_class(replace(SETTINGS, distribution="torchrun")) == (
        "sagemaker.pytorch.PyTorch"
    )
    assert "distribution" not in kwargs_for(distribution="none")
    assert (ROOT / "launch" / "entrypoint" / "sagemaker_train.py").is_file()


def test_missing_outputs_are_named() -> None:
    outputs = normalise(OUTPUTS)
    del outputs["training_role_arn"]

    with pytest.raises(LaunchError, match="training_role_arn"):
        build_estimator_kwargs(outputs, "repo:tag", run_name="x", env="dev")


def test_default_training_channel_is_the_data_bucket() -> None:
    assert build_inputs(normalise(OUTPUTS)) == {"train": f"s3://{SLUG}-dev-data/train/"}


def test_job_names_are_valid_and_bounded() -> None:
    name = job_name("Feature/Branch_" + "x" * 80)

    assert len(name) <= 63
    assert re.fullmatch(r"[A-Za-z0-9](-*[A-Za-z0-9])*", name)


def test_dry_run_prints_the_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "outputs.json"
    saved.write_text(json.dumps(OUTPUTS), encoding="utf-8")

    arguments = ["--env", "dev", "--image-tag", "abc123", "--outputs-json", str(saved)]

    code = train_sagemaker.main([*arguments, "--dry-run", "--hp", "epochs=5"])

    assert code == 0
    request = json.loads(capsys.readouterr().out)
    assert request["kwargs"]["hyperparameters"] == {"epochs": "5"}
    assert request["kwargs"]["image_uri"] == f"{REGISTRY}/{SLUG}-train:abc123"


def test_outputs_given_as_flags_need_no_terraform(capsys: pytest.CaptureFixture[str]) -> None:
    flags = [f"--output={name}={item['value']}" for name, item in OUTPUTS.items()]

    code = train_sagemaker.main(["--env", "not-applied", "--image-tag", "t", *flags, "--dry-run"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["kwargs"]["subnets"] == ["subnet-a", "subnet-b"]


def test_missing_environment_root_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    code = train_sagemaker.main(["--env", "not-applied", "--image-tag", "t", "--dry-run"])

    assert code == 2
    assert "infra/envs/not-applied does not exist" in capsys.readouterr().err


def test_launcher_imports_without_the_sagemaker_sdk() -> None:
    code = "import sys, launch.train_sagemaker; print('sagemaker' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )

    assert completed.stdout.strip() == "False"


def test_batch_processing_job_is_private_and_encrypted() -> None:
    from launch.batch_sagemaker import build_processor_kwargs, build_run_args

    outputs = normalise(OUTPUTS)
    kwargs = build_processor_kwargs(outputs, "repo:abc", env="dev")
    run = build_run_args(outputs, "s3://bucket/job/output/model.tar.gz", "job-1")

    assert kwargs["entrypoint"] == ["python3", "-m", f"{PACKAGE}.batch"]
    assert kwargs["network_config"]["enable_network_isolation"] is True
    assert kwargs["volume_kms_key"] == kwargs["output_kms_key"] == outputs["kms_key_arn"]
    assert run["inputs"][0]["destination"] == "/opt/ml/processing/model"
    assert run["outputs"][0]["destination"] == f"s3://{SLUG}-dev-artifacts/training/batch/job-1/"
