"""Table tests: one per decision rule, answers in, the decided choice out."""

from __future__ import annotations

from typing import Any

import pytest

from mlgen.answers import build_answers, deep_merge
from mlgen.blueprint import Blueprint
from mlgen.catalog import price
from mlgen.cost import HOURS
from mlgen.decide import decide


def bp(patch: dict[str, Any] | None = None) -> Blueprint:
    return decide(build_answers(deep_merge({}, patch or {})))


def module(b: Blueprint, env: str, name: str) -> dict[str, Any] | None:
    for m in b.env(env).modules:
        if m.name == name:
            return m.inputs
    return None


def test_decide_is_pure_and_deterministic() -> None:
    assert bp().model_dump() == bp().model_dump()


def test_every_decision_names_its_drivers() -> None:
    for d in bp().decisions:
        assert d.driven_by and d.rationale and d.choice, d.id


@pytest.mark.parametrize(
    ("training", "team", "expected"),
    [
        ({}, 3, "sagemaker"),  # default: pay per job
        ({"gpus_per_job": 8, "nodes_per_job": 2, "jobs_per_month": 200, "hours_per_job": 24}, 12, "eks"),
        ({"gpus_per_job": 8, "nodes_per_job": 2, "jobs_per_month": 200, "hours_per_job": 24}, 2, "sagemaker"),
        ({"gpus_per_job": 1, "jobs_per_month": 2, "hours_per_job": 1}, 50, "sagemaker"),
        ({"gpus_per_job": 0, "jobs_per_month": 500, "hours_per_job": 24}, 50, "sagemaker"),  # CPU
    ],
)
def test_training_platform(training: dict, team: int, expected: str) -> None:
    b = bp({"scale": {"training": training, "team_size": team}, "budget": {"monthly_usd": 1e6}})
    d = b.decision("training-platform")
    assert d.choice == expected
    assert "Crossover" in d.rationale
    assert module(b, "dev", "training") is not None
    assert b.ml["training_platform"] == expected


@pytest.mark.parametrize(
    ("training", "model_gb", "check"),
    [
        ({"gpus_per_job": 1}, 1, lambda i: i.startswith("ml.g4dn.xlarge")),
        ({"gpus_per_job": 4}, 1, lambda i: i in ("ml.g4dn.12xlarge", "ml.g5.12xlarge", "ml.g6.12xlarge")),
        ({"gpus_per_job": 1, "gpu": "a10g"}, 1, lambda i: i.startswith("ml.g5.")),
        ({"gpus_per_job": 8, "nodes_per_job": 2}, 1, lambda i: i.endswith("48xlarge")),  # one 8-GPU node
        ({"gpus_per_job": 0}, 1, lambda i: i == "CPU (ml.m5.4xlarge)"),
    ],
)
def test_training_instance(training: dict, model_gb: float, check: Any) -> None:
    b = bp({"scale": {"training": training, "inference": {"model_size_gb": model_gb}}, "budget": {"monthly_usd": 1e6}})
    assert check(b.decision("training-instance").choice), b.decision("training-instance").choice


def test_large_model_gets_a_gpu_with_enough_memory() -> None:
    b = bp(
        {
            "scale": {"training": {"gpus_per_job": 1}, "inference": {"model_size_gb": 5, "mode": "async"}},
            "budget": {"monthly_usd": 1e6},
        }
    )
    choice = b.decision("training-instance").choice
    assert choice.startswith(("ml.p4d", "ml.p5")), choice  # 5 GB x 8 = 40 GB per GPU: A100/H100 only


