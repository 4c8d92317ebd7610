"""Hostile or broken answers input ends in exit 2 with a line naming the field or file.

Duplicate keys, alias bombs, oversized files, invalid UTF-8, non-finite numbers, control characters
in free text and e-mails that only a loose regex would take.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlgen.answers import MAX_ANSWERS_BYTES, Answers, AnswersError, build_answers, load_answers
from mlgen.cli import main


def plan(tmp_path: Path, text: str | bytes, name: str = "answers.yml", *args: str) -> tuple[int, str]:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    result = CliRunner().invoke(main, ["plan", "--answers", str(path), *args])
    return result.exit_code, result.output


def test_duplicate_keys_are_refused_with_their_path(tmp_path: Path) -> None:
    code, out = plan(tmp_path, "budget:\n  monthly_usd: 500\nproject: {name: X}\nbudget:\n  allow_spot: false\n")
    assert code == 2
    assert "budget: duplicate key on line 4 (first on line 1)" in out
    code, out = plan(tmp_path, "budget: {monthly_usd: 500, monthly_usd: 90000}\n")
    assert code == 2 and "budget.monthly_usd: duplicate key" in out


def test_duplicate_keys_in_json_are_refused(tmp_path: Path) -> None:
    code, out = plan(tmp_path, '{"budget": {"monthly_usd": 1, "monthly_usd": 2}}', "answers.json")
    assert code == 2 and "monthly_usd: duplicate key" in out


def test_alias_bomb_fails_fast_with_bounded_memory(tmp_path: Path) -> None:
    levels = ['a0: &a0 ["hipaa", "hipaa", "hipaa", "hipaa", "hipaa", "hipaa", "hipaa", "hipaa", "hipaa"]']
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        levels.append(f"a{i}: &a{i} [{refs}]")
    bomb = "x-anchors:\n" + "\n".join("  " + line for line in levels) + "\ncompliance:\n  frameworks: *a8\n"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    code, out = plan(tmp_path, bomb)
    assert time.monotonic() - start < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KiB
    assert code == 2
    assert "more than 50 aliases" in out


def test_a_few_aliases_still_work_but_not_expansion_beyond_the_limit(tmp_path: Path) -> None:
    ok = "scale: {training: {gpus_per_job: &one 1, nodes_per_job: *one}}\n"
    assert plan(tmp_path, ok)[0] == 0
    wide = "a: &a [" + ", ".join(["1"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 10) + "]\n"
    code, out = plan(tmp_path, wide)
    assert code == 2 and "expands to more than" in out


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    code, out = plan(tmp_path, "# " + "x" * MAX_ANSWERS_BYTES + "\n")
    assert code == 2
    assert "is too large" in out and "over 1048576 bytes" in out


def test_invalid_utf8_names_the_file_and_offset(tmp_path: Path) -> None:
    code, out = plan(tmp_path, b"project:\n  name: caf\xe9\n")
    assert code == 2
    assert "is not UTF-8 text" in out and "invalid UTF-8 byte 0xe9 at offset 20" in out


@pytest.mark.parametrize("number", [".inf", "-.inf", ".nan", ".NaN"])
def test_non_finite_numbers_are_refused_with_the_field(tmp_path: Path, number: str) -> None:
    code, out = plan(tmp_path, f"budget: {{monthly_usd: {number}}}\n")
    assert code == 2
    assert "budget.monthly_usd: must be a finite number" in out


def test_non_finite_numbers_in_json_and_set_are_refused(tmp_path: Path) -> None:
    code, out = plan(tmp_path, '{"scale": {"dataset_size_gb": NaN}}', "answers.json")
    assert code == 2 and "NaN is not a number mlgen accepts" in out
    result = CliRunner().invoke(main, ["plan", "--set", "scale.training.hours_per_job=.inf"])
    assert result.exit_code == 2
    assert "scale.training.hours_per_job: Input should be a finite number" in result.output


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    code, out = plan(tmp_path, "project: " + "[" * 200 + "]" * 200 + "\n")
    assert code == 2 and "nested deeper than 32 levels" in out


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Fraud\nresource", "project.name: character U+000A (LINE FEED) at position 6 is not allowed"),
        ("Fraud\tScoring", "project.name: character U+0009 (TAB) at position 6 is not allowed"),
        ("Nul\x00", "project.name: character U+0000 (NUL) at position 4 is not allowed"),
        ("Bidi \u202e", "project.name: character U+202E (RIGHT-TO-LEFT OVERRIDE) at position 6"),
        ("x" * 81, "project.name: String should have at most 80 characters"),
    ],
)
def test_free_text_refuses_control_characters(value: str, message: str) -> None:
    with pytest.raises(AnswersError) as err:
        build_answers({"project": {"name": value, "slug": "fraud"}})
    assert any(line.startswith(message) for line in err.value.details), err.value.details


@pytest.mark.parametrize(
    "email",
    [
        '"a"+__import__("os").system("id")+"@x.com"',
        "a(b)@x.com",
        "ops\x08@example.com",
        "Fin Ops <fin@example.com>",
        "a@[127.0.0.1]",
        "ops@localhost",
        "üser@example.com",
    ],
)
def test_emails_are_checked_by_email_validator(email: str) -> None:
    for data in ({"project": {"owner": email}}, {"budget": {"alert_emails": ["ok@example.com", email]}}):
        with pytest.raises(AnswersError) as err:
            build_answers(data)
        path = "project.owner" if "project" in data else "budget.alert_emails[1]"
        assert any(line.startswith(f"{path}: ") and "not a valid e-mail address" in line for line in err.value.details)


def test_valid_emails_are_kept_normalised() -> None:
    answers = build_answers({"project": {"owner": "O'Brien+ml@Example.COM"}})
    assert answers.project.owner == "O'Brien+ml@example.com"


def test_error_lines_stay_short_for_huge_values() -> None:
    with pytest.raises(AnswersError) as err:
        build_answers({"compliance": {"frameworks": ["x" * 100_000]}, "cloud": {"region": "y" * 100_000}})
    assert err.value.details and all(len(line) < 300 for line in err.value.details)


def test_emoji_name_works_in_plan_and_new(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--set", "project.name=Fraud 🚀 Team 👨\u200d👩\u200d👧", "--set", "project.slug=fraud"]
    assert runner.invoke(main, ["plan", *args]).exit_code == 0
    result = runner.invoke(main, ["new", str(tmp_path / "p"), *args, "--no-check", "--no-git"])
    assert result.exit_code == 0, result.output
    readme = (tmp_path / "p" / "README.md").read_text(encoding="utf-8")
    assert readme.splitlines()[0] == "# Fraud 🚀 Team 👨\u200d👩\u200d👧"


def test_set_values_use_the_same_hardened_parser() -> None:
    with pytest.raises(AnswersError) as err:
        load_answers(overrides=["compliance.frameworks={a: 1, a: 2}"])
    assert "duplicate key" in err.value.details[0]
    assert isinstance(load_answers(overrides=["project.name=Acme"]), Answers)


def test_set_keeps_text_fields_as_typed() -> None:
    answers = load_answers(
        overrides=[
            "project.name=Acme #1 Fraud",
            "project.cost_center=1234",
            "project.github_repository=null",
            "budget.monthly_usd=2500",
        ]
    )
    assert answers.project.name == "Acme #1 Fraud"
    assert answers.project.cost_center == "1234"
    assert answers.project.github_repository is None
    assert answers.budget.monthly_usd == 2500
    assert load_answers(overrides=["project.name=[ML] Team"]).project.name == "[ML] Team"
    assert load_answers(overrides=['project.name="Quoted Name"']).project.name == "Quoted Name"
