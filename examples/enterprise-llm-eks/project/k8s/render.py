"""Fill the ``__PLACEHOLDERS__`` of the manifests in this directory; write ready copies.

    python k8s/render.py --env dev --job-name fraud-scoring-abc123 \\
        --train-image <repo>:<tag> --out build/dev/k8s namespace.yaml ... pytorchjob.yaml

Values come from the environment's Terraform outputs (``terraform -chdir=infra/envs/<env>
output -json``, or ``--outputs-json FILE``) and the flags. S3 locations become paths under
the Mountpoint volumes: ``/mnt/data`` (data bucket) and ``/mnt/artifacts`` (artifacts
bucket). Rendering fails when a manifest keeps a placeholder nobody filled in. Standard
library only; ``make train`` and ``make deploy`` call it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PLACEHOLDER = re.compile(r"__[A-Z][A-Z0-9_]*__")
NAMESPACE = "training"
SERVICE_ACCOUNT = "trainer"
DATA_MOUNT = "/mnt/data"
ARTIFACTS_MOUNT = "/mnt/artifacts"


class RenderError(ValueError):
    """Manifests cannot be rendered as asked; the message says what to change."""


def terraform_outputs(env: str, outputs_json: Path | None = None) -> dict[str, Any]:
    """Outputs of ``infra/envs/<env>``, unwrapped from ``{"value": ...}``."""
    if outputs_json is not None:
        raw = json.loads(outputs_json.read_text(encoding="utf-8"))
    else:
        if shutil.which("terraform") is None:
            raise RenderError("terraform is not on PATH; install it or pass --outputs-json FILE")
        completed = subprocess.run(
            ["terraform", f"-chdir=infra/envs/{env}", "output", "-json"],
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RenderError(f"terraform output failed for {env}: {completed.stderr.strip()}")
        raw = json.loads(completed.stdout or "{}")
    return {
        name: value["value"] if isinstance(value, Mapping) and "value" in value else value
        for name, value in raw.items()
    }


def split_s3(uri: str) -> tuple[str, str]:
    """``s3://bucket/a/b/`` -> ``("bucket", "a/b")``."""
    if not uri.startswith("s3://"):
        raise RenderError(f"{uri!r} is not an s3:// URI")
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key.strip("/")


def mount_path(uri: str, outputs: Mapping[str, Any]) -> str:
    """The path in the pods of an S3 location in the data or artifacts bucket."""
    bucket, key = split_s3(uri)
    mounts = {
        outputs.get("data_bucket"): DATA_MOUNT,
        outputs.get("artifacts_bucket"): ARTIFACTS_MOUNT,
    }
    if bucket not in mounts:
        raise RenderError(
            f"{uri} is in neither the data bucket nor the artifacts bucket, "
            "the only buckets mounted in the pods"
        )
    return f"{mounts[bucket]}/{key}".rstrip("/")


def _join(*parts: str) -> str:
    return "/".join(part.strip("/") for part in parts if part.strip("/"))


