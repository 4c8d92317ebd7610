"""CODEOWNERS from the answers project.platform_owners and project.compliance_owners.

Set, they own infrastructure and compliance files (every Checkov suppression included); empty, the
owners are derived as before (project.owner, @<org>/platform, @<org>/compliance).
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

from mlgen.answers import load_answers
from mlgen.errors import AnswersError


def _owners(codeowners: str, path: str) -> list[str]:
    """Owners of ``path`` by GitHub's rule: the last matching pattern wins."""
    owners: list[str] = []
    for line in codeowners.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern, *who = line.split()
        anchored = pattern.lstrip("/")
        if anchored.endswith("/"):
            hit = path.startswith(anchored)
        else:
            hit = fnmatch.fnmatch(path, anchored) or path.startswith(anchored + "/")
        if hit:
            owners = who
    return owners


def _render(tmp_path: Path, *overrides: str) -> Path:
    from mlgen import api

    dest = tmp_path / "p"
    answers = load_answers(None, ["project.github_repository=acme/fraud", *overrides])
    api.new(dest, answers, check=False, use_git=False, allow_over_budget=True, echo=lambda _: None)
    return dest


PLATFORM = ["@acme/ml-infra", "ops.lead+ml@acme.example"]
COMPLIANCE = ["@acme/security", "@auditor"]


def test_owner_answers_own_infrastructure_compliance_and_every_suppression(tmp_path: Path) -> None:
    project = _render(
        tmp_path,
        f"project.platform_owners=[{', '.join(repr(o) for o in PLATFORM)}]",
        f"project.compliance_owners=[{', '.join(repr(o) for o in COMPLIANCE)}]",
    )
    text = (project / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    for path in ("infra/envs/dev/main.tf", ".github/workflows/infra.yml", "Makefile"):
        assert _owners(text, path) == PLATFORM, path
    for path in ("docs/compliance/report.md", ".copier-answers.yml", ".github/CODEOWNERS"):
        assert _owners(text, path) == COMPLIANCE, path
    suppressing = sorted(
        p.relative_to(project).as_posix()
        for p in project.rglob("*.tf")
        if re.search(r"#\s*checkov:skip=", p.read_text(encoding="utf-8"))
    )
    assert suppressing
    for rel in suppressing:
        assert _owners(text, rel) == COMPLIANCE, rel
    assert _owners(text, "README.md") == ["ml-platform@example.com"]
    assert "@acme/platform" not in text and "@acme/compliance" not in text


def test_empty_owner_answers_keep_the_derived_owners(tmp_path: Path) -> None:
    text = (_render(tmp_path) / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert _owners(text, "infra/envs/dev/main.tf") == ["ml-platform@example.com", "@acme/platform"]
    assert _owners(text, "docs/compliance/report.md") == ["@acme/compliance"]


def test_only_compliance_owners_set_keeps_the_derived_platform(tmp_path: Path) -> None:
    text = (_render(tmp_path, "project.compliance_owners=['@acme/security']") / ".github" / "CODEOWNERS").read_text(
        encoding="utf-8"
    )
    assert _owners(text, "infra/envs/dev/main.tf") == ["ml-platform@example.com", "@acme/platform"]
    assert _owners(text, "docs/compliance/report.md") == ["@acme/security"]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("platform_owners", "@acme team", "is not a GitHub handle"),
        ("platform_owners", "@-acme", "is not a GitHub handle"),
        ("compliance_owners", "@acme/", "is not a GitHub handle"),
        ("compliance_owners", "a#b@acme.example", "cannot be a CODEOWNERS owner"),
        ("compliance_owners", "not-an-email", "is not a valid e-mail address"),
    ],
)
def test_bad_owners_are_refused_naming_the_field(field: str, value: str, reason: str) -> None:
    with pytest.raises(AnswersError) as info:
        load_answers(None, [f"project.{field}=[{value!r}]"])
    text = "\n".join([info.value.message, *info.value.details])
    assert f"project.{field}[0]" in text and reason in text, text
