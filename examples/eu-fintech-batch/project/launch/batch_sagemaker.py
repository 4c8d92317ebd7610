"""Run batch scoring as a SageMaker Processing job in the serving image.

    python -m launch.batch_sagemaker --env dev --image-tag <tag> --model-data-url s3://.../model.tar.gz

The job runs the package's batch module (``python3 -m <package>.batch``) with the model
archive at ``/opt/ml/processing/model``, the input CSV files (default ``s3://<data_bucket>/batch/input/``)
at ``/opt/ml/processing/input`` and writes predictions to
``<output_path>/batch/<job name>/``. It runs in the training subnets with network isolation
and the environment's KMS key on the volume and the output.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
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

PROJECT_SLUG = "fraud-scoring"
PACKAGE = "fraud_scoring"
REGION = "eu-west-1"
INSTANCE_TYPE = "ml.c5.xlarge"
TAGS = {
    "Project": "fraud-scoring",
    "Owner": "ml-platform@example.com",
    "CostCenter": "CC-1234",
}
PROCESSING_ROOT = "/opt/ml/processing"
REQUIRED_OUTPUTS = (
    "training_role_arn",
    "data_bucket",
    "kms_key_arn",
    "output_path",
    "training_subnet_ids",
    "training_security_group_id",
)


def build_processor_kwargs(
    outputs: Mapping[str, Any],
    image_uri: str,
    *,
    env: str,
    instance_type: str = INSTANCE_TYPE,
    instance_count: int = 1,
) -> dict[str, Any]:
    """Keyword arguments of ``sagemaker.processing.Processor``; ``network_config`` is a dict."""
    require(outputs, *REQUIRED_OUTPUTS)
    return {
        "role": outputs["training_role_arn"],
        "image_uri": image_uri,
        "entrypoint": ["python3", "-m", f"{PACKAGE}.batch"],
        "instance_type": instance_type,
        "instance_count": instance_count,
        "volume_kms_key": outputs["kms_key_arn"],
        "output_kms_key": outputs["kms_key_arn"],
        "base_job_name": f"{PROJECT_SLUG}-batch",
        "tags": [{"Key": k, "Value": v} for k, v in {**TAGS, "Environment": env}.items()],
        "network_config": {
            "enable_network_isolation": True,
            "subnets": string_list(outputs["training_subnet_ids"]),
            "security_group_ids": [str(outputs["training_security_group_id"])],
            "encrypt_inter_container_traffic": instance_count > 1,
        },
    }


def build_run_args(
    outputs: Mapping[str, Any], model_data_url: str, job: str, input_uri: str | None = None
) -> dict[str, list[dict[str, str]]]:
    """Inputs and outputs of ``Processor.run``, as plain dicts."""
    if not model_data_url.startswith("s3://"):
        raise LaunchError(f"--model-data-url must be an s3:// URI, got {model_data_url!r}")
    source = input_uri or f"s3://{outputs['data_bucket']}/batch/input/"
    return {
        "inputs": [
            {
                "input_name": "model",
                "source": model_data_url,
                "destination": f"{PROCESSING_ROOT}/model",
            },
            {
                "input_name": "input",
                "source": source,
                "destination": f"{PROCESSING_ROOT}/input",
            },
        ],
        "outputs": [
            {
                "output_name": "predictions",
                "source": f"{PROCESSING_ROOT}/output",
                "destination": join_s3(str(outputs["output_path"]), "batch", job) + "/",
            },
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Start (or, with ``--dry-run``, describe) the batch scoring job."""
    parser = argparse.ArgumentParser(prog="python -m launch.batch_sagemaker", description=__doc__)
    parser.add_argument("--env", default="dev")
    image = parser.add_mutually_exclusive_group(required=True)
    image.add_argument("--image-tag", help="tag pushed to the serving repository")
    image.add_argument("--image-uri")
    parser.add_argument("--model-data-url", required=True, help="s3://.../model.tar.gz")
    parser.add_argument("--input-uri", help="S3 prefix of the CSV files to score")
    parser.add_argument("--outputs-json", type=Path, help="saved `terraform output -json`")
    parser.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Terraform output value; when all are given, Terraform is not called",
    )
    parser.add_argument("--no-wait", action="store_true")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    job = f"{safe_name(f'{PROJECT_SLUG}-batch', 63 - len(stamp) - 1)}-{stamp}"
    try:
        needed = (*REQUIRED_OUTPUTS, *(() if args.image_uri else ("serving_repository_url",)))
        outputs = resolve(args.env, args.outputs_json, args.output, needed)
        require(outputs, *needed)
        image_uri = args.image_uri or f"{outputs['serving_repository_url']}:{args.image_tag}"
        kwargs = build_processor_kwargs(outputs, image_uri, env=args.env)
        run_args = build_run_args(outputs, args.model_data_url, job, args.input_uri)
    except LaunchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(json.dumps({"kwargs": kwargs, "run": run_args}, indent=2, sort_keys=True))
        return 0

    try:
        import boto3
        import sagemaker
        from sagemaker.network import NetworkConfig
        from sagemaker.processing import ProcessingInput, ProcessingOutput, Processor
    except ImportError:
        print("error: launching needs the cloud extra: pip install -e '.[cloud]'", file=sys.stderr)
        return 2
    session = sagemaker.Session(boto_session=boto3.Session(region_name=REGION))
    kwargs["network_config"] = NetworkConfig(**kwargs["network_config"])
    processor = Processor(sagemaker_session=session, **kwargs)
    print(f"starting batch job {job}; predictions go to {run_args['outputs'][0]['destination']}")
    processor.run(
        inputs=[ProcessingInput(**item) for item in run_args["inputs"]],
        outputs=[ProcessingOutput(**item) for item in run_args["outputs"]],
        job_name=job,
        wait=not args.no_wait,
        logs=not args.no_wait,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
