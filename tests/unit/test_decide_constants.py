"""Behaviour tests that pin the numeric factors and constants of decide.py that reach a generated file.

Each test states the behaviour in numbers worked out by hand (not by calling the formula again), so a
changed factor (a mutant: equal budget split, max_run factor 1.0, unrounded retention) fails here.
tools/mutate.py applies such mutations to a copy of decide.py and reports which tests/unit kills.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlgen.answers import build_answers, deep_merge
from mlgen.blueprint import Blueprint
from mlgen.decide import CLOUDWATCH_RETENTION, decide


def bp(patch: dict[str, Any] | None = None) -> Blueprint:
    return decide(build_answers(deep_merge({}, patch or {})))


def inputs(b: Blueprint, env: str, name: str) -> dict[str, Any]:
    return next(m.inputs for m in b.env(env).modules if m.name == name)


def _walk(value: Any, path: str) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [hit for k, v in value.items() for hit in _walk(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [hit for i, v in enumerate(value) for hit in _walk(v, f"{path}[{i}]")]
    return [(path, value)]


# --- budget: each environment's share follows its estimated cost -------------------------------------


def _env_costs(b: Blueprint) -> dict[str, float]:
    totals = {e.name: 0.0 for e in b.environments}
    for line in b.cost.lines:
        if line.environment in totals:
            totals[line.environment] += line.idle_usd + line.usage_usd
    return totals


def test_budget_split_is_weighted_by_estimated_cost_not_equal() -> None:
    b = bp(
        {
            "stage": "production",
            "cloud": {"environments": ["dev", "prod"]},
            "scale": {"inference": {"mode": "online"}},
            "budget": {"monthly_usd": 10000},
        }
    )
    costs = _env_costs(b)
    limits = {e: inputs(b, e, "budget")["monthly_limit_usd"] for e in costs}
    assert costs["dev"] != pytest.approx(costs["prod"], rel=0.05), "fixture must give unequal environment costs"
    # The limits are in the ratio of the estimates (within $1 of rounding), sum to the budget, and are
    # not the equal split 5000/5000.
    assert sum(limits.values()) == pytest.approx(10000, abs=2)
    for env, cost in costs.items():
        assert limits[env] == pytest.approx(10000 * cost / sum(costs.values()), abs=1)
    assert limits["dev"] != limits["prod"]
    bigger = max(costs, key=costs.__getitem__)
    assert limits[bigger] > 5000


def test_budget_limit_never_rounds_below_one_dollar() -> None:
    # $1 over three environments: each share rounds to $0, which AWS Budgets refuses; the floor is $1.
    b = bp({"cloud": {"environments": ["dev", "staging", "prod"]}, "budget": {"monthly_usd": 1}})
    for env in ("dev", "staging", "prod"):
        assert inputs(b, env, "budget")["monthly_limit_usd"] == 1


# --- training run limits -----------------------------------------------------------------------------


@pytest.mark.parametrize(("hours", "max_run", "max_wait"), [(4, 21600, 43200), (1, 5400, 10800), (0.5, 2700, 5400)])
def test_training_time_limits_allow_half_again_the_expected_job_time(hours: float, max_run: int, max_wait: int) -> None:
    """max_run = 1.5 x hours_per_job (a job may overrun by half before SageMaker stops it);
    max_wait = 3 x hours_per_job (spot: as long again waiting for capacity)."""
    b = bp({"scale": {"training": {"hours_per_job": hours, "gpus_per_job": 1}}, "budget": {"monthly_usd": 1e5}})
    assert b.ml["max_run_seconds"] == max_run
    assert b.ml["max_wait_seconds"] == max_wait
    assert b.ml["max_wait_seconds"] >= b.ml["max_run_seconds"]  # SageMaker refuses max_wait < max_run


# --- log retention: every CloudWatch log group retention is a value CloudWatch accepts --------------


@pytest.mark.parametrize(("days", "expected"), [(365, 365), (366, 400), (2190, 2192), (2555, 2557), (3650, 3653)])
def test_every_log_retention_input_is_rounded_to_a_cloudwatch_value(days: int, expected: int) -> None:
    b = bp(
        {
            "compliance": {"frameworks": ["hipaa"] if days >= 2190 else [], "audit_retention_days": days},
            "cloud": {"environments": ["dev", "prod"]},
            "scale": {"inference": {"mode": "online"}},
            "budget": {"monthly_usd": 1e5},
        }
    )
    hits = [
        (f"{e.name}.{m.name}{p}", v)
        for e in b.environments
        for m in e.modules
        for p, v in _walk(m.inputs, "")
        if p.endswith("retention_days") and not p.startswith(".object_lock")
    ]
    hits += [
        (f"bootstrap.{m.name}{p}", v)
        for m in b.bootstrap
        for p, v in _walk(m.inputs, "")
        if p.endswith("retention_days")
    ]
    names = {path.split(".")[1] + "." + path.rsplit(".", 1)[-1] for path, _ in hits}
    # The log groups the brief names are all there (a renamed input would otherwise slip past).
    assert {"network.flow_log_retention_days", "audit.retention_days", "training.log_retention_days"} <= names
    for path, value in hits:
        assert value == expected, path
        assert value in CLOUDWATCH_RETENTION, path


# --- storage lifecycle and monitoring constants that reach the roots --------------------------------


def test_data_capture_and_checkpoint_lifecycle_values() -> None:
    """10% of production requests captured, kept 90 days; overwritten checkpoints kept 7 days."""
    b = bp({"stage": "production", "scale": {"inference": {"mode": "online"}}, "budget": {"monthly_usd": 1e5}})
    endpoint = inputs(b, "dev", "endpoint")
    assert endpoint["enable_data_capture"] is True
    assert endpoint["data_capture_percent"] == 10
    storage = inputs(b, "dev", "storage")
    assert storage["data_capture_expiration_days"] == 90
    assert storage["checkpoint_noncurrent_days"] == 7
    assert "10% of requests" in b.decision("monitoring").choice + b.decision("monitoring").rationale
