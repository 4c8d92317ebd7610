"""CLI behaviour: exit codes and the first line of messages (CliRunner, no terraform needed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlgen import __version__
from mlgen.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"mlgen, version {__version__}"


def test_help_lists_exit_codes(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for code in ("0", "1", "2", "3", "4", "5", "130"):
        assert f"  {code}  " in result.output
    assert "new" in result.output and "plan" in result.output and "update" in result.output


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from mlgen.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('copier', 'checkov', 'mlgen.decide', 'yaml') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_bad_answers_exit_2_and_write_nothing(runner: CliRunner, tmp_path: Path) -> None:
    answers = tmp_path / "a.yml"
    answers.write_text("compliance:\n  frameworks: [hippa]\n")
    dest = tmp_path / "out"
    result = runner.invoke(main, ["new", str(dest), "--answers", str(answers), "--no-check"])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == "error: the answers are not valid"
    assert "compliance.frameworks[0]: unknown value 'hippa' (did you mean 'hipaa'?)" in result.output
    assert not dest.exists()


def test_bad_set_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["new", str(tmp_path / "o"), "--set", "budget.monthly_usd=-5", "--no-check"])
    assert result.exit_code == 2
    assert "budget.monthly_usd: Input should be greater than 0" in result.output


def test_missing_answers_file_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["plan", "--answers", str(tmp_path / "nope.yml")])
    assert result.exit_code == 2
    assert result.output.splitlines()[0].startswith("error: cannot read answers file")


def test_non_empty_destination_exit_2_untouched(runner: CliRunner, tmp_path: Path) -> None:
    dest = tmp_path / "x"
    dest.mkdir()
    (dest / "mine.txt").write_text("keep me")
    result = runner.invoke(main, ["new", str(dest), "--defaults", "--no-check"])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == f"error: {dest.resolve()} is not empty; refusing to overwrite it"
    assert sorted(p.name for p in dest.iterdir()) == ["mine.txt"]
    assert (dest / "mine.txt").read_text() == "keep me"


def test_plan_prints_decisions_and_cost(runner: CliRunner) -> None:
    result = runner.invoke(main, ["plan", "--defaults"] if False else ["plan"])
    assert result.exit_code == 0, result.output
    assert "Decisions:" in result.output
    assert "- Training platform: sagemaker" in result.output
    assert "why: " in result.output
    assert "estimated $" in result.output


def test_plan_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["plan", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert {d["id"] for d in data["decisions"]} >= {"training-platform", "network", "inference-mode"}


def test_over_budget_exit_4_names_drivers(runner: CliRunner, tmp_path: Path) -> None:
    args = ["--set", "budget.monthly_usd=50", "--set", "scale.inference.mode=online"]
    result = runner.invoke(main, ["plan", *args])
    assert result.exit_code == 4
    err = next(l for l in result.output.splitlines() if l.startswith("error:"))
    assert err.startswith("error: estimated $") and "exceeds budget.monthly_usd $50" in err
    assert "top cost drivers:" in result.output and "serverless or async inference" in result.output
    dest = tmp_path / "o"
    result = runner.invoke(main, ["new", str(dest), *args, "--no-check"])
    assert result.exit_code == 4 and not dest.exists()
    assert runner.invoke(main, ["plan", *args, "--allow-over-budget"]).exit_code == 0


def test_schema_command_prints_the_committed_schema(runner: CliRunner) -> None:
    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "mlgen answers"


def test_check_outside_a_project_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == f"error: {tmp_path} is not an mlgen project (no .copier-answers.yml)"


def test_new_without_check_writes_a_git_repo(runner: CliRunner, tmp_path: Path) -> None:
    dest = tmp_path / "demo"
    result = runner.invoke(main, ["new", str(dest), "--defaults", "--no-check"])
    assert result.exit_code == 0, result.output
    assert (dest / "infra" / "envs" / "dev" / "main.tf").is_file()
    assert (dest / ".copier-answers.yml").is_file()
    log = subprocess.run(["git", "-C", str(dest), "log", "--oneline"], capture_output=True, text=True, check=True)
    assert len(log.stdout.strip().splitlines()) == 1
    status = subprocess.run(
        ["git", "-C", str(dest), "status", "--porcelain"], capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
    # leaves no temporary folder beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_no_git(runner: CliRunner, tmp_path: Path) -> None:
    dest = tmp_path / "demo"
    assert runner.invoke(main, ["new", str(dest), "--defaults", "--no-check", "--no-git"]).exit_code == 0
    assert not (dest / ".git").exists()


def test_force_keeps_user_files(runner: CliRunner, tmp_path: Path) -> None:
    dest = tmp_path / "demo"
    dest.mkdir()
    (dest / "notes.md").write_text("mine")
    result = runner.invoke(main, ["new", str(dest), "--defaults", "--no-check", "--force", "--no-git"])
    assert result.exit_code == 0, result.output
    assert (dest / "notes.md").read_text() == "mine"
    assert (dest / "infra" / "envs" / "dev" / "main.tf").is_file()


def test_same_answers_give_identical_files(runner: CliRunner, tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert runner.invoke(main, ["new", str(tmp_path / name), "--defaults", "--no-check", "--no-git"]).exit_code == 0
    files = lambda root: {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}  # noqa: E731
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_update_help_documents_merging_and_conflicts(runner: CliRunner) -> None:
    result = runner.invoke(main, ["update", "--help"])
    assert result.exit_code == 0
    assert "--replace-answers" in result.output and "--yes" in result.output
    assert "5  mlgen update merged with conflicts" in result.output


def test_environment_problem_is_one_line_and_debug_shows_the_traceback(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home-file"
    home.write_text("x")
    monkeypatch.setenv("MLGEN_HOME", str(home))
    args = ["new", str(tmp_path / "o"), "--defaults", "--no-check"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"error: MLGEN_HOME {home} is not a folder",
        "  set MLGEN_HOME to a new or empty folder mlgen may use",
    ]
    result = runner.invoke(main, ["--debug", *args])
    assert result.exit_code == 2
    assert result.output.startswith("Traceback (most recent call last):")


def test_update_outside_git_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    dest = tmp_path / "p"
    assert runner.invoke(main, ["new", str(dest), "--defaults", "--no-check", "--no-git"]).exit_code == 0
    result = runner.invoke(main, ["update", str(dest), "--no-check"])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == f"error: {dest} is not a git repository"


@pytest.mark.parametrize(
    ("content", "first_line"),
    [
        (b"\xff\xfe not text", "error: .copier-answers.yml: invalid UTF-8 at byte 0"),
        (b"mlgen_answers: [unclosed\n", "error: .copier-answers.yml: not valid YAML (line 2)"),
        (b"mlgen_answers: just text\n", "error: .copier-answers.yml: mlgen_answers must be a mapping"),
    ],
)
def test_corrupt_recorded_answers_exit_2_in_one_line(
    runner: CliRunner, tmp_path: Path, content: bytes, first_line: str
) -> None:
    (tmp_path / ".copier-answers.yml").write_bytes(content)
    result = runner.invoke(main, ["cost", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[0] == first_line
    assert "Traceback" not in result.output
