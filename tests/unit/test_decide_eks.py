"""EKS blueprint: usable from day one (issue #12 item 4, EKS version, FSx)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mlgen.answers import build_answers, deep_merge
from mlgen.blueprint import Blueprint
from mlgen.catalog import efa_supported
from mlgen.decide import EKS_KUBERNETES_VERSION, EKS_STANDARD_SUPPORT_ENDS, decide

MODULES = Path(__file__).parents[2] / "modules" / "aws"

# A large team training all month: EKS. nodes_per_job 2 makes the job multi-node.
EKS = {
    "cloud": {"environments": ["dev", "prod"]},
    "stage": "production",
    "project": {"github_repository": "example-corp/llm"},
    "scale": {
        "team_size": 20,
        "training": {"gpus_per_job": 16, "nodes_per_job": 2, "jobs_per_month": 60, "hours_per_job": 12, "gpu": "a100"},
    },
    "budget": {"monthly_usd": 1e6},
}


def bp(patch: dict[str, Any] | None = None) -> Blueprint:
    b = decide(build_answers(deep_merge(deep_merge({}, EKS), patch or {})))
    assert b.ml["training_platform"] == "eks"
    return b


def training(b: Blueprint, env: str) -> dict[str, Any]:
    (m,) = [m for m in b.env(env).modules if m.name == "training"]
    assert m.source == "training_eks"
    return m.inputs


def test_kubernetes_version_is_in_standard_support_and_defined_once() -> None:
    b = bp()
    assert training(b, "prod")["kubernetes_version"] == EKS_KUBERNETES_VERSION
    # The generator's date and the support calendar (source and date in decide.py).
    assert date.fromisoformat(EKS_STANDARD_SUPPORT_ENDS) > date(2026, 12, 2)
    # The module has no default of its own that could drift from the generator's.
    variables = (MODULES / "training_eks" / "variables.tf").read_text(encoding="utf-8")
    block = variables[variables.index('variable "kubernetes_version"') :].split("\n}\n", 1)[0]
    assert not re.search(r"^\s*default\s*=", block, re.MULTILINE)
    # The Cluster Autoscaler release follows the Kubernetes minor version.
    assert b.ml["cluster_autoscaler_version"].startswith(EKS_KUBERNETES_VERSION + ".")


def test_gpu_group_tells_the_autoscaler_its_gpus_and_multi_node_gets_one_az_placement_and_efa() -> None:
    group = training(bp(), "prod")["gpu_node_groups"]["gpu"]
    assert group["instance_types"] == ["p4d.24xlarge"]
    assert group["gpus_per_node"] == 8
    assert group["min_size"] == 0 and group["max_size"] == 2
    assert group["placement_group"] is True
    assert group["efa"] is True


def test_single_node_jobs_need_no_placement_group_and_small_types_no_efa() -> None:
    b = bp({"scale": {"training": {"gpus_per_job": 8, "nodes_per_job": 1}}})
    group = training(b, "prod")["gpu_node_groups"]["gpu"]
    assert group["placement_group"] is False and group["efa"] is False
    assert efa_supported("p5.48xlarge") and efa_supported("g5.48xlarge")
    assert not efa_supported("g5.xlarge") and not efa_supported("unknown.type")


@pytest.mark.parametrize(("isolation", "cache"), [("isolated", True), ("private", False)])
def test_isolated_vpc_pulls_public_images_through_the_ecr_cache(isolation: str, cache: bool) -> None:
    patch: dict[str, Any] = {"compliance": {"network_isolation": isolation}}
    if isolation == "isolated":
        patch["project"] = {"needs_internet": False}
    b = bp(patch)
    for env in ("dev", "prod"):
        image_cache = training(b, env)["image_cache"]
        assert image_cache["enabled"] is cache
        assert re.fullmatch(r"[a-z0-9]+(?:[._-][a-z0-9]+)*", image_cache["prefix"])
        assert 2 <= len(image_cache["prefix"]) <= 19
    assert training(b, "dev")["image_cache"]["prefix"] != training(b, "prod")["image_cache"]["prefix"]


def test_ci_role_can_run_jobs_and_the_way_in_is_recorded() -> None:
    b = bp()
    assert training(b, "dev")["training_deployer_role_names"] == ["demo-ml-ci-github-apply"]
    no_ci = bp({"project": {"github_repository": None}})
    assert training(no_ci, "dev")["training_deployer_role_names"] == []
    d = b.decision("eks-access")
    assert "SSM" in d.rationale and "deployer role" in d.rationale
    assert b.env("dev").outputs["eks_deployer_role_arn"] == "module.training.deployer_role_arn"
    assert b.env("dev").outputs["image_registries"] == "module.training.image_registries"


def test_autoscaler_and_tunnel_have_their_vpc_endpoints() -> None:
    (net,) = [m for m in bp().env("prod").modules if m.name == "network"]
    assert {"autoscaling", "ec2", "eks", "eks-auth", "ssm", "ssmmessages"} <= set(net.inputs["interface_endpoints"])


def test_no_fsx_the_cluster_cannot_mount() -> None:
    # FSx for Lustre stays off until a template mounts it (decide.TEMPLATE_WIRES_FSX): no node
    # group carries its security group, no CSI driver, manifests mount S3.
    b = bp({"scale": {"dataset_size_gb": 50000, "training": {"jobs_per_month": 200, "hours_per_job": 24}}})
    for env in ("dev", "prod"):
        (storage,) = [m for m in b.env(env).modules if m.name == "storage"]
        assert storage.inputs["enable_fsx"] is False


@pytest.mark.parametrize(
    ("slug", "env", "expected"),
    [("support-copilot", "prod", "support-copilo-prod"), ("ml", "dev", "ml-dev")],
)
def test_image_cache_prefix_keeps_the_env_whole(slug: str, env: str, expected: str) -> None:
    from mlgen.decide import _image_cache_prefix

    prefix = _image_cache_prefix(slug, env)
    assert prefix == expected and len(prefix) <= 19
    assert prefix.endswith("-" + env)
