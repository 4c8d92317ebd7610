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
    assert any("compliance.frameworks:" in line and "try again" in line for line in out)
    assert "scale.inference.peak_rps" not in asked  # skipped: no inference
    assert "scale.training.gpu" not in asked  # skipped: CPU training
    assert "project.name" in asked
    assert any("Your answers:" in line for line in out)
