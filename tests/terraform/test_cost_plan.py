"""``mlgen cost`` agrees with an independent recomputation from the planned resources.

A generated environment root is planned for real (terraform + the aws provider) against moto in
server mode on 127.0.0.1 (the modules' data sources call STS/EC2, so a plan with mock keys alone
fails); the helper below prices what the plan creates, resource by resource, from the price
table, and each module's idle cost must match mlgen's estimate within 15 %. Modules whose idle cost
depends on stored volume rather than on resources (storage GB, ECR images) or on a model that is
deployed later (endpoint) are left out of the comparison, by name.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from mlgen import api
from mlgen.answers import build_answers, read_answers_file
from mlgen.catalog import ec2_price, mlflow_price, price
from mlgen.cost import HOURS
from mlgen.decide import decide
from mlgen.terraform import Terraform

pytestmark = pytest.mark.terraform
EXAMPLES = Path(__file__).parents[2] / "examples"
COMPARED = ("keys", "network", "audit", "training")  # idle driven by resources alone

OVERRIDE = """
terraform {
  backend "local" {}
}
%s
"""
PROVIDER = """
provider "aws" {
  %s
  region                      = var.region
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  s3_use_path_style           = true
  max_retries                 = 2
  endpoints {
    sts = "%s"
    ec2 = "%s"
    iam = "%s"
  }
  default_tags {
    tags = local.tags
  }
}
"""


def recompute_idle(plan: dict[str, Any], region: str) -> dict[str, float]:
    """Idle USD/month per module, priced from the resources the plan creates (not the blueprint)."""
    out: dict[str, float] = {}
    # Endpoint subnet ids are unknown until apply: count the private subnets the plan creates and the
    # AZ count the root configures for the network module.
    private = sum(
        1
        for rc in plan["resource_changes"]
        if rc["type"] == "aws_subnet" and rc.get("name") == "private" and "create" in rc["change"]["actions"]
    )
    calls = plan.get("configuration", {}).get("root_module", {}).get("module_calls", {})
    az_expr = calls.get("network", {}).get("expressions", {}).get("interface_endpoint_az_count", {})
    endpoint_azs = min(private, az_expr.get("constant_value") or private)
    for rc in plan["resource_changes"]:
        if "create" not in rc["change"]["actions"]:
            continue
        module = (rc.get("module_address") or "root").split(".")[1] if rc.get("module_address") else "root"
        after = rc["change"]["after"] or {}
        rtype, usd = rc["type"], 0.0
        if rtype == "aws_kms_key":
            usd = price("kms_key_month", region)
        elif rtype == "aws_nat_gateway":
            usd = price("nat_gateway_hour", region) * HOURS
        elif rtype == "aws_eip":
            usd = price("public_ipv4_address_hour", region) * HOURS
        elif rtype == "aws_vpc_endpoint" and after.get("vpc_endpoint_type") == "Interface":
            subnets = after.get("subnet_ids")
            n = len(subnets) if isinstance(subnets, list) and subnets else endpoint_azs
            usd = n * price("vpc_interface_endpoint_az_hour", region) * HOURS
        elif rtype == "aws_cloudwatch_metric_alarm":
            usd = price("cloudwatch_alarm_month", region)
        elif rtype == "aws_cloudwatch_log_metric_filter":
            usd = price("cloudwatch_custom_metric_month", region)
        elif rtype == "aws_eks_cluster":
            usd = price("eks_cluster_hour", region) * HOURS
        elif rtype == "aws_eks_node_group":
            scaling = after["scaling_config"][0]
            usd = scaling["min_size"] * (ec2_price(after["instance_types"][0], region) or 0.0) * HOURS
        elif rtype == "aws_fsx_lustre_file_system":
            usd = after["storage_capacity"] * price("fsx_lustre_scratch2_gb_month", region)
        elif rtype == "aws_sagemaker_mlflow_tracking_server":
            usd = mlflow_price(after["tracking_server_size"].lower(), region) * HOURS
        out[module] = out.get(module, 0.0) + usd
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def moto_url() -> Any:
    server = shutil.which("moto_server")
    if server is None:
        pytest.skip("moto_server (moto[server]) is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [server, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"MOTO_IAM_LOAD_MANAGED_POLICIES": "true", "PATH": "/usr/bin:/bin"},
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.parametrize(("example", "env"), [("prototype-tight-budget", "dev"), ("tabular-serverless", "prod")])
def test_cost_matches_a_recomputation_from_the_plan(
    example: str, env: str, moto_url: str, tf: Terraform, tmp_path: Path
) -> None:
    answers = build_answers(read_answers_file(EXAMPLES / example / "answers.yml"))
    dest = tmp_path / "p"
    api.new(dest, answers, check=False, use_git=False, echo=lambda _: None)
    root = dest / "infra" / "envs" / env
    providers = PROVIDER % ("", moto_url, moto_url, moto_url) + PROVIDER % (
        'alias = "dr"',
        moto_url,
        moto_url,
        moto_url,
    )
    (root / "zz_override.tf").write_text(OVERRIDE % providers)
    offline = Terraform(env={**tf.env, "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost"})
    assert offline.run(root, "init", "-input=false", "-no-color").returncode == 0
    plan = offline.run(root, "plan", "-input=false", "-no-color", "-out=plan.bin", timeout=900)
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]
    shown = offline.run(root, "show", "-json", "plan.bin")
    planned = recompute_idle(json.loads(shown.stdout), answers.cloud.region)

    estimate = {m: idle for e, m, idle, _ in decide(answers).cost.by_module() if e == env}
    for module in COMPARED:
        if module not in estimate and module not in planned:
            continue
        want, got = planned.get(module, 0.0), estimate.get(module, 0.0)
        assert got == pytest.approx(want, rel=0.15, abs=0.5), (module, got, want)