def build_values(
    outputs: Mapping[str, Any],
    *,
    env: str,
    job_name: str,
    train_image: str | None = None,
    serve_image: str | None = None,
    model_data_url: str | None = None,
    train_prefix: str = "train/",
    batch_input_prefix: str = "batch/input/",
) -> dict[str, str]:
    """Placeholder values for one job, from the outputs and the flags.

    Raises:
        RenderError: When an output is missing or the cluster identity does not match the
            pod identity association the infrastructure created.
    """
    required = (
        "data_bucket",
        "artifacts_bucket",
        "output_path",
        "checkpoint_path",
        "eks_cluster_name",
    )
    missing = [name for name in required if not outputs.get(name)]
    if missing:
        raise RenderError(f"terraform outputs missing: {', '.join(missing)}")
    for name, expected in (
        ("training_namespace", NAMESPACE),
        ("training_service_account", SERVICE_ACCOUNT),
    ):
        actual = outputs.get(name)
        if actual and actual != expected:
            raise RenderError(
                f"terraform output {name} is {actual!r} but the manifests use {expected!r}; "
                "pod identity would not apply: make them agree"
            )
    if not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", job_name):
        raise RenderError(f"job name {job_name!r} is not a valid Kubernetes name")
    output_path = str(outputs["output_path"])
    export_url = f"s3://{_join(output_path[len('s3://') :], job_name, 'model.tar.gz')}"
    registries = outputs.get("image_registries") or {}
    values = {
        "ENV": env,
        "JOB_NAME": job_name,
        "CLUSTER_NAME": str(outputs.get("eks_cluster_name") or ""),
        # Public images come through the ECR pull-through cache when the VPC has no egress.
        "IMAGE_REGISTRY_K8S": str(registries.get("registry.k8s.io", "registry.k8s.io")),
        "DATA_BUCKET": str(outputs["data_bucket"]),
        "ARTIFACTS_BUCKET": str(outputs["artifacts_bucket"]),
        "TRAIN_DIR": "/" + _join(DATA_MOUNT, train_prefix),
        "CHECKPOINT_DIR": "/"
        + _join(mount_path(str(outputs["checkpoint_path"]), outputs), job_name),
        "EXPORT_ARCHIVE": mount_path(export_url, outputs),
        "OUTPUT_DATA_DIR": "/" + _join(mount_path(output_path, outputs), job_name, "output"),
        "MODEL_DATA_URL": export_url,
        "BATCH_INPUT_DIR": "/" + _join(DATA_MOUNT, batch_input_prefix),
        "BATCH_OUTPUT_DIR": "/" + _join(mount_path(output_path, outputs), "batch", job_name),
    }
    if train_image:
        values["TRAIN_IMAGE"] = train_image
    if serve_image:
        values["SERVE_IMAGE"] = serve_image
    if model_data_url:
        values["MODEL_ARCHIVE"] = mount_path(model_data_url, outputs)
    return values


def render_text(text: str, values: Mapping[str, str], source: str = "manifest") -> str:
    """Replace every ``__NAME__`` with ``values[NAME]``; fail on any left unfilled."""

    def replace(match: re.Match[str]) -> str:
        return values.get(match.group(0)[2:-2], match.group(0))

    rendered = PLACEHOLDER.sub(replace, text)
    left = sorted(set(PLACEHOLDER.findall(rendered)))
    if left:
        raise RenderError(f"{source}: no value for {', '.join(left)} (see render.py --help)")
    return rendered


def render(
    manifests: Sequence[str], values: Mapping[str, str], out: Path, source: Path = HERE
) -> list[Path]:
    """Render the named manifests of ``source`` into ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in manifests:
        path = source / name
        if not path.is_file():
            raise RenderError(f"no manifest {path}")
        target = out / name
        target.write_text(render_text(path.read_text(encoding="utf-8"), values, name), "utf-8")
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(
        prog="python k8s/render.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("manifests", nargs="+", help="file names in k8s/, applied in order")
    parser.add_argument("--env", required=True)
    parser.add_argument("--job-name", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--outputs-json", type=Path)
    parser.add_argument("--train-image")
    parser.add_argument("--serve-image")
    parser.add_argument("--model-data-url", help="s3:// URL of model.tar.gz (batch jobs)")
    parser.add_argument("--train-prefix", default="train/")
    parser.add_argument("--batch-input-prefix", default="batch/input/")
    parser.add_argument("--record-dir", type=Path, help="write the job's model_data_url here")
    args = parser.parse_args(argv)
    try:
        outputs = terraform_outputs(args.env, args.outputs_json)
        values = build_values(
            outputs,
            env=args.env,
            job_name=args.job_name,
            train_image=args.train_image,
            serve_image=args.serve_image,
            model_data_url=args.model_data_url,
            train_prefix=args.train_prefix,
            batch_input_prefix=args.batch_input_prefix,
        )
        written = render(args.manifests, values, args.out)
    except RenderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.record_dir is not None:
        args.record_dir.mkdir(parents=True, exist_ok=True)
        (args.record_dir / "job_name").write_text(args.job_name + "\n", encoding="utf-8")
        if "pytorchjob.yaml" in args.manifests:
            (args.record_dir / "model_data_url").write_text(
                values["MODEL_DATA_URL"] + "\n", encoding="utf-8"
            )
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
