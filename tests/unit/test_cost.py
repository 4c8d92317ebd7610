from __future__ import annotations

import pytest

from mlgen.answers import build_answers
from mlgen.catalog import price, spot_fraction, training_price
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
    got = lines({"compliance": {"network_isolation": "private"}})
    assert got["dev/network/1 NAT gateway(s)"][0] == pytest.approx(
        price("nat_gateway_hour", "us-east-1") * HOURS, abs=0.01
    )
    isolated = lines({"compliance": {"network_isolation": "isolated"}})
    assert not any("NAT" in k for k in isolated)


def test_serverless_has_no_idle_cost_online_does() -> None:
    sls = decide(build_answers({"scale": {"inference": {"mode": "serverless"}}}))
    onl = decide(build_answers({"scale": {"inference": {"mode": "online"}}}))
    ep = lambda b: sum(l.idle_usd for l in b.cost.lines if l.module == "endpoint")  # noqa: E731
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
