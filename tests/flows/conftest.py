"""Rendered examples and their roots' planned values, computed once per session (per xdist worker)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from apply import harness

from . import planned

_RENDERS: dict[str, Path] = {}
_STATES: dict[str, dict[str, Any]] = {}


@pytest.fixture(scope="session")
def flow_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("flows")


@pytest.fixture(scope="session")
def root_state(flow_work: Path, terraform_env: dict[str, str]):  # type: ignore[no-untyped-def]
    """``root_state("example", "envs/prod")`` -> the root's values planned under mock_provider (cached)."""

    def get(example: str, root: str) -> dict[str, Any]:
        key = f"{example}:{root}"
        if key not in _STATES:
            if example not in _RENDERS:
                _RENDERS[example] = harness.render_example(example, flow_work / "render" / example)
            work = flow_work / "state" / key.replace(":", "-").replace("/", "-")
            _STATES[key] = planned.planned_state(_RENDERS[example] / "infra", root, work, terraform_env)
        return _STATES[key]

    return get