@pytest.mark.parametrize(
    ("training", "region", "instance", "nodes", "note"),
    [
        # 8 A100s asked as 4 x 2: no 2-GPU A100 shape is sold, one 8-GPU node gives them all.
        ({"gpus_per_job": 8, "nodes_per_job": 4, "gpu": "a100"}, "us-west-2", "ml.p4d.24xlarge", 1, "does not exist"),
        # 8 A10Gs asked as 2 x 4: that shape exists, but one 8-GPU node needs fewer nodes.
        ({"gpus_per_job": 8, "nodes_per_job": 2, "gpu": "a10g"}, "us-east-1", "ml.g5.48xlarge", 1, "fewer nodes"),
        # 16 A100s: two 8-GPU nodes is the fewest possible, and is what was asked.
        ({"gpus_per_job": 16, "nodes_per_job": 2, "gpu": "a100"}, "us-west-2", "ml.p4d.24xlarge", 2, "is sold"),
        # 16 T4s over 4 nodes: the largest T4 shape has 4 GPUs, so 4 nodes.
        ({"gpus_per_job": 16, "nodes_per_job": 4, "gpu": "t4"}, "eu-west-1", "ml.g4dn.12xlarge", 4, "is sold"),
        # 2 GPUs on one node: no 2-GPU shape; the cheapest 1-node shape with >= 2 GPUs (4 T4s) is billed.
        ({"gpus_per_job": 2, "nodes_per_job": 1}, "us-east-1", "ml.g4dn.12xlarge", 1, "does not exist"),
    ],
)
def test_gpu_packing_fewest_nodes_and_bill_what_is_provisioned(
    training: dict, region: str, instance: str, nodes: int, note: str
) -> None:
    from mlgen.catalog import spot_fraction, training_price

    job = {"jobs_per_month": 10, "hours_per_job": 5}
    b = bp({"cloud": {"region": region}, "scale": {"training": {**training, **job}}, "budget": {"monthly_usd": 1e7}})
    assert b.ml["training_platform"] == "sagemaker"
    assert (b.ml["instance_type"], b.ml["instance_count"]) == (instance, nodes)
    d = b.decision("training-instance")
    assert note in d.rationale, d.rationale
    assert f"{nodes * b.ml['gpus_per_instance']} GPUs provisioned and billed" in d.rationale
    assert b.ml["gpus_per_instance"] * nodes >= training["gpus_per_job"]
    usage = sum(line.usage_usd for line in b.cost.lines if line.module == "training")
    expected = 10 * 5 * nodes * training_price(instance, region) * spot_fraction(instance)
    assert usage == pytest.approx(expected, abs=0.05)


def test_eks_example_packs_8_gpu_jobs_on_one_node_within_budget() -> None:
    """The EKS example asked as 8 GPUs over 4 nodes: one p4d node, the node group may grow to 1."""
    from pathlib import Path

    from mlgen.answers import read_answers_file

    data = read_answers_file(Path(__file__).parents[2] / "examples" / "enterprise-llm-eks" / "answers.yml")
    b = decide(build_answers(deep_merge(data, {"scale": {"training": {"gpus_per_job": 8, "nodes_per_job": 4}}})))
    assert b.ml["training_platform"] == "eks"
    assert (b.ml["instance_type"], b.ml["instance_count"], b.ml["gpus_per_instance"]) == ("p4d.24xlarge", 1, 8)
    group = module(b, "prod", "training")["gpu_node_groups"]["gpu"]
    assert group["instance_types"] == ["p4d.24xlarge"] and group["max_size"] == 1
    assert not b.cost.over_budget, b.cost.total_usd


@pytest.mark.parametrize(("allow", "expected"), [(True, "spot with checkpointing"), (False, "on-demand")])
def test_spot(allow: bool, expected: str) -> None:
    b = bp({"budget": {"allow_spot": allow}})
    assert b.decision("training-capacity").choice == expected
    assert b.ml["use_spot"] is allow


