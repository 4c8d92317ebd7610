from __future__ import annotations

from typing import Any

from mlgen.questionnaire import ask

MAX_PROMPTS = 300  # the whole questionnaire is about 40 questions; more means it re-asks forever


def scripted(replies: dict[str, list[str]]) -> tuple[Any, list[str]]:
    asked: list[str] = []

    def prompt(text: str, default: str = "", **_: Any) -> str:
        path = text.split(" — ")[0]
        asked.append(path)
        if len(asked) > MAX_PROMPTS:
            raise AssertionError(f"the questionnaire keeps asking; last questions: {asked[-8:]}")
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
    assert any(
        "compliance.frameworks[0]: unknown value 'hippa' (did you mean 'hipaa'?)" in line and "try again" in line
        for line in out
    )
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


def _after(asked: list[str], out: list[str], marker: str) -> tuple[int, int]:
    """(number of questions asked before the line containing ``marker``, index of that line)."""
    for i, line in enumerate(out):
        if marker in line:
            return sum(1 for line_ in out[:i] if line_ == "<asked>"), i
    raise AssertionError(f"{marker!r} never shown: {out}")


def recording(replies: dict[str, list[str]]) -> tuple[Any, list[str], list[str]]:
    """A scripted prompt whose echo log marks each question, to see *when* an error is shown."""
    out: list[str] = []
    prompt, asked = scripted(replies)

    def logged(text: str, default: str = "", **kw: Any) -> str:
        out.append("<asked>")
        return prompt(text, default=default, **kw)

    return logged, asked, out


def test_cross_field_rule_is_checked_at_the_prompt_that_completes_it() -> None:
    prompt, asked, out = recording(
        {
            "compliance.frameworks": ["hipaa"],
            "compliance.data_classification": ["internal", "restricted"],
            "compliance.audit_retention_days": ["2190"],
        }
    )
    answers = ask(prompt=prompt, echo=out.append)
    assert answers.compliance.data_classification == "restricted"
    assert asked.count("compliance.data_classification") == 2
    # The rule reads compliance.data_residency before the frameworks, so it is decided (and shown) right
    # after that prompt, long before the last question; the field it names is asked again.
    n, _ = _after(asked, out, "HIPAA data is at least 'confidential'; got 'internal'")
    assert asked[n - 1] == "compliance.data_residency"
    assert asked[n] == "compliance.data_classification"
    assert "compliance.network_isolation" not in asked[:n]
    # No rule fired early: the default retention (365) did not count against HIPAA before it was asked.
    assert not any("requires at least 2190 days" in line for line in out)


def test_rule_names_an_earlier_answer_and_that_answer_is_asked_again() -> None:
    prompt, asked, out = recording({"cloud.region": ["eu-west-1"], "cloud.dr_region": ["eu-west-1", "eu-central-1"]})
    answers = ask(prompt=prompt, echo=out.append)
    assert answers.cloud.dr_region == "eu-central-1"
    n, _ = _after(asked, out, "cloud.dr_region: must differ from cloud.region")
    assert asked[n - 1] == asked[n] == "cloud.dr_region"  # still in the cloud section, not at the end
    prompt, asked, out = recording(
        {"project.needs_internet": ["true", "false"], "compliance.network_isolation": ["isolated"]}
    )
    answers = ask(prompt=prompt, echo=out.append)
    assert (answers.project.needs_internet, answers.compliance.network_isolation) == (False, "isolated")
    n, _ = _after(asked, out, "isolated networks have no internet egress")
    assert asked[n - 1] == "compliance.network_isolation"
    assert asked[n] == "project.needs_internet"  # the field the rule names is re-asked


def test_section_rule_and_catalogue_at_the_prompt() -> None:
    prompt, asked, out = recording(
        {
            "cloud.region": ["mars-1", "eu-west-1"],
            "scale.training.gpus_per_job": ["3"],
            "scale.training.nodes_per_job": ["2", "3"],
        }
    )
    answers = ask(prompt=prompt, echo=out.append)
    assert answers.cloud.region == "eu-west-1"
    assert (answers.scale.training.gpus_per_job, answers.scale.training.nodes_per_job) == (3, 3)
    n, _ = _after(asked, out, "cloud.region: mlgen has price data for")
    assert asked[n - 1] == asked[n] == "cloud.region"
    n, _ = _after(asked, out, "gpus_per_job (3) must split evenly over nodes_per_job (2)")
    assert asked[n - 1] == asked[n] == "scale.training.nodes_per_job"


def test_abort_keeps_a_partial_file_and_resume_asks_only_the_rest(tmp_path: Any, capsys: Any) -> None:
    import click
    import pytest

    from mlgen.answers import read_answers_file

    partial = tmp_path / ".mlgen-answers.partial.yml"
    base, _ = scripted({"project.name": ["Acme #1 Fraud"], "cloud.region": ["eu-west-1"]})

    def stop_at_budget(text: str, default: str = "", **kw: Any) -> str:
        if text.startswith("budget.monthly_usd"):
            raise click.Abort()
        return base(text, default=default, **kw)

    with pytest.raises(click.Abort):
        ask(prompt=stop_at_budget, echo=lambda _: None, partial=partial, resume_hint="mlgen new demo")
    err = capsys.readouterr().err
    assert f"resume with: mlgen new demo --resume {partial}" in err
    kept = read_answers_file(partial)
    assert kept["project"]["name"] == "Acme #1 Fraud"
    assert kept["cloud"]["region"] == "eu-west-1"
    assert "budget" not in kept
    prompt, asked = scripted({"budget.monthly_usd": ["900"]})
    answers = ask(prompt=prompt, echo=lambda _: None, known=kept, partial=partial)
    assert asked[0] == "budget.monthly_usd"  # nothing answered before is asked again
    assert (answers.project.name, answers.cloud.region, answers.budget.monthly_usd) == (
        "Acme #1 Fraud",
        "eu-west-1",
        900,
    )
    assert not partial.exists()  # finished: the partial file is gone


def test_a_section_rule_is_given_to_the_answer_it_read_last() -> None:
    prompt, asked, out = recording({"project.name": ["!!!", "Fraud Team"]})
    answers = ask(prompt=prompt, echo=out.append)
    assert answers.project.slug == "fraud-team"
    n, _ = _after(asked, out, "project.name: cannot derive a slug from name '!!!'")
    assert asked[n] == "project.name"  # re-asked the name, not the question that happened to be next


def test_mapping_answers_take_key_value_pairs_and_enter_keeps_the_empty_default() -> None:
    # cloud.account_ids is a mapping: Enter on its empty default once re-asked it forever
    prompt, asked = scripted(
        {
            "cloud.environments": ["dev, prod"],
            "cloud.accounts": ["per_environment"],
            "cloud.account_ids": ["dev:111111111111", "dev=111111111111, prod=222222222222"],
        }
    )
    out: list[str] = []
    answers = ask(prompt=prompt, echo=out.append)
    assert answers.cloud.account_ids == {"dev": "111111111111", "prod": "222222222222"}
    assert asked.count("cloud.account_ids") == 2
    assert any("cloud.account_ids: write key=value pairs separated by commas" in line for line in out)

    prompt, _ = scripted({"scale.inference.mode": ["none"]})
    assert ask(prompt=prompt, echo=lambda _: None).cloud.account_ids == {}
