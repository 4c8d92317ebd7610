from __future__ import annotations

from typing import Any

from mlgen.questionnaire import ask


def scripted(replies: dict[str, list[str]]) -> tuple[Any, list[str]]:
    asked: list[str] = []

    def prompt(text: str, default: str = "", **_: Any) -> str:
        path = text.split(" — ")[0]
        asked.append(path)
        queue = replies.get(path)
        return queue.pop(0) if queue else default

    return prompt, asked


def test_questionnaire_reasks_skips_and_echoes() -> None:
    out: list[str] = []
    prompt, asked = scripted(
        {
            "compliance.frameworks": ["hippa", "hipaa, gdpr"],
            "compliance.audit_retention_days": ["2190"],
            "scale.inference.mode": ["none"],
            "scale.training.gpus_per_job": ["0"],
        }
    )
    answers = ask(prompt=prompt, echo=out.append)
    assert answers.compliance.frameworks == ["gdpr", "hipaa"]
    assert asked.count("compliance.frameworks") == 2  # re-asked after the bad value
    assert any("compliance.frameworks[0]: unknown value 'hippa' (did you mean 'hipaa'?)" in line and "try again" in line for line in out)
    assert "scale.inference.peak_rps" not in asked  # skipped: no inference
    assert "scale.training.gpu" not in asked  # skipped: CPU training
    assert "project.name" in asked
    assert any("Your answers:" in line for line in out)


def test_typed_text_is_stored_as_typed() -> None:
    prompt, _ = scripted(
        {
            "project.name": ["Acme #1 Fraud"],
            "project.cost_center": ["CC-7"],
            "scale.inference.mode": ["none"],
        }
    )
    answers = ask(prompt=prompt, echo=lambda _: None)
    assert answers.project.name == "Acme #1 Fraud"
    assert answers.project.slug == "acme-1-fraud"
    assert answers.project.cost_center == "CC-7"


def test_text_that_looks_like_yaml_does_not_crash() -> None:
    prompt, _ = scripted({"project.name": ["[ML] Team"], "project.owner": ["[ops]@example.com", "ops@example.com"]})
    out: list[str] = []
    answers = ask(prompt=prompt, echo=out.append)
    assert answers.project.name == "[ML] Team"
    assert answers.project.owner == "ops@example.com"
    assert any(line.startswith("  project.owner: ") and "try again" in line for line in out)


def test_numbers_and_flags_are_parsed_by_their_field_type() -> None:
    prompt, asked = scripted(
        {
            "budget.monthly_usd": [".inf", "inf", "2500"],
            "budget.allow_spot": ["no"],
            "budget.alert_thresholds_pct": ["50, 90"],
            "project.name": ["Control\tchar", "Fine"],
        }
    )
    out: list[str] = []
    answers = ask(prompt=prompt, echo=out.append)
    assert answers.budget.monthly_usd == 2500
    assert asked.count("budget.monthly_usd") == 3  # '.inf' and 'inf' re-asked
    assert any("budget.monthly_usd: Input should be a finite number; try again" in line for line in out)
    assert answers.budget.allow_spot is False
    assert answers.budget.alert_thresholds_pct == [50, 90]
    assert answers.project.name == "Fine"
    assert any(line.startswith("  project.name: character U+0009 (TAB)") for line in out)
