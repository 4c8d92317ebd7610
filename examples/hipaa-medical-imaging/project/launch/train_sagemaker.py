"""Start the training job on SageMaker with the settings chosen when this repo was generated.

    python -m launch.train_sagemaker --env dev --image-tag <tag>

Account-specific values (role, image repository, buckets, KMS key, subnets, security group)
come from the environment's Terraform outputs (``terraform -chdir=infra/envs/<env> output
-json``), a file saved from them (``--outputs-json``) or flags (``--output NAME=VALUE``).
``--dry-run`` prints what would be sent without importing the SageMaker SDK.

Spot capacity: checkpoints written to ``/opt/ml/checkpoints`` are synced to
``<checkpoint_path>/<run name>/``; an interrupted job, or a new job with the same
``--run-name``, resumes from them.

Distribution: the PyTorch estimator with ``torch_distributed`` makes the SageMaker training
toolkit in the image start ``torchrun`` on every instance with one process per GPU; it runs
``launch/entrypoint/sagemaker_train.py``, which calls this package's ``train.main``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from launch.terraform_outputs import (
    LaunchError,
    join_s3,
    require,
    resolve,
    safe_name,
    string_list,
)

PROJECT_SLUG = "radiology-triage"
REGION = "us-east-1"
TAGS = {
    "Project": "radiology-triage",
    "Owner": "imaging-ml@example.org",
    "CostCenter": "CC-7100",
}
ENTRYPOINT_DIR = Path(__file__).resolve().parent / "entrypoint"
CHECKPOINT_LOCAL_PATH = "/opt/ml/checkpoints"
METRIC_DEFINITIONS = [
    {"Name": "train:loss", "Regex": r"train_loss=([-+0-9.eE]+)"},
    {"Name": "train:accuracy", "Regex": r"train_accuracy=([-+0-9.eE]+)"},
    {"Name": "validation:loss", "Regex": r"validation_loss=([-+0-9.eE]+)"},
    {"Name": "validation:accuracy", "Regex": r"validation_accuracy=([-+0-9.eE]+)"},
]
REQUIRED_OUTPUTS = (
    "training_role_arn",
    "data_bucket",
    "kms_key_arn",
    "output_path",
    "checkpoint_path",
    "training_subnet_ids",
    "training_security_group_id",
)


@dataclass(frozen=True)
class TrainingSettings:
    """Compute and resilience settings decided by mlgen from the team's answers."""

    instance_type: str = "ml.g5.48xlarge"
    instance_count: int = 1
    gpus_per_instance: int = 8
    use_spot: bool = True
    distribution: str = "torchrun"
    max_run_seconds: int = 54000
    max_wait_seconds: int = 108000
    volume_size_gb: int = 100
    network_isolation: bool = True


SETTINGS = TrainingSettings()


def estimator_class(settings: TrainingSettings = SETTINGS) -> str:
    """Dotted path of the SDK estimator class for ``settings``.

    ``torch_distributed`` is an option of the PyTorch framework estimator only; the generic
    ``Estimator`` runs the image's own entry point (``python -m <package>.train``).
    """
    if settings.distribution == "torchrun":
        return "sagemaker.pytorch.PyTorch"
    return "sagemaker.estimator.Estimator"


def build_estimator_kwargs(
    outputs: Mapping[str, Any],
    image_uri: str,
    *,
    run_name: str,
    env: str,
    hyperparameters: Mapping[str, str] | None = None,
    settings: TrainingSettings = SETTINGS,
) -> dict[str, Any]:
    """Keyword arguments of the estimator, built only from plain values (no SDK import).

    Args:
        outputs: The environment's Terraform outputs.
        image_uri: Training image, ``<training_repository_url>:<tag>``.
        run_name: Names the checkpoint prefix; a job with the same run name resumes.
        env: Environment name, recorded as a tag.
        hyperparameters: Passed to the training code.
        settings: Instance type and count, spot and distribution settings.

    Raises:
        LaunchError: When an output is missing or the spot limits are inconsistent.
    """
    require(outputs, *REQUIRED_OUTPUTS)
    if settings.use_spot and settings.max_wait_seconds < settings.max_run_seconds:
        raise LaunchError(
            f"max_wait ({settings.max_wait_seconds}s) must be at least max_run "
            f"({settings.max_run_seconds}s) for spot training"
        )
    kwargs: dict[str, Any] = {
        "image_uri": image_uri,
        "role": outputs["training_role_arn"],
        "instance_type": settings.instance_type,
        "instance_count": settings.instance_count,
        "volume_size": settings.volume_size_gb,
        "volume_kms_key": outputs["kms_key_arn"],
        "output_kms_key": outputs["kms_key_arn"],
        "output_path": outputs["output_path"],
        "checkpoint_s3_uri": join_s3(outputs["checkpoint_path"], safe_name(run_name)) + "/",
        "checkpoint_local_path": CHECKPOINT_LOCAL_PATH,
        "use_spot_instances": settings.use_spot,
        "max_run": settings.max_run_seconds,
        "subnets": string_list(outputs["training_subnet_ids"]),
        "security_group_ids": [str(outputs["training_security_group_id"])],
        "enable_network_isolation": settings.network_isolation,
        # Traffic between instances carries gradients; encrypt it when there is any. The
        # training security group must allow UDP 500 and ESP (protocol 50) from itself.
        "encrypt_inter_container_traffic": settings.instance_count > 1,
        "base_job_name": PROJECT_SLUG,
        "hyperparameters": dict(hyperparameters or {}),
        "metric_definitions": METRIC_DEFINITIONS,
        "tags": [{"Key": k, "Value": v} for k, v in {**TAGS, "Environment": env}.items()],
        # Debugger hooks and profiler rules start extra jobs and need network access.
        "debugger_hook_config": False,
        "disable_profiler": True,
    }
    if settings.use_spot:
        kwargs["max_wait"] = settings.max_wait_seconds
    if settings.distribution == "torchrun":
        kwargs["entry_point"] = "sagemaker_train.py"
        kwargs["source_dir"] = str(ENTRYPOINT_DIR)
        kwargs["distribution"] = {"torch_distributed": {"enabled": True}}
    return kwargs