@pytest.mark.parametrize(
    ("inference", "stage", "envs", "modes", "prod_min"),
    [
        # CPU model that fits serverless: dev is serverless, prod keeps two instances (availability).
        ({"mode": "online", "peak_rps": 200}, "production", ["dev", "prod"], ["serverless", "online"], 2),
        # GPU model: dev cannot be serverless, so async with minimum 0.
        ({"mode": "online", "peak_rps": 200, "gpu": True}, "production", ["dev", "prod"], ["async", "online"], 2),
        (
            {"mode": "online", "peak_rps": 200, "gpu": True},
            "pilot",
            ["dev", "staging", "prod"],
            ["async"] * 2 + ["online"],
            1,
        ),
        # A prototype has no production environment: nothing is always on.
        ({"mode": "online", "peak_rps": 20, "gpu": True}, "prototype", ["dev"], ["async"], None),
        ({"mode": "online", "peak_rps": 20, "model_size_gb": 8}, "prototype", ["dev"], ["async"], None),
        ({"mode": "async", "gpu": True}, "production", ["dev", "prod"], ["async", "async"], None),
    ],
)
def test_endpoints_scale_to_zero_outside_production(
    inference: dict, stage: str, envs: list[str], modes: list[str], prod_min: int | None
) -> None:
    b = bp(
        {
            "cloud": {"environments": envs},
            "stage": stage,
            "budget": {"monthly_usd": 1e5},
            "scale": {"inference": inference},
        }
    )
    got = [module(b, e, "endpoint")["mode"] for e in envs]
    assert got == modes
    idle = {
        e: sum(
            l.idle_usd for l in b.cost.lines if l.module == "endpoint" and l.environment == e and "alarms" not in l.item
        )
        for e in envs
    }
    for env, mode in zip(envs, modes, strict=True):
        ep = module(b, env, "endpoint")
        if mode == "online":
            assert ep["autoscaling"]["min"] == prod_min and idle[env] > 0
        else:
            assert idle[env] == 0, (env, idle)
    assert "scales to zero" in b.decision("inference-mode").rationale


@pytest.mark.parametrize(
    ("patch", "fsx", "lock", "replication"),
    [
        ({}, False, False, False),
        (
            {"scale": {"dataset_size_gb": 2000, "training": {"gpus_per_job": 16, "nodes_per_job": 2}}},
            False,  # multi-node, large dataset, but nothing mounts FSx (see test_fsx_*)
            False,
            False,
        ),
        (
            {"scale": {"dataset_size_gb": 2000, "training": {"gpus_per_job": 4, "nodes_per_job": 1}}},
            False,
            False,
            False,
        ),
        ({"compliance": {"frameworks": ["hipaa"], "audit_retention_days": 2190}}, False, True, False),
        ({"cloud": {"region": "eu-west-1", "dr_region": "eu-central-1"}}, False, False, True),
    ],
)
def test_storage(patch: dict, fsx: bool, lock: bool, replication: bool) -> None:
    b = bp(deep_merge(patch, {"budget": {"monthly_usd": 1e6}}))
    s = module(b, "dev", "storage")
    assert s is not None
    assert s["enable_fsx"] is fsx
    assert s["object_lock"]["enabled"] is lock
    assert s["replication"]["enabled"] is replication


@pytest.mark.parametrize(
    ("patch", "nat"),
    [
        ({"compliance": {"network_isolation": "isolated"}}, "none"),
        # private or none: NAT only when a workload must reach the internet
        ({"compliance": {"network_isolation": "private"}}, "none"),
        ({"compliance": {"network_isolation": "none"}}, "none"),
        ({"compliance": {"network_isolation": "private"}, "project": {"needs_internet": True}}, "single"),
        ({"compliance": {"network_isolation": "none"}, "project": {"needs_internet": True}}, "single"),
        (
            {
                "compliance": {"network_isolation": "private"},
                "project": {"needs_internet": True},
                "stage": "production",
                "budget": {"monthly_usd": 9000},
            },
            "per_az",
        ),
        (
            {
                "compliance": {"network_isolation": "private"},
                "project": {"needs_internet": True},
                "stage": "production",
                "budget": {"monthly_usd": 2000},
            },
            "single",
        ),
    ],
)
def test_nat_only_with_egress(patch: dict, nat: str) -> None:
    b = bp(patch)
    n = module(b, "dev", "network")
    assert n["nat_gateways"] == nat
    nat_lines = [l for l in b.cost.lines if "NAT" in l.item]
    assert bool(nat_lines) is (nat != "none")
    if nat == "none" and patch["compliance"]["network_isolation"] != "isolated":
        assert "needs_internet: true would add one" in b.decision("network").rationale


