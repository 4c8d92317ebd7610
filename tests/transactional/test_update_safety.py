"""`mlgen update` loses nothing: given answers merge into the recorded ones, edited files that the
update would delete are listed and kept unless confirmed, and a refused update changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlgen import api

from .helpers import first_error, git, mlgen, snapshot


def recorded(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())["mlgen_answers"]


@pytest.fixture
def hipaa_project(tmp_path: Path) -> Path:
    dest = tmp_path / "hipaa"
    code, out = mlgen(
        "new",
        str(dest),
        "--defaults",
        "--no-check",
        "--set",
        "compliance.frameworks=[hipaa, soc2]",
        "--set",
        "compliance.audit_retention_days=2190",
        "--set",
        "cloud.environments=[dev, staging, prod]",
        "--set",
        "budget.monthly_usd=20000",
    )
    assert code == 0, out
    return dest


def test_partial_answers_file_is_merged_into_the_recorded_answers(hipaa_project: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial.yml"
    partial.write_text("budget:\n  monthly_usd: 25000\n")
    merged = api.project_answers(hipaa_project, partial)
    assert merged.compliance.frameworks == ["hipaa", "soc2"]
    assert [str(e) for e in merged.cloud.environments] == ["dev", "staging", "prod"]
    assert merged.budget.monthly_usd == 25000
    assert merged.compliance.audit_retention_days == 2190
    replaced = api.project_answers(hipaa_project, partial, replace=True)
    assert replaced.compliance.frameworks != ["hipaa", "soc2"]
    assert replaced.budget.monthly_usd == 25000


def test_update_with_a_partial_answers_file_keeps_frameworks_and_environments(
    hipaa_project: Path, tmp_path: Path
) -> None:
    partial = tmp_path / "partial.yml"
    partial.write_text("budget:\n  monthly_usd: 25000\n")
    code, out = mlgen("update", str(hipaa_project), "--no-check", "--answers", str(partial))
    assert code == 0, out
    answers = recorded(hipaa_project)
    assert answers["compliance"]["frameworks"] == ["hipaa", "soc2"]
    assert answers["budget"]["monthly_usd"] == 25000
    assert answers["compliance"]["audit_retention_days"] == 2190
    for env in ("dev", "staging", "prod"):
        assert (hipaa_project / "infra" / "envs" / env / "main.tf").is_file()


def test_replace_answers_needs_an_answers_file(hipaa_project: Path) -> None:
    code, out = mlgen("update", str(hipaa_project), "--no-check", "--replace-answers")
    assert code == 2
    assert "--replace-answers needs --answers FILE" in out


def test_removing_an_env_with_edited_files_is_refused_then_confirmed(project: Path) -> None:
    main_tf = project / "infra" / "envs" / "staging" / "main.tf"
    main_tf.write_text(main_tf.read_text() + "\n# staging has a hand-tuned quota\n")
    git(project, "commit", "-qam", "tune staging")
    before = snapshot(project)
    code, out = mlgen("update", str(project), "--no-check", "--set", "cloud.environments=[dev]")
    assert code == 2, out
    assert first_error(out) == "error: this update would delete 1 file(s) that you edited; nothing was changed"
    assert "  infra/envs/staging/main.tf" in out.splitlines()
    assert snapshot(project) == before
    code, out = mlgen("update", str(project), "--no-check", "--set", "cloud.environments=[dev]", "--yes")
    assert code == 0, out
    assert not main_tf.exists()
    assert not (project / "infra" / "envs" / "staging" / "variables.tf").exists()
    assert "On-call rota lives in the wiki." in (project / "README.md").read_text()
