from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlgen.answers import build_answers, read_answers_file
from mlgen.catalog import hosting_price, price, spot_fraction, training_price
from mlgen.cost import HOURS
from mlgen.decide import decide


def lines(patch: dict) -> dict[str, tuple[float, float]]:
    b = decide(build_answers(patch))
    return {f"{l.environment}/{l.module}/{l.item}": (l.idle_usd, l.usage_usd) for l in b.cost.lines}


def test_sagemaker_training_is_usage_only_and_uses_spot() -> None:
    patch = {"scale": {"training": {"gpus_per_job": 1, "jobs_per_month": 10, "hours_per_job": 2}}}
    got = lines(patch)
    key = next(k for k in got if k.startswith("dev/training/"))
    idle, usage = got[key]
    assert idle == 0
    expected = 10 * 2 * 1 * training_price("ml.g4dn.xlarge", "us-east-1") * spot_fraction("ml.g4dn.xlarge")
    assert usage == pytest.approx(expected, abs=0.01)


def test_on_demand_costs_more_than_spot() -> None:
    spot = decide(build_answers({"budget": {"allow_spot": True}})).cost.usage_usd
    on_demand = decide(build_answers({"budget": {"allow_spot": False}})).cost.usage_usd
    assert on_demand > spot


def test_nat_and_endpoints_are_idle_cost() -> None:
    got = lines({"compliance": {"network_isolation": "private"}, "project": {"needs_internet": True}})
    assert got["dev/network/1 NAT gateway(s)"][0] == pytest.approx(
        price("nat_gateway_hour", "us-east-1") * HOURS, abs=0.01
    )
    isolated = lines({"compliance": {"network_isolation": "isolated"}})
    assert not any("NAT" in k for k in isolated)


def test_serverless_has_no_idle_cost_online_does() -> None:
    sls = decide(build_answers({"scale": {"inference": {"mode": "serverless"}}}))
    onl = decide(build_answers({"stage": "pilot", "scale": {"inference": {"mode": "online"}}}))
    ep = lambda b: sum(l.idle_usd for l in b.cost.lines if l.module == "endpoint" and "alarms" not in l.item)  # noqa: E731
    assert ep(sls) == 0
    assert ep(onl) > 0


def test_totals_add_up_and_budget_verdict() -> None:
    b = decide(build_answers({"budget": {"monthly_usd": 100000}}))
    assert b.cost.total_usd == pytest.approx(sum(l.idle_usd + l.usage_usd for l in b.cost.lines), abs=0.05)
    assert not b.cost.over_budget and b.suggestions == []
    tight = decide(build_answers({"budget": {"monthly_usd": 10, "allow_spot": False}}))
    assert tight.cost.over_budget
    assert any("spot" in s for s in tight.suggestions)


def test_every_line_states_its_assumption() -> None:
    b = decide(
        build_answers({"cloud": {"environments": ["dev", "prod"], "region": "eu-west-1", "dr_region": "eu-central-1"}})
    )
    assert all(l.assumption for l in b.cost.lines)
    assert any("replica" in l.item for l in b.cost.lines)


@pytest.mark.parametrize(
    ("traffic", "peak_instances_hours"),
    [
        ({}, 8 * 6 + 16 * 2),  # 8 peak hours at 6 instances, off-peak 10% -> the minimum of 2
        ({"peak_hours_per_day": 24}, 24 * 6),
        ({"peak_hours_per_day": 4, "off_peak_share": 0.5}, 4 * 6 + 20 * 3),
        ({"peak_hours_per_day": 0, "off_peak_share": 0}, 24 * 2),
    ],
)
def test_online_scale_out_is_costed_from_the_traffic_profile(traffic: dict, peak_instances_hours: float) -> None:
    b = decide(
        build_answers(
            {
                "stage": "production",
                "budget": {"monthly_usd": 1e5},
                "scale": {"inference": {"mode": "online", "peak_rps": 100, "traffic": traffic}},
            }
        )
    )
    (line,) = [l for l in b.cost.lines if l.module == "endpoint" and l.item.startswith("online")]
    hourly = hosting_price("ml.c5.xlarge", "us-east-1")
    assert line.idle_usd == pytest.approx(2 * hourly * HOURS, abs=0.01)  # min 2 always on
    total_hours = HOURS / 24 * peak_instances_hours
    assert line.usage_usd == pytest.approx((total_hours - 2 * HOURS) * hourly, abs=0.05)


@pytest.mark.parametrize(("mean_ms", "billed_ms"), [(None, 2000 / 8), (100, 100)])
def test_serverless_bills_the_mean_duration_per_request(mean_ms: int | None, billed_ms: float) -> None:
    inference = {"mode": "serverless", "peak_rps": 2, "p95_latency_ms": 2000, "model_size_gb": 0.5}
    inference["traffic"] = {"peak_hours_per_day": 8, "off_peak_share": 0.1, "mean_latency_ms": mean_ms}
    b = decide(build_answers({"scale": {"inference": inference}}))
    (line,) = [l for l in b.cost.lines if l.module == "endpoint" and l.item.startswith("serverless")]
    requests = 2 * 3600 * (8 + 16 * 0.1) * HOURS / 24
    gb_seconds = requests * billed_ms / 1000 * 1024 / 1024
    assert line.idle_usd == 0
    assert line.usage_usd == pytest.approx(gb_seconds * price("sagemaker_serverless_gb_second", "us-east-1"), abs=0.01)