def build_inputs(
    outputs: Mapping[str, Any], train_uri: str | None = None, validation_uri: str | None = None
) -> dict[str, str]:
    """Channels: ``train`` (default ``s3://<data_bucket>/train/``) and optional ``validation``."""
    channels = {"train": train_uri or f"s3://{outputs['data_bucket']}/train/"}
    if validation_uri:
        channels["validation"] = validation_uri
    return channels


def job_name(run_name: str, now: datetime | None = None) -> str:
    """A unique training job name: ``<slug>-<run name>-<UTC time>``, at most 63 characters."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    head = safe_name(f"{PROJECT_SLUG}-{run_name}", 63 - len(stamp) - 1)
    return f"{head}-{stamp}"


def model_data_url(output_path: str, name: str) -> str:
    """Where SageMaker uploads ``model.tar.gz`` for the job ``name``."""
    return join_s3(output_path, name, "output", "model.tar.gz")


def parse_hyperparameters(pairs: Sequence[str]) -> dict[str, str]:
    """``["epochs=30", "learning-rate=0.05"]`` -> ``{"epochs": "30", "learning-rate": "0.05"}``."""
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise LaunchError(f"hyperparameter {pair!r} is not KEY=VALUE")
        result[key.strip()] = value.strip()
    return result


def _load_class(dotted: str) -> Any:
    module_name, _, class_name = dotted.rpartition(".")
    module = __import__(module_name, fromlist=[class_name])
    return getattr(module, class_name)


def main(argv: Sequence[str] | None = None) -> int:
    """Launch (or, with ``--dry-run``, describe) the training job."""
    parser = argparse.ArgumentParser(prog="python -m launch.train_sagemaker", description=__doc__)
    parser.add_argument("--env", default="dev", help="infra/envs/<env> root to read outputs from")
    image = parser.add_mutually_exclusive_group(required=True)
    image.add_argument("--image-tag", help="tag pushed to the training repository")
    image.add_argument("--image-uri", help="full training image URI")
    parser.add_argument("--outputs-json", type=Path, help="saved `terraform output -json`")
    parser.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Terraform output value; when all are given, Terraform is not called",
    )
    parser.add_argument("--train-uri", help="S3 URI of the training data")
    parser.add_argument("--validation-uri", help="S3 URI of validation data")
    parser.add_argument("--run-name", help="checkpoint prefix; defaults to the image tag")
    parser.add_argument("--hp", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--no-network-isolation", action="store_true")
    parser.add_argument("--no-wait", action="store_true", help="return once the job starts")
    parser.add_argument("--record-dir", type=Path, help="write job_name and model_data_url here")
    parser.add_argument("--dry-run", action="store_true", help="print the request and exit")
    args = parser.parse_args(argv)

    try:
        needed = (*REQUIRED_OUTPUTS, *(() if args.image_uri else ("training_repository_url",)))
        outputs = resolve(args.env, args.outputs_json, args.output, needed)
        require(outputs, *needed)
        image_uri = args.image_uri or f"{outputs['training_repository_url']}:{args.image_tag}"
        run_name = args.run_name or args.image_tag or image_uri.rsplit(":", 1)[-1]
        settings = SETTINGS
        if args.no_network_isolation:
            settings = dataclasses.replace(SETTINGS, network_isolation=False)
        kwargs = build_estimator_kwargs(
            outputs,
            image_uri,
            run_name=run_name,
            env=args.env,
            hyperparameters=parse_hyperparameters(args.hp),
            settings=settings,
        )
        inputs = build_inputs(outputs, args.train_uri, args.validation_uri)
    except LaunchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    name = job_name(run_name)
    if args.dry_run:
        request = {"estimator": estimator_class(settings), "kwargs": kwargs, "inputs": inputs}
        print(json.dumps(request, indent=2, sort_keys=True))
        return 0

    try:
        import boto3
        import sagemaker
    except ImportError:
        print("error: launching needs the cloud extra: pip install -e '.[cloud]'", file=sys.stderr)
        return 2
    session = sagemaker.Session(boto_session=boto3.Session(region_name=REGION))
    estimator = _load_class(estimator_class(settings))(sagemaker_session=session, **kwargs)
    url = model_data_url(str(outputs["output_path"]), name)
    if args.record_dir is not None:
        args.record_dir.mkdir(parents=True, exist_ok=True)
        (args.record_dir / "job_name").write_text(name + "\n", encoding="utf-8")
        (args.record_dir / "model_data_url").write_text(url + "\n", encoding="utf-8")
    print(f"starting training job {name}; the model will be at {url}")
    estimator.fit(inputs, job_name=name, wait=not args.no_wait, logs="All")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
