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
        "--apply-all",
        action="store_true",
        default=False,
        help="run the apply cycle on every root of every example (about 4 min a root on 2 cores)",
    )
    group.addoption(
        "--apply-subset",
        action="store_true",
        default=False,
        help="run the apply cycle only on the roots of tests/apply/subset.yaml (they cover every resource type the examples use)",
    )
    group.addoption(
        "--apply-roots",
        default="",
        help="run the apply cycle on these roots only (comma-separated ids, e.g. prototype-tight-budget:bootstrap)",
    )


@pytest.fixture(autouse=True)
def _no_proxy_for_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """boto3 calls in these tests go to 127.0.0.1 only, never through a proxy."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key, raising=False)


def _require_moto() -> None:
    """Skip (fail under MLGEN_REQUIRE_TOOLS=1, as in CI) when moto is not installed."""
    import importlib.util

    if importlib.util.find_spec("moto") is not None:
        return
    reason = "moto is not installed (it comes with the test extra: pip install -e '.[test]')"
    if os.environ.get("MLGEN_REQUIRE_TOOLS") == "1":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def patched_moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.MotoServer]:
    """A moto server with every fidelity patch (for the patch unit tests)."""
    _require_moto()
    server = harness.start_moto(tmp_path_factory.mktemp("moto") / "moto.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stock_moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.MotoServer]:
    """A moto server without the patches (shows each patch is needed)."""
    _require_moto()
    server = harness.start_moto(tmp_path_factory.mktemp("moto-stock") / "moto.log", patched=False)
    yield server
    server.stop()


@pytest.fixture
def moto_for_root(tmp_path: Path) -> Iterator[harness.MotoServer]:
    """A fresh patched moto server for one root's cycle (own port, so roots run in parallel)."""
    _require_moto()
    server = harness.start_moto(tmp_path / "moto.log")
    yield server
    server.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Cycles run only on request: ``--apply-all`` (every root), ``--apply-subset`` (subset.yaml) or
    ``--apply-roots`` (named roots; CI runs the ones known to pass, see docs/performance.md).

    Without either they are skipped with the reason (the default suite stays fast); the moto patch
    and harness tests always run.
    """
    run_all = config.getoption("--apply-all")
    named = {r.strip() for r in str(config.getoption("--apply-roots")).split(",") if r.strip()}
    run_subset = config.getoption("--apply-subset") or bool(named)
    chosen = (named or set(harness.load_subset()["roots"])) if run_subset and not run_all else None
    skip = pytest.mark.skip(
        reason="apply cycle: pass --apply-roots=ID,..., --apply-subset or --apply-all (about 4 min per root on 2 cores)"
    )
    drop = []
    for item in items:
        if "tests/apply/" not in item.nodeid.replace("\\", "/"):
            continue
        slow = item.get_closest_marker("slow") is not None
        if not slow:
            continue
        if not (run_all or run_subset):
            item.add_marker(skip)
            continue
        root = item.callspec.params.get("root") if hasattr(item, "callspec") else None
        if chosen is not None and isinstance(root, harness.Root) and root.id not in chosen:
            drop.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [i for i in items if i not in drop]