EXAMPLES = Path(__file__).parents[2] / "examples"
PREVIOUS = json.loads((Path(__file__).parents[2] / "bench" / "cost_previous.json").read_text())["examples"]


def example(name: str):  # type: ignore[no-untyped-def]
    return decide(build_answers(read_answers_file(EXAMPLES / name / "answers.yml")))


def test_prototype_idles_under_five_dollars() -> None:
    assert example("prototype-tight-budget").cost.idle_usd <= 5.0


def test_hipaa_three_env_idle_is_at_most_40_percent_of_the_previous_release() -> None:
    b = example("hipaa-medical-imaging")
    assert len(b.environments) == 3
    assert b.cost.idle_usd <= 0.4 * PREVIOUS["hipaa-medical-imaging"]["idle_usd"], b.cost.idle_usd


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.iterdir() if (p / "answers.yml").is_file()))
def test_no_always_on_gpu_outside_production(name: str) -> None:
    b = example(name)
    for env in b.environments:
        prod = env.primary and b.compliance["stage"] == "production"
        mods = {m.name: m.inputs for m in env.modules}
        ep = mods.get("endpoint")
        if ep and ep["mode"] == "online" and ep["instance_type"].startswith(("ml.g", "ml.p")):
            assert prod, f"{env.name}: always-on GPU endpoint outside production"
        if "gpu_node_groups" in mods.get("training", {}):
            assert all(g["min_size"] == 0 for g in mods["training"]["gpu_node_groups"].values())
        if not prod:
            idle = sum(
                l.idle_usd
                for l in b.cost.lines
                if l.environment == env.name and l.module == "endpoint" and "alarms" not in l.item
            )
            assert idle == 0, (env.name, idle)


# --------------------------------------------------------------------------- coverage
# Every resource type a generated root deploys either has a cost line or is free, with the reason.
# Resource types come from the module resource list (modules/aws/<source>/*.tf), not from a plan:
# an offline plan of a generated root is impractical here (its modules read aws_caller_identity and
# other data sources that call AWS even with mock credentials).

FREE = {
    "aws_appautoscaling_policy": "Application Auto Scaling has no charge",
    "aws_appautoscaling_target": "Application Auto Scaling has no charge",
    "aws_autoscaling_group_tag": "tags are free",
    "aws_budgets_budget": "notification-only budgets list at $0.00 per budget-day",
    "aws_ce_anomaly_monitor": "Cost Anomaly Detection is free",
    "aws_ce_anomaly_subscription": "Cost Anomaly Detection is free",
    "aws_ce_cost_allocation_tag": "tag activation is free",
    "aws_cloudwatch_log_metric_filter": "filters are free; their custom metrics are on the alarm line",
    "aws_default_security_group": "security groups are free",
    "aws_ecr_lifecycle_policy": "free",
    "aws_ecr_pull_through_cache_rule": "the rule is free; cached images are billed as ECR storage (priced per repository)",
    "aws_eks_access_entry": "free",
    "aws_eks_access_policy_association": "free",
    "aws_placement_group": "placement groups have no charge (the instances in them are priced)",
    "aws_eks_addon": "EKS add-ons are free (their pods run on the costed system node)",
    "aws_eks_pod_identity_association": "free",
    "aws_flow_log": "billed as log ingestion on the flow-log line",
    "aws_fsx_data_repository_association": "part of the file system's price",
    "aws_iam_openid_connect_provider": "IAM is free",
    "aws_iam_role": "IAM is free",
    "aws_iam_role_policy": "IAM is free",
    "aws_iam_role_policy_attachment": "IAM is free",
    "aws_internet_gateway": "free (traffic is billed on the NAT line)",
    "aws_kms_alias": "aliases are free",
    "aws_kms_grant": "grants are free",
    "aws_launch_template": "free (the nodes are costed)",
    "aws_route": "free",
    "aws_route_table": "free",
    "aws_route_table_association": "free",
    "aws_s3_bucket_lifecycle_configuration": "free (transitions are per request, negligible)",
    "aws_s3_bucket_logging": "the log objects are stored in the costed buckets",
    "aws_s3_bucket_notification": "EventBridge delivery of S3 events is free",
    "aws_s3_bucket_object_lock_configuration": "free",
    "aws_s3_bucket_ownership_controls": "free",
    "aws_s3_bucket_policy": "free",
    "aws_s3_bucket_public_access_block": "free",
    "aws_s3_bucket_replication_configuration": "replica storage is on the replica line",
    "aws_s3_bucket_server_side_encryption_configuration": "free (KMS keys are costed)",
    "aws_s3_bucket_versioning": "free (versions are in the storage estimate)",
    "aws_sagemaker_domain": "the domain is free; Studio apps are on the workspace line",
    "aws_sagemaker_endpoint_configuration": "free (the endpoint is costed)",
    "aws_sagemaker_model": "free (the endpoint is costed)",
    "aws_sagemaker_model_package_group": "the model registry is free",
    "aws_sagemaker_user_profile": "free",
    "aws_security_group": "security groups are free",
    "aws_sns_topic": "first 1,000 e-mails a month free; alerts are few",
    "aws_sns_topic_policy": "free",
    "aws_sns_topic_subscription": "free",
    "aws_subnet": "free",
    "aws_vpc": "free",
    "aws_vpc_security_group_egress_rule": "free",
    "aws_vpc_security_group_ingress_rule": "free",
}

