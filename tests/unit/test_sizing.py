"""Inference sizing: the chosen hosting instance holds the model with headroom, or the answers are refused."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mlgen.answers import build_answers, deep_merge
from mlgen.cli import main
from mlgen.decide import SERVERLESS_MAX_MODEL_GB, decide
from mlgen.errors import AnswersError
from mlgen.questionnaire import cross_errors
from mlgen.resources import data_file

# The hardware, read straight from the data file (not through the code under test).
HW = yaml.safe_load(data_file("hosting_aws.yaml").read_text(encoding="utf-8"))["instances"]
GIB = 2**30 / 1e9


def _data(model_gb: float, *, gpu: bool, mode: str = "online", domain: str = "tabular", region: str = "us-east-1"):
    return deep_merge(
        {},
        {
            "project": {"domain": domain},
            "cloud": {"region": region},
            "budget": {"monthly_usd": 1e6},
            "stage": "production",
            "scale": {"inference": {"mode": mode, "model_size_gb": model_gb, "gpu": gpu, "peak_rps": 5}},
        },
    )


def _refusal(data: dict[str, Any]) -> list[str]:
    with pytest.raises(AnswersError) as exc:
        build_answers(data)
    return list(exc.value.details)


def test_30_gb_gpu_model_is_not_put_on_a_g5_xlarge() -> None:
    """The issue's case: 30 GB on ml.g5.xlarge (24 GiB GPU, 16 GiB RAM) cannot load."""
    spec = decide(build_answers(_data(30, gpu=True, domain="text"))).ml["inference"]
    assert spec["instance_type"] != "ml.g5.xlarge"
    hw = HW[spec["instance_type"]]
    assert hw["memory_gib"] * GIB >= 2 * 30
    assert hw["gpus"] * hw["gpu_memory_gib"] * GIB >= 1.2 * 30


def test_14_gb_gpu_model_needs_more_host_ram_than_a_g5_xlarge() -> None:
    """14 GB fits 24 GiB of GPU memory, but not twice over in 16 GiB of host RAM."""
    spec = decide(build_answers(_data(14, gpu=True))).ml["inference"]
    assert spec["instance_type"] == "ml.g5.2xlarge"


@pytest.mark.parametrize("gpu", [False, True])
@pytest.mark.parametrize("domain", ["tabular", "text"])
@pytest.mark.parametrize("mode", ["online", "async", "batch"])
@pytest.mark.parametrize("model_gb", [0.2, 1, 3, 7, 14, 30, 45, 80, 150, 400])
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_chosen_instance_holds_the_model_or_answers_are_refused(
    gpu: bool, domain: str, mode: str, model_gb: float, region: str
) -> None:
    data = _data(model_gb, gpu=gpu, mode=mode, domain=domain, region=region)
    try:
        answers = build_answers(data)
    except AnswersError as exc:
        lines = list(exc.details)
        assert any(line.startswith("scale.inference.model_size_gb: ") for line in lines), lines
        fits_somewhere = [
            t
            for t, hw in HW.items()
            if (hw["gpus"] > 0) == gpu
            and hw["memory_gib"] * GIB >= 2 * model_gb
            and (not gpu or hw["gpu_memory_gib"] * (hw["gpus"] if domain == "text" else 1) * GIB >= 1.2 * model_gb)
            and not (t.startswith("ml.p4d") and region.startswith("eu-"))
        ]
        assert not fits_somewhere, f"refused although {fits_somewhere} holds it"
        return
    spec = decide(answers).ml["inference"]
    hw = HW[spec["instance_type"]]
    assert (hw["gpus"] > 0) == gpu
    assert hw["memory_gib"] * GIB >= 2 * model_gb
    if gpu:
        per_gpu = hw["gpu_memory_gib"] * GIB
        assert (hw["gpus"] * per_gpu if domain == "text" else per_gpu) >= 1.2 * model_gb


def test_refusal_names_the_field_and_exits_2() -> None:
    lines = _refusal(_data(30, gpu=True, region="eu-west-1"))
    assert lines[0].startswith("scale.inference.model_size_gb: a 30 GB model on GPU needs"), lines
    assert "project.domain: text" in lines[0]  # sharding over 4 x A10G would hold it
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "--set",
            "cloud.region=eu-west-1",
            "--set",
            "scale.inference.mode=online",
            "--set",
            "scale.inference.gpu=true",
            "--set",
            "scale.inference.model_size_gb=30",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "scale.inference.model_size_gb: a 30 GB model on GPU needs" in result.output


def test_questionnaire_applies_the_same_rule() -> None:
    data = _data(40, gpu=False)
    errors = cross_errors(data, lambda path: True)
    assert [p for p, _ in errors] == ["scale.inference.model_size_gb"]


def test_serverless_limit_is_one_rule() -> None:
    """Serverless memory (<= 6 GB) holds 2x the model: the answers refuse what decide cannot size."""
    assert SERVERLESS_MAX_MODEL_GB == 3.0
    build_answers(_data(SERVERLESS_MAX_MODEL_GB, gpu=False, mode="serverless"))
    lines = _refusal(_data(SERVERLESS_MAX_MODEL_GB + 0.5, gpu=False, mode="serverless"))
    assert lines == [
        "scale.inference: serverless endpoints offer at most 6144 MB, which holds a model up to 3 GB "
        "(2x headroom); use mode online or async"
    ]
    spec = decide(build_answers(_data(SERVERLESS_MAX_MODEL_GB, gpu=False, mode="serverless"))).ml["inference"]
    assert spec["memory_mb"] == 6144


def test_decision_record_states_the_headroom_rule() -> None:
    d = decide(build_answers(_data(14, gpu=True))).decision("inference-mode")
    assert "RAM is >= 2x the model" in d.rationale and "GPU memory is >= 1.2x the model" in d.rationale
    assert "hosting_aws.yaml" in d.rationale


def test_prod_endpoint_policy_can_scale_out() -> None:
    """min 2 always on in production: max must exceed it, or the target-tracking policy never acts."""
    data = deep_merge(_data(1, gpu=False), {"cloud": {"environments": ["dev", "prod"]}})
    spec = decide(build_answers(data)).ml["inference"]
    assert spec["min_instances"] == 2
    assert spec["max_instances"] > spec["min_instances"]
