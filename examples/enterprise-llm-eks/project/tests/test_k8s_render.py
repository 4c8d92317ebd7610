"""k8s/render.py fills every placeholder of the EKS manifests from Terraform outputs."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("k8s_render", ROOT / "k8s" / "render.py")
assert _spec is not None and _spec.loader is not None
render = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render)

TRAINING = ["namespace.yaml", "serviceaccount.yaml", "storage.yaml", "pytorchjob.yaml"]
SLUG = "support-copilot"
REGION = "us-west-2"
JOB = f"{SLUG}-abc123"
PODS = 2
IMAGE = f"123456789012.dkr.ecr.{REGION}.amazonaws.com/{SLUG}-train:abc123"
OUTPUTS = {
    "data_bucket": f"{SLUG}-dev-data",
    "artifacts_bucket": f"{SLUG}-dev-artifacts",
    "output_path": f"s3://{SLUG}-dev-artifacts/training/",
    "checkpoint_path": f"s3://{SLUG}-dev-artifacts/checkpoints/",
    "training_namespace": "training",
    "training_service_account": "trainer",
    "eks_cluster_name": f"{SLUG}-dev",
    "image_registries": {"registry.k8s.io": "registry.k8s.io"},
}
CACHE = f"123456789012.dkr.ecr.{REGION}.amazonaws.com/{SLUG}-dev/k8s"
SETUP = ["namespace.yaml", "rbac.yaml", "cluster-autoscaler.yaml"]


def values(**changes: object) -> dict[str, str]:
    arguments: dict = {"env": "dev", "job_name": JOB, "train_image": IMAGE}
    arguments.update(changes)
    return render.build_values(OUTPUTS, **arguments)


def test_training_manifests_have_no_placeholder_left(tmp_path: Path) -> None:
    written = render.render(TRAINING, values(), tmp_path)

    assert [path.name for path in written] == TRAINING
    for path in written:
        assert not render.PLACEHOLDER.search(path.read_text(encoding="utf-8")), path.name
    job = (tmp_path / "pytorchjob.yaml").read_text(encoding="utf-8")
    assert f"image: {IMAGE}" in job
    assert f"--checkpoint-dir=/mnt/artifacts/checkpoints/{JOB}" in job
    assert f"--export-archive=/mnt/artifacts/training/{JOB}/model.tar.gz" in job
    assert "--train-dir=/mnt/data/train" in job
    assert f"--output-data-dir=/mnt/artifacts/training/{JOB}/output" in job
    storage = (tmp_path / "storage.yaml").read_text(encoding="utf-8")
    assert f"bucketName: {SLUG}-dev-data" in storage


def test_rendered_job_requests_the_generated_gpus(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    render.render(["pytorchjob.yaml"], values(), tmp_path)

    job = yaml.safe_load((tmp_path / "pytorchjob.yaml").read_text(encoding="utf-8"))

    specs = job["spec"]["pytorchReplicaSpecs"]
    workers = specs.get("Worker", {}).get("replicas", 0)
    assert specs["Master"]["replicas"] + workers == PODS
    container = specs["Master"]["template"]["spec"]["containers"][0]
    assert container["name"] == "pytorch"
    assert container["resources"]["limits"]["nvidia.com/gpu"] == 8
    assert specs["Master"]["template"]["spec"]["serviceAccountName"] == "trainer"


def test_missing_image_is_reported(tmp_path: Path) -> None:
    with pytest.raises(render.RenderError, match="__TRAIN_IMAGE__"):
        render.render(["pytorchjob.yaml"], values(train_image=None), tmp_path)


def test_identity_mismatch_with_the_infrastructure_is_refused() -> None:
    with pytest.raises(render.RenderError, match="pod identity"):
        render.build_values({**OUTPUTS, "training_namespace": "ml"}, env="dev", job_name="x")


def test_model_outside_the_mounted_buckets_is_refused() -> None:
    with pytest.raises(render.RenderError, match="neither"):
        values(model_data_url="s3://elsewhere/model.tar.gz")


def test_invalid_job_name_is_refused() -> None:
    with pytest.raises(render.RenderError, match="not a valid Kubernetes name"):
        values(job_name="Fraud_Scoring")


def test_command_line_records_the_model_location(tmp_path: Path) -> None:
    saved = tmp_path / "outputs.json"
    saved.write_text(json.dumps({k: {"value": v} for k, v in OUTPUTS.items()}), encoding="utf-8")

    arguments = ["--env", "dev", "--job-name", "job-1", "--train-image", IMAGE]
    arguments += ["--outputs-json", str(saved), "--out", str(tmp_path / "k8s")]

    code = render.main([*arguments, "--record-dir", str(tmp_path), *TRAINING])

    assert code == 0
    recorded = (tmp_path / "model_data_url").read_text(encoding="utf-8").strip()
    assert recorded == f"s3://{SLUG}-dev-artifacts/training/job-1/model.tar.gz"


def _autoscaler(tmp_path: Path, outputs: dict) -> dict:
    yaml = pytest.importorskip("yaml")
    render.render(SETUP, render.build_values(outputs, env="dev", job_name="setup"), tmp_path)
    text = (tmp_path / "cluster-autoscaler.yaml").read_text(encoding="utf-8")
    docs = list(yaml.safe_load_all(text))
    return next(d for d in docs if d["kind"] == "Deployment")


def test_cluster_autoscaler_discovers_this_clusters_node_groups(tmp_path: Path) -> None:
    deployment = _autoscaler(tmp_path, OUTPUTS)

    spec = deployment["spec"]["template"]["spec"]
    assert spec["serviceAccountName"] == "cluster-autoscaler"
    container = spec["containers"][0]
    discovery = "k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/" + f"{SLUG}-dev"
    assert f"--node-group-auto-discovery=asg:tag={discovery}" in container["command"]
    assert container["image"].startswith("registry.k8s.io/autoscaling/cluster-autoscaler:v")
    assert {"name": "AWS_REGION", "value": REGION} in container["env"]


def test_cluster_autoscaler_image_comes_through_the_pull_through_cache(tmp_path: Path) -> None:
    deployment = _autoscaler(tmp_path, {**OUTPUTS, "image_registries": {"registry.k8s.io": CACHE}})

    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image.startswith(f"{CACHE}/autoscaling/cluster-autoscaler:v")


def test_ci_group_may_only_run_jobs_in_the_training_namespace(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    render.render(
        ["rbac.yaml"], render.build_values(OUTPUTS, env="dev", job_name="setup"), tmp_path
    )
    role, binding = yaml.safe_load_all((tmp_path / "rbac.yaml").read_text(encoding="utf-8"))

    assert role["kind"] == "Role" and role["metadata"]["namespace"] == "training"
    assert binding["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "training-deployers"}
    ]
    assert any("pytorchjobs" in rule["resources"] for rule in role["rules"])
    assert not any("*" in rule["verbs"] or "secrets" in rule["resources"] for rule in role["rules"])
