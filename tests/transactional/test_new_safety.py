"""`mlgen new` into existing folders: a valid repository, --force never loses uncommitted work and
drops only the files mlgen generated before and no longer generates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .helpers import first_error, git, mlgen, snapshot


def assert_valid_repo(dest: Path) -> None:
    subprocess.run(["git", "-C", str(dest), "fsck", "--strict"], check=True, capture_output=True)
    assert git(dest, "status", "--porcelain") == ""
    assert len(git(dest, "log", "--oneline").splitlines()) == 1
    assert "infra/envs/dev/main.tf" in git(dest, "ls-files").splitlines()


def test_new_into_the_current_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "p"
    dest.mkdir()
    inode = dest.stat().st_ino
    monkeypatch.chdir(dest)
    code, out = mlgen("new", ".", "--defaults", "--no-check")
    assert code == 0, out
    assert dest.stat().st_ino == inode  # the folder the user's shell is in is still the project
    assert_valid_repo(dest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]


def test_new_through_a_symlinked_dest(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    code, out = mlgen("new", str(link), "--defaults", "--no-check")
    assert code == 0, out
    assert link.is_symlink()
    assert_valid_repo(real)


@pytest.fixture
def two_env_project(tmp_path: Path) -> Path:
    dest = tmp_path / "proj"
    code, out = mlgen("new", str(dest), "--defaults", "--no-check", "--set", "cloud.environments=[dev, staging]")
    assert code == 0, out
    return dest


def test_force_refuses_a_dirty_git_tree(two_env_project: Path) -> None:
    readme = two_env_project / "README.md"
    readme.write_text("uncommitted notes\n")
    before = snapshot(two_env_project)
    code, out = mlgen("new", str(two_env_project), "--defaults", "--no-check", "--force")
    assert code == 2
    assert first_error(out) == f"error: {two_env_project} has uncommitted changes; --force will not write over them"
    assert snapshot(two_env_project) == before


def test_force_removes_files_mlgen_no_longer_generates_and_keeps_edited_ones(two_env_project: Path) -> None:
    staging = two_env_project / "infra" / "envs" / "staging"
    (staging / "outputs.tf").write_text((staging / "outputs.tf").read_text() + "\n# ours\n")
    (staging / "notes.md").write_text("our notes\n")
    git(two_env_project, "add", "-A")
    git(two_env_project, "commit", "-qm", "team edits")
    code, out = mlgen("new", str(two_env_project), "--defaults", "--no-check", "--force")
    assert code == 0, out
    assert not (staging / "main.tf").exists()  # generated before, not now, unedited: removed
    assert not (staging / "tests" / "env.tftest.hcl").exists()
    assert (staging / "outputs.tf").read_text().endswith("# ours\n")  # edited: kept and listed
    assert "kept infra/envs/staging/outputs.tf: mlgen no longer generates it, but you edited it" in out
    assert (staging / "notes.md").read_text() == "our notes\n"  # never generated: kept
    assert (two_env_project / "infra" / "envs" / "dev" / "main.tf").is_file()


def test_no_git_needs_no_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare = tmp_path / "bin"
    bare.mkdir()
    monkeypatch.setenv("PATH", str(bare))
    dest = tmp_path / "demo"
    code, out = mlgen("new", str(dest), "--defaults", "--no-check", "--no-git")
    assert code == 0, out
    assert (dest / "infra" / "envs" / "dev" / "main.tf").is_file()
    assert not (dest / ".git").exists()
    code, out = mlgen("new", str(tmp_path / "other"), "--defaults", "--no-check")
    assert code == 1
    assert out.splitlines()[0] == "error: git is not on PATH"
    assert sorted(os.listdir(tmp_path)) == ["bin", "demo"]