def test_eks_public_images_need_nat_and_per_az_only_in_prod() -> None:
    b = bp(
        {
            "cloud": {"environments": ["dev", "prod"]},
            "stage": "production",
            "scale": {
                "team_size": 12,
                "training": {"gpus_per_job": 8, "nodes_per_job": 1, "jobs_per_month": 200, "hours_per_job": 24},
            },
            "budget": {"monthly_usd": 1e6},
        }
    )
    assert b.ml["training_platform"] == "eks"
    assert module(b, "prod", "network")["nat_gateways"] == "per_az"
    assert module(b, "dev", "network")["nat_gateways"] == "single"
    assert "public images" in b.decision("network").rationale


@pytest.mark.parametrize(
    ("patch", "env", "expected", "az_count"),
    [
        # SageMaker training + Studio + serverless endpoint in the only env (prototype: one AZ)
        (
            {"scale": {"inference": {"mode": "serverless"}}},
            "dev",
            {"ecr.api", "ecr.dkr", "kms", "logs", "sts", "sagemaker.api", "sagemaker.runtime", "sagemaker.studio"},
            1,
        ),
        # no team: no Studio endpoint
        (
            {"scale": {"team_size": 0, "inference": {"mode": "none"}}},
            "dev",
            {"ecr.api", "ecr.dkr", "kms", "logs", "sts", "sagemaker.api", "sagemaker.runtime"},
            1,
        ),
        # production: Studio lives in the first env only; prod endpoints span both AZs
        (
            {
                "cloud": {"environments": ["dev", "prod"]},
                "stage": "production",
                "scale": {"inference": {"mode": "none"}},
            },
            "prod",
            {"ecr.api", "ecr.dkr", "kms", "logs", "sts", "sagemaker.api", "sagemaker.runtime"},
            2,
        ),
        (
            {
                "cloud": {"environments": ["dev", "prod"]},
                "stage": "production",
                "scale": {"inference": {"mode": "none"}},
            },
            "dev",
            {"ecr.api", "ecr.dkr", "kms", "logs", "sts", "sagemaker.api", "sagemaker.runtime", "sagemaker.studio"},
            1,
        ),
    ],
)
def test_interface_endpoints_are_what_the_env_calls(patch: dict, env: str, expected: set, az_count: int) -> None:
    b = bp(deep_merge({"compliance": {"network_isolation": "private"}, "budget": {"monthly_usd": 1e5}}, patch))
    n = module(b, env, "network")
    assert set(n["interface_endpoints"]) == expected
    assert n["interface_endpoint_az_count"] == az_count
    (line,) = [l for l in b.cost.lines if l.environment == env and "interface endpoints" in l.item]
    assert line.idle_usd == pytest.approx(
        len(expected) * az_count * price("vpc_interface_endpoint_az_hour", "us-east-1") * HOURS, abs=0.01
    )


def test_no_mlflow_endpoint_without_mlflow_and_no_elb_endpoint() -> None:
    b = bp({"stage": "production", "budget": {"monthly_usd": 1e6}, "scale": {"team_size": 12}})
    for env in b.environments:
        eps = set(module(b, env.name, "network")["interface_endpoints"])
        assert "sagemaker.experiments" not in eps and "elasticloadbalancing" not in eps


