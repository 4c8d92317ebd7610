"""The real ``mlgen new DEST`` questionnaire on a terminal, driven through tmux.

A bad answer shows its inline error on screen and is asked again; Ctrl-C midway leaves a partial
answers file, and ``--resume`` asks only the missing questions and keeps the earlier answers.
"""

from __future__ import annotations

import importlib.util as _ilu
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

# tests/conftest.py by path: a bare `import conftest` may find another folder's conftest.py first.
_spec = _ilu.spec_from_file_location("mlgen_tests_conftest", Path(__file__).resolve().parents[1] / "conftest.py")
assert _spec is not None and _spec.loader is not None
_conftest = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(_conftest)
REPO = _conftest.REPO
require_tool = _conftest.require_tool

from mlgen.answers import Answers
from mlgen.questionnaire import SKIP_UNLESS, _leaves

TIMEOUT = 60.0


class Pane:
    """One tmux session on a private socket, running a command in ``cwd``."""

    def __init__(self, socket: str, cwd: Path, command: list[str]) -> None:
        self.socket = socket
        env = {
            "PYTHONPATH": str(REPO / "generator"),
            "MLGEN_HOME": os.environ["MLGEN_HOME"],
            "TERM": "xterm",
            "PATH": os.environ.get("PATH", ""),
        }
        shell = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        line = f"cd {shlex.quote(str(cwd))} && env {shell} {shlex.join(command)}; echo MLGEN-EXIT=$?; sleep 600"
        self._tmux("new-session", "-d", "-x", "250", "-y", "50", "-s", "q", line)

    def _tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True, timeout=20
        ).stdout

    def screen(self) -> str:
        """Everything the pane showed (history included, wrapped lines joined)."""
        return self._tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "q")

    def wait_for(self, text: str, count: int = 1) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            screen = self.screen()
            if screen.count(text) >= count:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} (x{count}) never appeared; the pane shows:\n{self.screen()}")

    def type(self, text: str) -> None:
        if text:
            self._tmux("send-keys", "-t", "q", "-l", text)
        self._tmux("send-keys", "-t", "q", "Enter")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "q", *keys)

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=20)


@pytest.fixture
def pane_factory(tmp_path: Path) -> Iterator[object]:
    require_tool(shutil.which("tmux") is not None, "tmux is not on PATH (apt-get install -y tmux)")
    panes: list[Pane] = []

    def make(command: list[str]) -> Pane:
        pane = Pane(f"mlgen-test-{os.getpid()}-{len(panes)}", tmp_path, command)
        panes.append(pane)
        return pane

    yield make
    for pane in panes:
        pane.kill()


def _questions() -> list[str]:
    """The questions asked with default answers, in order (the skipped ones left out)."""
    return [p for p, _ in _leaves(Answers) if p not in SKIP_UNLESS or SKIP_UNLESS[p]({})]


def _mlgen(*args: str) -> list[str]:
    return [sys.executable, "-m", "mlgen.cli", *args]


def _answer(pane: Pane, replies: dict[str, str], start: int = 0, stop: str | None = None) -> None:
    """Answer each question in turn once its prompt is on screen (Enter keeps the default)."""
    for path in _questions()[start:]:
        if path == stop:
            return
        pane.wait_for(f"{path} — ")
        pane.type(replies.get(path, ""))


def test_bad_answer_is_shown_inline_and_corrected(pane_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pane = pane_factory(_mlgen("new", "demo", "--no-check", "--no-git"))
    _answer(pane, {}, stop="cloud.region")
    pane.wait_for("cloud.region — ")
    pane.type("eu-west-9")  # well-formed, but not a region mlgen has prices for (a catalogue check)
    screen = pane.wait_for("cloud.region — ", count=2)  # asked again …
    assert "cloud.region: mlgen has price data for" in screen  # … after the inline error
    assert "'eu-west-9' is not one of them" in screen
    assert "cloud.dr_region — " not in screen  # and before anything else
    pane.type("eu-west-1")
    _answer(pane, {}, start=_questions().index("cloud.region") + 1)
    screen = pane.wait_for("MLGEN-EXIT=")
    assert "MLGEN-EXIT=0" in screen, screen
    recorded = yaml.safe_dump(yaml.safe_load((tmp_path / "demo" / ".copier-answers.yml").read_text(encoding="utf-8")))
    assert "eu-west-1" in recorded and "eu-west-9" not in recorded
    assert not (tmp_path / ".mlgen-answers.partial.yml").exists()


def test_ctrl_c_leaves_a_partial_file_and_resume_keeps_the_answers(pane_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pane = pane_factory(_mlgen("new", "demo", "--no-check", "--no-git"))
    _answer(pane, {"project.name": "Tmux Demo #1", "cloud.region": "eu-west-1"}, stop="compliance.frameworks")
    pane.wait_for("compliance.frameworks — ")
    pane.keys("C-c")
    screen = pane.wait_for("MLGEN-EXIT=")
    partial = tmp_path / ".mlgen-answers.partial.yml"
    assert f"resume with: mlgen new demo --resume {partial}" in screen, screen
    assert "MLGEN-EXIT=0" not in screen
    kept = yaml.safe_load(partial.read_text(encoding="utf-8"))
    assert kept["project"]["name"] == "Tmux Demo #1"
    assert kept["cloud"]["region"] == "eu-west-1"
    assert "compliance" not in kept
    assert not (tmp_path / "demo").exists()

    pane = pane_factory(_mlgen("new", "demo", "--no-check", "--no-git", "--resume", str(partial)))
    screen = pane.wait_for("compliance.frameworks — ")
    assert "project.name — " not in screen and "cloud.region — " not in screen  # only the missing ones
    _answer(pane, {"compliance.frameworks": "gdpr"}, start=_questions().index("compliance.frameworks"))
    screen = pane.wait_for("MLGEN-EXIT=")
    assert "MLGEN-EXIT=0" in screen, screen
    recorded = yaml.safe_dump(yaml.safe_load((tmp_path / "demo" / ".copier-answers.yml").read_text(encoding="utf-8")))
    assert "Tmux Demo #1" in recorded and "eu-west-1" in recorded and "gdpr" in recorded
    assert not partial.exists()
