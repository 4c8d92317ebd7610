from __future__ import annotations

import json
from pathlib import Path

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