# Billable type -> (is it deployed, given the module's inputs?, words the env's line for it contains).
BILLED: dict[str, tuple[Any, str]] = {
    "aws_kms_key": (
        lambda m, i: m in ("keys", "state") or (m == "storage" and i.get("replication", {}).get("enabled")),
        {"keys": "KMS keys", "state": "key", "storage": "replica key"},
    ),
    "aws_s3_bucket": (lambda m, i: True, {"storage": "S3 ", "audit": "trail log bucket", "state_backend": "state"}),
    "aws_nat_gateway": (lambda m, i: i.get("nat_gateways", "none") != "none", "NAT gateway"),
    "aws_eip": (lambda m, i: i.get("nat_gateways", "none") != "none", "public IPv4"),
    "aws_vpc_endpoint": (lambda m, i: bool(i.get("interface_endpoints")), "interface endpoints"),
    "aws_cloudwatch_log_group": (
        lambda m, i: True,
        {
            "network": "flow logs",
            "audit": "CloudTrail + logs",
            "training": "",  # job and control-plane logs: the training lines
            "endpoint": "",  # endpoint logs: usage on the endpoint lines
        },
    ),
    "aws_cloudtrail": (lambda m, i: True, "CloudTrail"),
    "aws_cloudwatch_metric_alarm": (
        lambda m, i: m != "audit" or i.get("enable_security_alarms", True),
        {"audit": "security alarms", "endpoint": "endpoint alarms"},
    ),
    "aws_ecr_repository": (lambda m, i: True, "ECR storage"),
    "aws_sagemaker_mlflow_tracking_server": (lambda m, i: i.get("enable_mlflow"), "MLflow"),
    "aws_fsx_lustre_file_system": (lambda m, i: i.get("enable_fsx"), "FSx"),
    "aws_sagemaker_endpoint": (lambda m, i: True, ""),
    "aws_eks_cluster": (lambda m, i: True, "EKS control plane"),
    "aws_eks_node_group": (lambda m, i: True, "node"),
}


def _resource_types(source: str) -> set[str]:
    import re

    from mlgen.resources import modules_dir

    text = "".join(p.read_text() for p in (modules_dir() / "aws" / source).glob("*.tf"))
    return set(re.findall(r'^resource "([a-z0-9_]+)"', text, flags=re.M))


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.iterdir() if (p / "answers.yml").is_file()))
def test_every_deployed_resource_type_has_a_cost_line_or_is_free(name: str) -> None:
    b = example(name)
    roots = [(env.name, env.modules) for env in b.environments] + [("bootstrap", b.bootstrap)]
    missing = []
    for env, modules in roots:
        env_lines = [l for l in b.cost.lines if l.environment == env]
        for call in modules:
            for rtype in sorted(_resource_types(call.source)):
                if rtype in FREE:
                    continue
                if rtype not in BILLED:
                    missing.append(f"{env}/{call.name}: {rtype} is neither costed nor listed as free")
                    continue
                deployed, words = BILLED[rtype]
                if not deployed(call.name, call.inputs):
                    continue
                want = words.get(call.name, words.get(call.source)) if isinstance(words, dict) else words
                if want is None:
                    missing.append(f"{env}/{call.name}: no rule says which line prices {rtype}")
                    continue
                module_lines = [l for l in env_lines if l.module in (call.name, call.source)]
                if not any(want in l.item for l in module_lines):
                    missing.append(f"{env}/{call.name}: {rtype} deployed but no cost line mentions {want!r}")
    assert not missing, "\n".join(missing)


def test_cost_benchmark_prints_every_example_beside_the_previous_release(capsys: pytest.CaptureFixture[str]) -> None:
    import runpy

    bench = runpy.run_path(str(Path(__file__).parents[2] / "bench" / "cost.py"))
    assert bench["main"]([]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "idle share" in out[0] and "(main 19982a1)" in out[0]
    rows = {line.split("|")[1].strip(): line for line in out[2:]}
    assert set(rows) == set(PREVIOUS)
    for name, line in rows.items():
        cells = [c.strip() for c in line.split("|")[1:-1]]
        idle, usage, total = (float(c.replace(",", "")) for c in cells[1:4])
        assert idle + usage == pytest.approx(total, abs=0.02)
        assert float(cells[6].replace(",", "")) == PREVIOUS[name]["idle_usd"]
