from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from mlgen.answers import Answers, build_answers, json_schema, load_answers, parse_set
from mlgen.errors import AnswersError

REPO = Path(__file__).resolve().parents[2]

ISSUE_EXAMPLE = {
    "project": {
        "name": "Fraud Scoring",
        "slug": "fraud-scoring",
        "owner": "ml-platform@example.com",
        "cost_center": "CC-1234",
    },
    "cloud": {"provider": "aws", "region": "eu-west-1", "dr_region": "eu-central-1", "environments": ["dev", "prod"]},
    "compliance": {
        "frameworks": ["gdpr", "pci_dss"],
        "data_classification": "restricted",
        "data_residency": ["eu"],
        "network_isolation": "isolated",
        "audit_retention_days": 2190,
    },
    "budget": {
        "monthly_usd": 4000,
        "allow_spot": True,
        "alert_emails": ["finops@example.com"],
        "alert_thresholds_pct": [50, 80, 100],
    },
    "scale": {
        "dataset_size_gb": 800,
        "team_size": 6,
        "training": {"gpus_per_job": 4, "nodes_per_job": 2, "jobs_per_month": 20, "hours_per_job": 6, "gpu": "auto"},
        "inference": {"mode": "auto", "peak_rps": 50, "p95_latency_ms": 200, "model_size_gb": 2, "gpu": False},
    },
    "stage": "production",
}


def errors_of(data: dict) -> list[str]:
    with pytest.raises(AnswersError) as info:
        build_answers(data)
    return info.value.details


def test_defaults_are_valid_and_secure() -> None:
    a = Answers()
    assert a.project.slug == "demo-ml"
    assert a.compliance.network_isolation != "none"
    assert a.compliance.customer_managed_keys is True
    assert a.compliance.data_classification == "confidential"


def test_issue_example_is_accepted() -> None:
    a = build_answers(ISSUE_EXAMPLE)
    assert a.cloud.dr_region == "eu-central-1"
    assert a.compliance.frameworks == ["gdpr", "pci_dss"]


def test_model_is_frozen() -> None:
    a = Answers()
    with pytest.raises(ValidationError):
        a.stage = "production"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        (
            {"compliance": {"frameworks": ["hippa"]}},
            "compliance.frameworks[0]: unknown value 'hippa' (did you mean 'hipaa'?)",
        ),
        ({"project": {"colour": "red"}}, "project.colour: unknown field"),
        ({"budget": {"monthly_usd": 0}}, "budget.monthly_usd: Input should be greater than 0"),
        ({"cloud": {"region": "eu-west-9"}}, "cloud.region: mlgen has price data for"),
        (
            {"cloud": {"region": "eu-west-1", "dr_region": "eu-west-1"}},
            "cloud.dr_region: must differ from cloud.region",
        ),
        (
            {"compliance": {"data_residency": ["eu"]}, "cloud": {"region": "us-east-1"}},
            "cloud.region: 'us-east-1' is outside compliance.data_residency=['eu']; allowed regions are eu-central-1, eu-west-1",
        ),
        (
            {"compliance": {"frameworks": ["hipaa"], "audit_retention_days": 365}},
            "compliance.audit_retention_days: hipaa requires at least 2190 days; got 365",
        ),
        (
            {"compliance": {"frameworks": ["pci_dss"], "data_classification": "internal"}},
            "compliance.data_classification: PCI DSS data is at least 'confidential'; got 'internal'",
        ),
        (
            {"compliance": {"frameworks": ["hipaa"], "customer_managed_keys": False, "audit_retention_days": 2190}},
            "compliance.customer_managed_keys: HIPAA requires customer-managed keys",
        ),
        (
            {"compliance": {"network_isolation": "isolated"}, "project": {"needs_internet": True}},
            "project.needs_internet: isolated networks have no internet egress",
        ),
        (
            {"cloud": {"region": "eu-west-1"}, "scale": {"training": {"gpu": "h100", "gpus_per_job": 8}}},
            "scale.training.gpu: no SageMaker training instance with 8 x h100 per node in eu-west-1",
        ),
        (
            {"scale": {"training": {"gpus_per_job": 3, "nodes_per_job": 2}}},
            "scale.training: gpus_per_job (3) must split evenly over nodes_per_job (2)",
        ),
        (
            {"scale": {"inference": {"mode": "serverless", "gpu": True}}},
            "scale.inference: serverless inference has no GPUs",
        ),
        ({"cloud": {"environments": ["dev", "dev"]}}, "cloud.environments: environment names must be unique"),
        (
            {"budget": {"alert_thresholds_pct": [80, 50]}},
            "budget.alert_thresholds_pct: thresholds must be strictly increasing",
        ),
    ],
)
def test_bad_answers_name_the_field(patch: dict, expected: str) -> None:
    lines = errors_of(patch)
    assert any(line.startswith(expected) for line in lines), lines


def test_set_overrides_nested_values(tmp_path: Path) -> None:
    f = tmp_path / "a.yml"
    f.write_text("budget: {monthly_usd: 900}\nscale: {training: {gpus_per_job: 2}}\n")
    a = load_answers(f, ["scale.training.gpus_per_job=8", "cloud.environments=[dev, prod]"])
    assert a.scale.training.gpus_per_job == 8
    assert a.budget.monthly_usd == 900
    assert a.cloud.environments == ["dev", "prod"]


def test_json_answers_file(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    f.write_text(json.dumps(ISSUE_EXAMPLE))
    assert load_answers(f).project.slug == "fraud-scoring"


@pytest.mark.parametrize("item", ["nokey", "=1", "Budget.X=1"])
def test_bad_set_syntax(item: str) -> None:
    with pytest.raises(AnswersError) as info:
        parse_set([item])
    assert info.value.details[0].startswith(f"--set {item}:")


def test_committed_schema_is_current() -> None:
    committed = (REPO / "docs" / "answers.schema.json").read_text(encoding="utf-8")
    assert committed == json_schema(), "run `mlgen schema > docs/answers.schema.json`"


def test_framework_ids_are_defined_once() -> None:
    """The answers' Literal is the one list; the CLI choice, the API check and the catalog agree with it."""
    from mlgen.answers import STRICT_FRAMEWORKS, Answers
    from mlgen.cli import main
    from mlgen.compliance.catalog import FRAMEWORK_IDS
    from mlgen.frameworks import FRAMEWORKS

    assert FRAMEWORKS == ("hipaa", "soc2", "gdpr", "pci_dss", "iso27001")
    assert set(FRAMEWORK_IDS) == set(FRAMEWORKS)
    assert set(STRICT_FRAMEWORKS) <= set(FRAMEWORKS)
    check = main.commands["check"]
    option = next(p for p in check.params if p.name == "frameworks")
    assert tuple(option.type.choices) == FRAMEWORKS
    assert Answers.model_json_schema()["$defs"]["Compliance"]["properties"]["frameworks"]["items"]["enum"] == list(
        FRAMEWORKS
    )
