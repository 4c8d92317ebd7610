"""Environment problems end in one `error:` line with exit 2, no traceback, and change nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from mlgen.render import HOME_MARKER

from .helpers import REPO, git, mlgen


def assert_one_line_error(code: int, out: str, first: str) -> None:
    assert code == 2, out
    assert out.splitlines()[0] == first
    assert "Traceback" not in out


def test_dest_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    code, out = mlgen("new", str(tmp_path / "f" / "proj"), "--defaults", "--no-check")
    assert_one_line_error(
        code, out, f"error: {tmp_path / 'f' / 'proj'} is inside {tmp_path / 'f'}, which is a file, not a folder"
    )
    assert (tmp_path / "f").read_text() == "x"


def test_too_long_path(tmp_path: Path) -> None:
    dest = tmp_path / ("x" * 300)
    code, out = mlgen("new", str(dest), "--defaults", "--no-check")
    assert_one_line_error(code, out, f"error: {dest}: the path is too long for this system")
    assert list(tmp_path.iterdir()) == []


def test_mlgen_home_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home-file"
    home.write_text("not a folder")
    monkeypatch.setenv("MLGEN_HOME", str(home))
    code, out = mlgen("new", str(tmp_path / "proj"), "--defaults", "--no-check")
    assert_one_line_error(code, out, f"error: MLGEN_HOME {home} is not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home-file"]


def test_foreign_mlgen_home_is_never_emptied_or_committed_into(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "work"
    (home / "template").mkdir(parents=True)
    (home / "template" / "thesis.tex").write_text("years of work\n")
    git(home / "template", "init", "-q")
    git(home / "template", "add", "-A")
    git(home / "template", "commit", "-qm", "my thesis")
    log_before = git(home / "template", "log", "--format=%H %s")
    monkeypatch.setenv("MLGEN_HOME", str(home))
    code, out = mlgen("new", str(tmp_path / "proj"), "--defaults", "--no-check")
    assert_one_line_error(
        code,
        out,
        f"error: MLGEN_HOME {home} is not empty and has no {HOME_MARKER} marker; mlgen will not write into it",
    )
    assert (home / "template" / "thesis.tex").read_text() == "years of work\n"
    assert git(home / "template", "log", "--format=%H %s") == log_before
    assert sorted(p.name for p in home.iterdir()) == ["template"]
    assert not (tmp_path / "proj").exists()


def test_unwritable_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("x")
    monkeypatch.delenv("MLGEN_HOME")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "file" / "home"))
    code, out = mlgen("new", str(tmp_path / "proj"), "--defaults", "--no-check")
    data = tmp_path / "file" / "home" / ".local" / "share" / "mlgen"
    assert_one_line_error(code, out, f"error: cannot use mlgen's data folder {data}: Not a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_docs_compliance_a_file(tmp_path: Path) -> None:
    dest = tmp_path / "proj"
    assert mlgen("new", str(dest), "--defaults", "--no-check")[0] == 0
    shutil.rmtree(dest / "docs" / "compliance", ignore_errors=True)
    (dest / "docs" / "compliance").write_text("a file\n")
    code, out = mlgen("check", str(dest))
    assert_one_line_error(code, out, "error: docs/compliance is not a folder; cannot write the compliance reports")
    assert (dest / "docs" / "compliance").read_text() == "a file\n"


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_read_only_parent(tmp_path: Path) -> None:
    # pytest's own temp folder is private to its user, so build the read-only folder where another
    # user (nobody, when the tests run as root) can reach it.
    top = Path(tempfile.mkdtemp(prefix="mlgen-ro-test-"))
    try:
        top.chmod(0o755)
        parent = top / "ro"
        parent.mkdir(mode=0o555)
        parent.chmod(0o555)
        cmd = [sys.executable, "-m", "mlgen.cli", "new", str(parent / "proj"), "--defaults", "--no-check"]
        if os.geteuid() == 0:  # root ignores permissions: run as nobody
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("running as root without setpriv: cannot make a folder read-only")
            cmd = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO / "generator"),
            "HOME": str(top / "home"),
            "MLGEN_HOME": str(top / "home" / "mlgen"),
        }
        env.pop("XDG_CONFIG_HOME", None)
        env.pop("XDG_DATA_HOME", None)
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd="/")
        assert_one_line_error(proc.returncode, proc.stderr, f"error: cannot write in {parent}: permission denied")
        assert list(parent.iterdir()) == []
        # An existing folder the user owns, in a folder they cannot write: new works in it, with its
        # lock and scratch folder in mlgen's data folder instead of beside it.
        parent.chmod(0o755)
        (parent / "proj").mkdir()
        (top / "home").mkdir()
        if os.geteuid() == 0:
            os.chown(parent / "proj", 65534, 65534)
            os.chown(top / "home", 65534, 65534)
        parent.chmod(0o555)
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, cwd="/")
        assert proc.returncode == 0, proc.stderr
        assert (parent / "proj" / "infra" / "envs" / "dev" / "main.tf").is_file()
        assert [p.name for p in parent.iterdir()] == ["proj"]
        assert list((top / "home" / "mlgen" / "scratch").iterdir()) == []
        status = subprocess.run(
            ["git", "-c", f"safe.directory={parent / 'proj'}", "-C", str(parent / "proj"), "status", "--porcelain"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert status.stdout == ""
    finally:
        (top / "ro").chmod(0o755)
        shutil.rmtree(top)
