"""terraform's providers start from a deep TMPDIR (mlgen's scratch folder beside a deep DEST).

A provider listens on a unix socket it creates in TMPDIR, and a socket path holds at most 107 bytes:
with TMPDIR that deep, every provider failed to start and ``mlgen update``/``check``/``new`` reported
"Failed to read any lines from plugin's stdout" for every root (seen in CI under pytest-xdist, whose
temporary folders are one level deeper).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from mlgen.terraform import SOCKET_TMPDIR_MAX, Terraform, plugin_tmpdir

ROOT = 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n'


@pytest.fixture
def deep_tmpdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(deep))
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    return deep


def test_plugin_tmpdir_is_short_under_a_deep_tmpdir(deep_tmpdir: Path) -> None:
    with plugin_tmpdir() as folder:
        assert len(folder) <= SOCKET_TMPDIR_MAX + 20
        assert not folder.startswith(str(deep_tmpdir))
        assert os.access(folder, os.W_OK)


def test_terraform_validates_with_a_deep_tmpdir(
    terraform_env: dict[str, str], deep_tmpdir: Path, tmp_path: Path
) -> None:
    """``Terraform()`` with its own default environment, as ``mlgen`` builds it inside its scratch folder."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(ROOT, encoding="utf-8")
    result = Terraform().check_root(root)
    assert result.init_ok, result.init_output
    assert result.ok, [f"{d.summary}: {d.detail}" for d in result.errors]