@pytest.mark.parametrize(
    ("inference", "stage", "mode"),
    [
        ({"peak_rps": 0}, "prototype", "batch"),
        ({"p95_latency_ms": 120000}, "prototype", "async"),
        ({"peak_rps": 5, "p95_latency_ms": 2000}, "prototype", "serverless"),
        ({"peak_rps": 50, "p95_latency_ms": 200}, "prototype", "online"),
        ({"peak_rps": 5, "p95_latency_ms": 2000, "gpu": True}, "prototype", "online"),
        ({"mode": "none"}, "prototype", "none"),
    ],
)
def test_inference_mode(inference: dict, stage: str, mode: str) -> None:
    b = bp({"scale": {"inference": inference}, "stage": stage, "budget": {"monthly_usd": 1e5}})
    assert b.ml["inference_mode"] == mode
    has_endpoint = module(b, "dev", "endpoint") is not None
    assert has_endpoint is (mode in ("online", "serverless", "async"))


def test_online_capacity_from_traffic() -> None:
    b = bp(
        {
            "stage": "production",
            "scale": {"inference": {"mode": "online", "peak_rps": 100}},
            "budget": {"monthly_usd": 1e5},
        }
    )
    ep = module(b, "dev", "endpoint")
    assert ep["instance_type"] == "ml.c5.xlarge"
    assert b.ml["inference"]["max_instances"] == 6  # ceil(100 * 1.3 / 25)


@pytest.mark.parametrize(("stage", "budget"), [("prototype", 1e5), ("pilot", 5000), ("production", 1e6)])
def test_mlflow_only_when_wired(stage: str, budget: float, monkeypatch: pytest.MonkeyPatch) -> None:
    import mlgen.decide

    b = bp({"stage": stage, "budget": {"monthly_usd": budget}})
    assert all(module(b, e.name, "registry")["enable_mlflow"] is False for e in b.environments)
    assert not any("MLflow" in l.item for l in b.cost.lines)
    if stage != "prototype":
        assert "nothing in the generated code logs to it" in b.decision("registries").rationale
    # Once the template wires it, the budget rule decides (and its idle cost is stated).
    monkeypatch.setattr(mlgen.decide, "TEMPLATE_WIRES_MLFLOW", True)
    wired = bp({"stage": stage, "budget": {"monthly_usd": budget}})
    assert module(wired, "dev", "registry")["enable_mlflow"] is (stage != "prototype")
    if stage != "prototype":
        assert "/month idle" in wired.decision("registries").rationale
        assert "sagemaker.experiments" in module(wired, "dev", "network")["interface_endpoints"]


