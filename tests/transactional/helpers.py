"""Helpers for the lost-work and signal tests: snapshots of a user's tree and phase-paused runs."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlgen.cli import main

REPO = Path(__file__).resolve().parents[2]


def git(project: Path, *args: str) -> str:
    """git in ``project`` as a user would run it."""
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    return subprocess.run(["git", *ident, "-C", str(project), *args], capture_output=True, text=True, check=True).stdout


def snapshot(project: Path) -> dict[str, str]:
    """Every file of the working tree (digest), the index, HEAD and the status: what a user would miss."""
    state = {}
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project).as_posix()
        if rel.startswith(".git/") or rel == ".git" or path.is_dir():
            continue
        if path.is_symlink():
            state[rel] = f"-> {os.readlink(path)}"
        else:
            state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    if (project / ".git").is_dir():
        # what the index holds (mode, blob, stage, path); its stat cache is refreshed by any `git status`
        state["index"] = git(project, "ls-files", "--stage")
        state["HEAD"] = git(project, "rev-parse", "HEAD").strip()
        state["status"] = git(project, "status", "--porcelain")
    return state


def mlgen(*args: str) -> tuple[int, str]:
    """Run the CLI in-process; returns (exit code, output)."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def first_error(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("error:"))


class PausedRun:
    """``mlgen ARGS`` in a subprocess that sleeps at a named phase, to be killed there."""

    def __init__(
        self, args: list[str], tmp: Path, pause: str, cwd: Path | None = None, pause_seconds: float = 60
    ) -> None:
        self.phases = tmp / "phases"
        self.phases.mkdir(parents=True, exist_ok=True)
        self.tmpdir = tmp / "system-tmp"
        self.tmpdir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO / "generator"),
            "MLGEN_TEST_PHASES": str(self.phases),
            "MLGEN_TEST_PAUSE": pause,
            "MLGEN_TEST_PAUSE_SECONDS": str(pause_seconds),
            "TMPDIR": str(self.tmpdir),
        }
        self.pause = pause
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mlgen.cli", *args],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_for_pause(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while not (self.phases / self.pause).exists():
            if self.proc.poll() is not None:
                out, err = self.proc.communicate()
                pytest.fail(f"mlgen ended (exit {self.proc.returncode}) before phase {self.pause}: {err}{out}")
            if time.monotonic() > deadline:
                self.proc.kill()
                pytest.fail(f"phase {self.pause} not reached in {timeout}s")
            time.sleep(0.1)

    def kill(self, sig: int) -> tuple[int, str]:
        os.kill(self.proc.pid, sig)
        out, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, err + out
