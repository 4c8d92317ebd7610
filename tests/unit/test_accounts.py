"""The account model: account-level singletons exist once per account (issue #12 item 2, #13 one trail).

AWS allows one AWS-services cost anomaly monitor per account, SageMaker writes every job's logs to the
one ``/aws/sagemaker/TrainingJobs`` group per account and region, and every further management trail
bills each event again. A shared-account render must create each of them in exactly one root; a
per-environment render in every root.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlgen.answers import build_answers, deep_merge
from mlgen.blueprint import Blueprint, Environment
from mlgen.decide import EKS_SYSTEM_INSTANCE, decide
from mlgen.errors import AnswersError

ENVS = ["dev", "staging", "prod"]
STRICT = {"compliance": {"frameworks": ["hipaa"], "data_classification": "restricted", "audit_retention_days": 2190}}


def bp(accounts: str | None = None, extra: dict[str, Any] | None = None) -> Blueprint:
    cloud: dict[str, Any] = {"environments": ENVS}
    if accounts:
        cloud["accounts"] = accounts
    return decide(build_answers(deep_merge({"cloud": cloud, "stage": "production"}, extra or {})))


def inputs(env: Environment, name: str) -> dict[str, Any] | None:
    return next((m.inputs for m in env.modules if m.name == name), None)


def anomaly_monitors(env: Environment) -> int:
    budget = inputs(env, "budget") or {}
    # The module creates one unless told otherwise (or given an existing monitor).
    return int(budget.get("enable_anomaly_detection", True) and budget.get("existing_anomaly_monitor_arn") is None)


def training_log_groups(env: Environment) -> int:
    m = next((m for m in env.modules if m.source == "training_sagemaker"), None)
    return int(m is not None and m.inputs.get("create_log_group", True))


def management_trails(env: Environment) -> int:
    audit = inputs(env, "audit")
    return int(audit is not None and audit.get("include_management_events", True))


def security_alarm_sets(env: Environment) -> int:
    audit = inputs(env, "audit")
    return int(audit is not None and audit.get("enable_security_alarms", True))


SINGLETONS = [anomaly_monitors, training_log_groups, management_trails]


@pytest.mark.parametrize("count", SINGLETONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("extra", [{}, STRICT], ids=["plain", "hipaa"])
def test_shared_account_has_each_singleton_once_in_the_primary_root(count: Any, extra: dict) -> None:
    b = bp("shared", extra)
    per_root = {e.name: count(e) for e in b.environments}
    assert per_root == {"dev": 0, "staging": 0, "prod": 1}, per_root


@pytest.mark.parametrize("count", SINGLETONS, ids=lambda f: f.__name__)
def test_per_environment_accounts_have_each_singleton_in_every_root(count: Any) -> None:
    b = bp("per_environment")
    assert [count(e) for e in b.environments] == [1, 1, 1]
    assert all(e.owns_account_layer for e in b.environments)


def test_cis_alarms_follow_the_management_trail() -> None:
    b = bp("shared", STRICT)
    assert [security_alarm_sets(e) for e in b.environments] == [0, 0, 1]


def test_non_owner_roots_keep_data_event_trails_when_the_regime_asks() -> None:
    b = bp("shared", STRICT)
    dev = inputs(b.env("dev"), "audit")
    assert dev is not None and dev["data_event_bucket_arns"] and dev["include_management_events"] is False
    # Without data events a non-owner root has no trail at all.
    plain = bp("shared", {"compliance": {"data_classification": "internal"}})
    assert inputs(plain.env("dev"), "audit") is None


def test_cost_counts_the_management_trail_and_alarms_once_per_account() -> None:
    shared = bp("shared", STRICT).cost
    per_env = bp("per_environment", STRICT).cost
    alarm_lines = [ln for ln in shared.lines if "security alarms" in ln.item]
    assert [ln.environment for ln in alarm_lines] == ["prod"]
    assert len([ln for ln in per_env.lines if "security alarms" in ln.item]) == 3
    dev_trail = next(ln for ln in shared.lines if ln.environment == "dev" and ln.item == "CloudTrail + logs")
    assert dev_trail.assumption.startswith("data events only")
    assert shared.idle_usd < per_env.idle_usd


def test_account_ids_pin_and_assume_role_per_environment() -> None:
    ids = {"dev": "111111111111", "prod": "333333333333"}
    b = bp("per_environment", {"cloud": {"account_ids": ids, "deploy_role_name": "mlgen-deploy"}})
    assert b.env("dev").account_id == "111111111111"
    assert b.env("dev").assume_role_arn == "arn:aws:iam::111111111111:role/mlgen-deploy"
    assert b.env("staging").account_id is None and b.env("staging").assume_role_arn is None
    shared = bp("shared", {"cloud": {"account_ids": {"dev": "111111111111"}}})
    assert shared.env("dev").account_id == "111111111111" and shared.env("dev").assume_role_arn is None


def test_the_decision_record_names_the_owner_root() -> None:
    d = next(d for d in bp("shared").decisions if d.id == "accounts")
    assert "prod root owns" in d.choice and "cloud.accounts" in d.driven_by


def errors(cloud: dict[str, Any]) -> list[str]:
    with pytest.raises(AnswersError) as info:
        build_answers({"cloud": {"environments": ["dev", "prod"], **cloud}})
    return info.value.details


def test_unknown_environment_in_account_ids_is_refused_naming_the_field() -> None:
    (line,) = errors({"account_ids": {"qa": "111111111111"}})
    assert line.startswith("cloud.account_ids.qa: 'qa' is not an environment")


def test_account_ids_are_twelve_digits() -> None:
    (line,) = errors({"account_ids": {"dev": "1234"}})
    assert line.startswith("cloud.account_ids.dev:")


@pytest.mark.parametrize(
    ("accounts", "ids", "start"),
    [
        ("shared", {"dev": "111111111111", "prod": "222222222222"}, "cloud.account_ids: accounts: shared"),
        ("per_environment", {"dev": "111111111111", "prod": "111111111111"}, "cloud.account_ids: accounts: per_"),
    ],
)
def test_account_ids_agree_with_the_model(accounts: str, ids: dict[str, str], start: str) -> None:
    (line,) = errors({"accounts": accounts, "account_ids": ids})
    assert line.startswith(start)


# --- zones by id (issue #12 item 6) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, ["g4dn.xlarge"]),  # the SageMaker training instance's EC2 twin
        ({"scale": {"training": {"gpus_per_job": 0}}}, []),
    ],
)
def test_network_zones_come_from_the_root_not_from_letters(extra: dict, expected: list[str]) -> None:
    b = decide(build_answers(deep_merge({"cloud": {"environments": ["dev"]}}, extra)))
    env = b.env("dev")
    net = inputs(env, "network")
    assert net is not None and net["azs"] == {"$ref": "local.azs"}
    assert env.zone_instance_types == expected and env.az_count == 2


def test_eks_roots_need_zones_offering_every_node_type() -> None:
    from pathlib import Path

    from mlgen.answers import load_answers

    path = Path(__file__).resolve().parents[2] / "examples" / "enterprise-llm-eks" / "answers.yml"
    b = decide(load_answers(path, ()))
    assert b.ml["training_platform"] == "eks"
    types = b.environments[-1].zone_instance_types
    assert EKS_SYSTEM_INSTANCE in types and len(types) == 2, types


@pytest.mark.parametrize("accounts", ["shared", "per_environment"])
def test_every_management_trail_records_every_region(accounts: str) -> None:
    """The audit module waives CKV_AWS_67 for data-events-only trails; a trail carrying the account's
    management events must therefore stay multi-region."""
    for env in bp(accounts).environments:
        audit = inputs(env, "audit")
        if audit is not None and audit.get("include_management_events", True):
            assert audit.get("is_multi_region", True) is True, env.name
