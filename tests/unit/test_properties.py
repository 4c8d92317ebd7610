"""Property tests over the answer space: invariants of decide() for random valid answers, and
random invalid answers rejected with a field path (and nothing written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlgen.answers import Answers, AnswersError, build_answers, residency_regions
from mlgen.cli import main
from mlgen.decide import decide

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"]


@st.composite
def answers_data(draw: st.DrawFn) -> dict[str, Any]:
    region = draw(st.sampled_from(REGIONS))
    dr = draw(st.one_of(st.none(), st.sampled_from([r for r in REGIONS if r != region])))
    frameworks = draw(
        st.lists(st.sampled_from(["hipaa", "soc2", "gdpr", "pci_dss", "iso27001"]), unique=True, max_size=3)
    )
    strict = bool({"hipaa", "pci_dss"} & set(frameworks))
    classification = draw(
        st.sampled_from(
            ["confidential", "restricted"] if strict else ["public", "internal", "confidential", "restricted"]
        )
    )
    jurisdiction = {"us-east-1": "us", "us-west-2": "us", "eu-west-1": "eu", "eu-central-1": "eu"}
    residency = draw(st.sampled_from([[], [jurisdiction[region]]]))
    if residency and dr and jurisdiction[dr] != residency[0]:
        dr = None
    nodes = draw(st.sampled_from([1, 2, 4]))
    gpus = nodes * draw(st.sampled_from([0, 1, 4, 8]))
    isolation = draw(st.sampled_from(["none", "private", "isolated"]))
    return {
        "project": {
            "name": draw(st.sampled_from(["Fraud Scoring", "Churn", "Vision QA"])),
            "needs_internet": isolation != "isolated" and draw(st.booleans()),
        },
        "cloud": {
            "region": region,
            "dr_region": dr,
            "environments": draw(st.sampled_from([["dev"], ["dev", "prod"], ["dev", "staging", "prod"]])),
        },
        "compliance": {
            "frameworks": frameworks,
            "data_classification": classification,
            "data_residency": residency,
            "network_isolation": isolation,
            "audit_retention_days": draw(st.integers(2190 if "hipaa" in frameworks else 365, 3650)),
        },
        "budget": {"monthly_usd": draw(st.floats(50, 200000)), "allow_spot": draw(st.booleans())},
        "scale": {
            "dataset_size_gb": draw(st.floats(0, 20000)),
            "team_size": draw(st.integers(0, 40)),
            "training": {
                "gpus_per_job": gpus,
                "nodes_per_job": nodes,
                "jobs_per_month": draw(st.integers(0, 300)),
                "hours_per_job": draw(st.floats(0.1, 48)),
            },
            "inference": {
                "mode": (mode := draw(st.sampled_from(["none", "auto", "online", "serverless", "async", "batch"]))),
                "peak_rps": draw(st.floats(0, 500)),
                "p95_latency_ms": draw(st.integers(50, 600000)),
                # serverless holds models up to SERVERLESS_MAX_MODEL_GB (3 GB); larger ones are refused
                "model_size_gb": draw(st.floats(0.1, 3 if mode == "serverless" else 10)),
                "gpu": False,
            },
        },
        "stage": draw(st.sampled_from(["prototype", "pilot", "production"])),
    }


def _inputs(bp: Any, env: str, name: str) -> dict[str, Any] | None:
    return next((m.inputs for m in bp.env(env).modules if m.name == name), None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers_data())
def test_decide_invariants(data: dict[str, Any]) -> None:
    answers = build_answers(data)
    bp = decide(answers)
    c = answers.compliance
    for env in answers.cloud.environments:
        net = _inputs(bp, env, "network")
        assert net is not None
        if c.network_isolation == "isolated":  # isolated => no NAT, hence no public subnets
            assert net["nat_gateways"] == "none"
        if c.network_isolation != "none":
            assert {"sts", "logs", "kms", "ecr.api", "ecr.dkr"} <= set(net["interface_endpoints"])
        keys = _inputs(bp, env, "keys")
        audit = _inputs(bp, env, "audit")
        if "hipaa" in c.frameworks:  # HIPAA => per-purpose CMKs and >= 6 years of audit logs
            assert {"data", "logs", "artifacts"} <= set(keys["purposes"])
            assert audit["retention_days"] >= 2190
        assert _inputs(bp, env, "budget") is not None
        assert _inputs(bp, env, "storage") is not None
    allowed = residency_regions(c.data_residency)
    if allowed is not None:  # residency => every region inside it
        assert bp.region in allowed
        assert bp.dr_region is None or bp.dr_region in allowed
        assert set(bp.compliance["allowed_regions"]) == allowed
    assert bp.cost.over_budget is (bp.cost.total_usd > answers.budget.monthly_usd)
    assert bp.cost.idle_usd >= 0 and bp.cost.usage_usd >= 0
    if bp.cost.over_budget:
        assert bp.suggestions


@st.composite
def invalid_patch(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    kind = draw(st.sampled_from(["budget", "framework", "region", "gpus", "extra", "thresholds", "env"]))
    if kind == "budget":
        return {"budget": {"monthly_usd": draw(st.floats(-1e6, 0))}}, "budget.monthly_usd"
    if kind == "framework":
        return {
            "compliance": {
                "frameworks": [
                    draw(
                        st.text(min_size=1, max_size=8).filter(
                            lambda s: s not in ("hipaa", "soc2", "gdpr", "pci_dss", "iso27001")
                        )
                    )
                ]
            }
        }, "compliance.frameworks[0]"
    if kind == "region":
        return {
            "cloud": {"region": draw(st.text(min_size=1, max_size=12).filter(lambda s: s not in REGIONS))}
        }, "cloud.region"
    if kind == "gpus":
        return {"scale": {"training": {"gpus_per_job": draw(st.integers(-50, -1))}}}, "scale.training.gpus_per_job"
    if kind == "extra":
        return {"scale": {draw(st.sampled_from(["gpu_count", "nodes", "x"])): 1}}, "scale."
    if kind == "thresholds":
        return {"budget": {"alert_thresholds_pct": [80, 50]}}, "budget.alert_thresholds_pct"
    return {"cloud": {"environments": [draw(st.sampled_from(["Dev", "1x", "prod-eu", ""]))]}}, "cloud.environments[0]"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(invalid_patch())
def test_invalid_answers_name_a_field(case: tuple[dict[str, Any], str]) -> None:
    patch, path = case
    try:
        build_answers(patch)
    except AnswersError as exc:
        assert any(line.startswith(path) for line in exc.details), exc.details
    else:
        raise AssertionError(f"accepted invalid answers {patch}")


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(invalid_patch())
def test_invalid_answers_exit_2_and_write_nothing(tmp_path: Path, case: tuple[dict[str, Any], str]) -> None:
    import yaml

    patch, path = case
    f = tmp_path / "answers.yml"
    f.write_text(yaml.safe_dump(patch))
    dest = tmp_path / "out"
    result = CliRunner().invoke(main, ["new", str(dest), "--answers", str(f), "--no-check"])
    assert result.exit_code == 2, result.output
    assert f"  {path}" in result.output
    assert not dest.exists()


def test_defaults_fit_the_default_budget() -> None:
    assert not decide(Answers()).cost.over_budget
