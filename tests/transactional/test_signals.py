"""Ctrl-C, SIGTERM and SIGKILL at several moments of `mlgen new` and `mlgen update` leave the
user's folder as it was, and nothing in the system temp folder."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from .helpers import PausedRun, first_error, git, mlgen, snapshot

EXPECTED_EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -signal.SIGKILL}


@pytest.mark.parametrize(
    ("pause", "sig"),
    [
        ("template-staged", signal.SIGKILL),  # inside the render, while temporary copies exist
        ("rendered", signal.SIGINT),
        ("checked", signal.SIGTERM),
        ("committed", signal.SIGKILL),
    ],
)
def test_killed_new_leaves_an_empty_dest_empty(tmp_path: Path, pause: str, sig: signal.Signals) -> None:
    dest = tmp_path / "out" / "proj"
    dest.mkdir(parents=True)
    run = PausedRun(["new", str(dest), "--defaults", "--no-check"], tmp_path, pause)
    run.wait_for_pause()
    code, output = run.kill(sig)
    assert code == EXPECTED_EXIT[sig], output
    if sig != signal.SIGKILL:
        assert first_error(output) == (
            "error: interrupted (Ctrl-C)" if sig == signal.SIGINT else "error: terminated (SIGTERM)"
        )
        # cleaned up on the way out: only DEST is left beside DEST
        assert sorted(p.name for p in dest.parent.iterdir()) == ["proj"]
    assert list(dest.iterdir()) == []
    assert list(run.tmpdir.iterdir()) == []  # nothing in the system temp folder, even after SIGKILL


def test_stale_scratch_from_a_killed_new_is_cleaned_by_the_next_run(tmp_path: Path) -> None:
    dest = tmp_path / "out" / "proj"
    run = PausedRun(["new", str(dest), "--defaults", "--no-check"], tmp_path, "rendered")
    run.wait_for_pause()
    run.kill(signal.SIGKILL)
    left = [p.name for p in dest.parent.iterdir()]
    assert not dest.exists()
    assert any(name.startswith(".mlgen-new-") for name in left), left
    code, output = mlgen("new", str(dest), "--defaults", "--no-check")
    assert code == 0, output
    assert "left beside proj by an interrupted mlgen run" in output
    assert sorted(p.name for p in dest.parent.iterdir()) == ["proj"]
    assert git(dest, "status", "--porcelain") == ""


def test_a_second_run_on_the_same_dest_is_refused(tmp_path: Path) -> None:
    dest = tmp_path / "out" / "proj"
    run = PausedRun(["new", str(dest), "--defaults", "--no-check"], tmp_path, "rendered")
    run.wait_for_pause()
    try:
        code, output = mlgen("new", str(dest), "--defaults", "--no-check")
        assert code == 2
        assert output.splitlines()[0] == f"error: another mlgen is already working on {dest}"
    finally:
        run.kill(signal.SIGTERM)
    assert not dest.exists()


@pytest.mark.parametrize(
    ("pause", "sig"),
    [
        ("cloned", signal.SIGINT),
        ("template-staged", signal.SIGKILL),  # inside copier's merge
        ("merged", signal.SIGTERM),
        ("checked", signal.SIGKILL),
    ],
)
def test_killed_update_leaves_tree_index_and_answers_untouched(
    project: Path, tmp_path: Path, pause: str, sig: signal.Signals
) -> None:
    before = snapshot(project)
    answers_before = (project / ".copier-answers.yml").read_bytes()
    args = [
        "update",
        str(project),
        "--no-check",
        "--set",
        "budget.monthly_usd=3000",
        "--set",
        "cloud.environments=[dev]",
    ]
    run = PausedRun(args, tmp_path, pause, cwd=project)
    run.wait_for_pause()
    code, output = run.kill(sig)
    assert code == EXPECTED_EXIT[sig], output
    assert snapshot(project) == before
    assert (project / ".copier-answers.yml").read_bytes() == answers_before
    assert list(run.tmpdir.iterdir()) == []
    if sig != signal.SIGKILL:
        assert sorted(p.name for p in project.parent.iterdir()) == ["proj"]


def test_a_signal_while_the_tree_changes_waits_until_the_change_is_complete(tmp_path: Path) -> None:
    dest = tmp_path / "out" / "proj"
    run = PausedRun(["new", str(dest), "--defaults", "--no-check"], tmp_path, "moving", pause_seconds=3)
    run.wait_for_pause()
    code, output = run.kill(signal.SIGTERM)
    assert code == 143, output
    assert first_error(output) == (
        "error: terminated (SIGTERM) while the project was being changed; that change was completed first"
    )
    assert git(dest, "status", "--porcelain") == ""
    assert (dest / "infra" / "envs" / "dev" / "main.tf").is_file()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["proj"]
