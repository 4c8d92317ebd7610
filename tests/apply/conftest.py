"""Fixtures of the apply cycle: one patched moto server per root, started and stopped here."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import harness


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlgen apply cycle")
    group.addoption(
        "--apply-subset",
        action="store_true",
        default=False,
        help="run the apply cycle only on the roots of tests/apply/subset.yaml (they cover every resource type the examples use)",
    )


@pytest.fixture(autouse=True)
def _no_proxy_for_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """boto3 calls in these tests go to 127.0.0.1 only, never through a proxy."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="module")
def patched_moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.MotoServer]:
    """A moto server with every fidelity patch (for the patch unit tests)."""
    server = harness.start_moto(tmp_path_factory.mktemp("moto") / "moto.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stock_moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.MotoServer]:
    """A moto server without the patches (shows each patch is needed)."""
    server = harness.start_moto(tmp_path_factory.mktemp("moto-stock") / "moto.log", patched=False)
    yield server
    server.stop()


@pytest.fixture
def moto_for_root(tmp_path: Path) -> Iterator[harness.MotoServer]:
    """A fresh patched moto server for one root's cycle (own port, so roots run in parallel)."""
    server = harness.start_moto(tmp_path / "moto.log")
    yield server
    server.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``--apply-subset``, keep only the cycles of the roots named in subset.yaml."""
    if not config.getoption("--apply-subset"):
        return
    chosen = set(harness.load_subset()["roots"])
    keep, drop = [], []
    for item in items:
        root = getattr(item, "callspec", None) and item.callspec.params.get("root")
        if isinstance(root, harness.Root) and root.id not in chosen:
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
