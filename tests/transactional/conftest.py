"""Fixtures: a generated, team-edited project, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import git, mlgen


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated project with two environments and one committed team edit (built once per module)."""
    dest = tmp_path_factory.mktemp("base") / "proj"
    code, out = mlgen("new", str(dest), "--defaults", "--no-check", "--set", "cloud.environments=[dev, staging]")
    assert code == 0, out
    readme = dest / "README.md"
    readme.write_text(readme.read_text() + "\n## Team notes\n\nOn-call rota lives in the wiki.\n")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "team edits")
    return dest


@pytest.fixture
def project(base_project: Path, tmp_path: Path) -> Path:
    """A private copy of :func:`base_project` (with its git history)."""
    dest = tmp_path / "work" / "proj"
    shutil.copytree(base_project, dest, symlinks=True)
    return dest