@pytest.mark.parametrize(("jobs", "hours", "always_on"), [(12, 10, False), (60, 12, True)])
def test_fsx_only_when_wired_and_per_run_vs_always_on_by_hours(
    jobs: int, hours: float, always_on: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlgen.decide

    patch = {
        "scale": {
            "dataset_size_gb": 4000,
            "training": {"gpus_per_job": 16, "nodes_per_job": 2, "jobs_per_month": jobs, "hours_per_job": hours},
        },
        "budget": {"monthly_usd": 1e7},
    }
    b = bp(patch)
    assert module(b, "dev", "storage")["enable_fsx"] is False
    why = b.decision("storage").rationale
    assert "no node mounts a file system" in why
    assert ("always on would pay off" if always_on else "per run is cheaper") in why
    monkeypatch.setattr(mlgen.decide, "TEMPLATE_WIRES_FSX", True)
    wired = bp(patch)
    assert module(wired, "dev", "storage")["enable_fsx"] is always_on
    assert any("FSx" in l.item for l in wired.cost.lines) is always_on


@pytest.mark.parametrize(
    ("team", "isolation", "present", "vpc_only"),
    [(3, "private", True, True), (0, "private", False, None), (3, "none", True, False)],
)
def test_workspace(team: int, isolation: str, present: bool, vpc_only: bool | None) -> None:
    ws = module(bp({"scale": {"team_size": team}, "compliance": {"network_isolation": isolation}}), "dev", "workspace")
    assert (ws is not None) is present
    if ws:
        assert ws["vpc_only"] is vpc_only


@pytest.mark.parametrize(
    ("compliance", "purposes", "data_events"),
    [
        ({}, ["artifacts", "data", "endpoints", "logs"], True),
        ({"data_classification": "internal"}, ["data", "logs"], False),
        ({"frameworks": ["hipaa"], "audit_retention_days": 2190}, ["artifacts", "data", "endpoints", "logs"], True),
    ],
)
def test_keys_and_audit(compliance: dict, purposes: list[str], data_events: bool) -> None:
    b = bp({"compliance": compliance, "scale": {"inference": {"mode": "online"}}, "budget": {"monthly_usd": 1e5}})
    assert module(b, "dev", "keys")["purposes"] == purposes
    audit = module(b, "dev", "audit")
    assert bool(audit["data_event_bucket_arns"]) is data_events
    wanted = compliance.get("audit_retention_days", 365)
    assert audit["retention_days"] >= wanted  # rounded up to a CloudWatch Logs retention value
    assert audit["retention_days"] in (365, 2192)


@pytest.mark.parametrize(("days", "expected"), [(90, 365), (365, 365), (366, 400), (2190, 2192), (3650, 3653)])
def test_log_retention_rounds_up_to_a_cloudwatch_value(days: int, expected: int) -> None:
    from mlgen.decide import log_retention

    assert log_retention(days) == expected


@pytest.mark.parametrize(("stage", "capture"), [("production", True), ("pilot", False)])
def test_monitoring(stage: str, capture: bool) -> None:
    b = bp({"stage": stage, "scale": {"inference": {"mode": "online"}}, "budget": {"monthly_usd": 1e5}})
    assert module(b, "dev", "endpoint")["enable_data_capture"] is capture


def test_budget_split_over_environments() -> None:
    b = bp(
        {
            "cloud": {"environments": ["dev", "staging", "prod"]},
            "budget": {"monthly_usd": 3000, "alert_emails": ["finops@example.com"]},
        }
    )
    limits = [module(b, e, "budget")["monthly_limit_usd"] for e in ("dev", "staging", "prod")]
    assert abs(sum(limits) - 3000) <= 3
    assert module(b, "prod", "budget")["alert_emails"] == ["finops@example.com"]
    for env in ("dev", "staging", "prod"):
        assert module(b, env, "budget")["cost_allocation_tag"] == {"key": "environment", "value": env}
    # One project total, in the production root, which also activates the tags the budgets filter on.
    assert [module(b, e, "budget")["project_total"] for e in ("dev", "staging")] == [None, None]
    assert module(b, "prod", "budget")["project_total"] == {
        "name": "demo-ml",
        "monthly_limit_usd": 3000,
        "tag": {"key": "project", "value": "demo-ml"},
    }
    assert module(b, "prod", "budget")["activate_cost_allocation_tags"] == ["environment", "project"]
    assert module(b, "dev", "budget")["activate_cost_allocation_tags"] == []


def test_residency_is_passed_to_the_scan() -> None:
    b = bp({"cloud": {"region": "eu-west-1"}, "compliance": {"data_residency": ["eu"]}})
    assert "eu-west-1" in b.compliance["allowed_regions"]
    assert "us-east-1" not in b.compliance["allowed_regions"]


@pytest.mark.parametrize(("dataset", "capacity"), [(0, 1200), (1200, 1200), (1201, 2400), (4000, 4800), (15092, 16800)])
def test_fsx_capacity_is_a_size_fsx_accepts(dataset: float, capacity: int) -> None:
    from mlgen.decide import fsx_capacity

    assert fsx_capacity(dataset) == capacity  # 1200, or a multiple of 2400 (SCRATCH_2)
