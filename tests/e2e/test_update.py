"""`mlgen update`: changed answers and a newer template reach an edited project, the edits survive."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlgen import resources
from mlgen.cli import main


def git(project: Path, *args: str) -> str:
    env_args = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    return subprocess.run(
        ["git", *env_args, "-C", str(project), *args], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def edited_project(tmp_path: Path) -> Path:
    dest = tmp_path / "proj"
    result = CliRunner().invoke(main, ["new", str(dest), "--defaults", "--no-check"])
    assert result.exit_code == 0, result.output
    readme = dest / "README.md"
    readme.write_text(readme.read_text() + "\n## Team notes\n\nOur on-call rota lives in the wiki.\n")
    (dest / "docs" / "runbook.md").write_text("# Runbook\n")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "team edits")
    return dest


def test_update_with_changed_answers_keeps_edits(edited_project: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "update",
            str(edited_project),
            "--no-check",
            "--set",
            "cloud.environments=[dev, staging]",
            "--set",
            "compliance.frameworks=[soc2]",
            "--set",
            "budget.monthly_usd=3000",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Our on-call rota lives in the wiki." in (edited_project / "README.md").read_text()
    assert (edited_project / "docs" / "runbook.md").is_file()
    assert (edited_project / "infra" / "envs" / "staging" / "main.tf").is_file()
    answers = (edited_project / ".copier-answers.yml").read_text()
    assert "soc2" in answers
    assert "3000" in (edited_project / "docs" / "cost.md").read_text().replace(",", "")


def test_update_to_a_newer_template_keeps_edits(
    edited_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newer = tmp_path / "templates-v2"
    shutil.copytree(resources.templates_dir(), newer)
    readme = newer / "project" / "README.md.jinja"
    text = readme.read_text()
    readme.write_text(
        text.replace("## For data scientists", "## Support\n\nAsk in #ml-platform.\n\n## For data scientists", 1)
    )
    (newer / "project" / "CONTRIBUTING.md").write_text("# Contributing\n")
    monkeypatch.setattr(resources, "templates_dir", lambda: newer)
    monkeypatch.setattr("mlgen.render.templates_dir", lambda: newer)
    monkeypatch.setattr("mlgen.render.__version__", "0.2.0")
    result = CliRunner().invoke(main, ["update", str(edited_project), "--no-check"])
    assert result.exit_code == 0, result.output
    text = (edited_project / "README.md").read_text()
    assert "Our on-call rota lives in the wiki." in text
    assert "Ask in #ml-platform." in text
    assert (edited_project / "CONTRIBUTING.md").is_file()
    assert "_commit: v0.2.0+" in (edited_project / ".copier-answers.yml").read_text()


def test_update_refuses_a_dirty_tree(edited_project: Path) -> None:
    (edited_project / "README.md").write_text("uncommitted")
    result = CliRunner().invoke(main, ["update", str(edited_project), "--no-check"])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == f"error: {edited_project} has uncommitted changes"
    assert (edited_project / "README.md").read_text() == "uncommitted"


def test_conflicts_keep_both_sides_and_exit_5(edited_project: Path) -> None:
    main_tf = edited_project / "infra" / "envs" / "dev" / "main.tf"
    text = main_tf.read_text()
    assert re.search(r'nat_gateways\s*= "none"', text), "the default project has no NAT gateway"
    main_tf.write_text(re.sub(r'(nat_gateways\s*= )"none"', r'\1"per_az" # we want HA', text))
    git(edited_project, "commit", "-qam", "edit a generated line")
    index_before = git(edited_project, "ls-files", "--stage")
    result = CliRunner().invoke(
        main, ["update", str(edited_project), "--no-check", "--set", "project.needs_internet=true"]
    )
    assert result.exit_code == 5, result.output
    lines = result.output.splitlines()
    assert (
        "error: update merged with conflicts in 1 file(s); both sides are kept between <<<<<<< and >>>>>>> markers"
        in lines
    )
    assert "  infra/envs/dev/main.tf" in lines
    text = main_tf.read_text()
    ours, theirs = text.split("<<<<<<< ", 1)[1].split("=======", 1)
    assert '"per_az" # we want HA' in ours
    assert '"single"' in theirs.split(">>>>>>> ", 1)[0]  # egress needed: one shared NAT outside production
    assert not list(edited_project.rglob("*.rej"))
    assert git(edited_project, "ls-files", "--stage") == index_before
    assert "needs_internet: true" in (edited_project / ".copier-answers.yml").read_text()
