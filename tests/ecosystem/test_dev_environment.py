"""The generated developer environment: `make install` makes and uses .venv; `make pin-images` pins by digest."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mlgen.answers import load_answers

REPO = Path(__file__).resolve().parents[2]
DIGEST = "sha256:" + "ab" * 32


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mlgen import api

    if shutil.which("make") is None:
        pytest.skip("make is not on PATH")
    dest = tmp_path_factory.mktemp("dev") / "p"
    answers = load_answers(REPO / "examples" / "tabular-serverless" / "answers.yml")
    api.new(dest, answers, check=False, use_git=False, allow_over_budget=True, echo=lambda _: None)
    return dest


def _fake(bin_dir: Path, name: str, script: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_make_install_creates_and_uses_a_venv(project: Path, tmp_path: Path) -> None:
    """With a base Python whose pip is refused (PEP 668), install still works: it only ever runs venv there."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # The "system" Python: creating a venv is allowed, `-m pip` is refused as on Debian/Ubuntu.
    _fake(
        bin_dir,
        "python3",
        f'if [ "$1 $2" = "-m pip" ]; then echo "error: externally-managed-environment" >&2; exit 1; fi\n'
        f'exec {sys.executable} "$@"\n',
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PIP_NO_INDEX": "1"}
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.run(
        ["make", "-n", "install"], cwd=project, env=env, capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    commands = proc.stdout
    assert '.venv/bin/python -m pip install -e ".[test,cloud]"' in commands
    assert not re.search(r"^python3 -m pip", commands, re.M)
    # Really create the venv (pip itself is not run: nothing is downloaded).
    created = subprocess.run(
        ["make", "install"],
        cwd=project,
        env={**env, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert "creating .venv with python3" in created.stdout, created.stdout + created.stderr
    assert (project / ".venv" / "bin" / "python").exists()
    assert "externally-managed-environment" not in created.stderr


def test_make_pin_images_pins_each_base_by_digest(project: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    # What `docker buildx imagetools inspect <ref>` prints (its default text format).
    inspect = (
        f"Name:      docker.io/library/x:1\nMediaType: application/vnd.oci.image.index.v1+json\nDigest:    {DIGEST}\n"
    )
    _fake(bin_dir, "docker", f"echo \"$@\" >> {calls}\nprintf '{inspect}'\n")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "BASE_PYTHON": sys.executable}
    before = {name: (project / name).read_text(encoding="utf-8") for name in ("Dockerfile.train", "Dockerfile.serve")}
    for _ in range(2):  # a second run re-resolves the tag, it does not stack digests
        proc = subprocess.run(
            ["make", "pin-images"], cwd=project, env=env, capture_output=True, text=True, check=False, timeout=60
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    for name, text in before.items():
        tag = re.search(r"^FROM (\S+) AS base$", text, re.M)
        assert tag, name
        pinned = (project / name).read_text(encoding="utf-8")
        assert f"FROM {tag.group(1)}@{DIGEST} AS base" in pinned.splitlines(), name
        assert pinned.replace(f"@{DIGEST}", "") == text, f"{name}: only the base line may change"
    asked = calls.read_text(encoding="utf-8").splitlines()
    assert all(line.startswith("buildx imagetools inspect ") for line in asked)
    assert not any("@sha256" in line.split()[3] for line in asked), "the tag, not the pinned digest, is resolved"
