"""Fixtures for the schema-served provider tests: a filesystem mirror with mlgen's test-only google,
azurerm and aws providers (schemas from the pinned cdktn packages), and a terraform bound to it.

Skipped with the reason when terraform, the test extra's protocol packages or the schema packages are
missing; under MLGEN_REQUIRE_TOOLS=1 (CI) they fail instead."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from mlgen.terraform import Terraform, mirror_config, terraform_binary


def require(ok: bool, reason: str) -> None:
    """Skip (or fail in CI) when something the test needs is missing."""
    if ok:
        return
    if os.environ.get("MLGEN_REQUIRE_TOOLS") == "1":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def schema_mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mirror holding the schema-served hashicorp/google, azurerm and aws providers."""
    missing = [m for m in ("grpc", "grpc_tools", "msgpack", "cryptography") if importlib.util.find_spec(m) is None]
    require(not missing, f"the test extra is not installed (missing {', '.join(missing)}): pip install -e '.[test]'")
    require(terraform_binary() is not None, "terraform is not on PATH")
    from mlgen.testing.schema_provider import install
    from mlgen.testing.schemas import SchemaUnavailableError

    mirror = tmp_path_factory.mktemp("schema-mirror")
    try:
        install(mirror, ("google", "azurerm", "aws"))
    except SchemaUnavailableError as exc:
        require(False, f"provider schema package unavailable: {exc}")
    return mirror


@pytest.fixture(scope="session")
def schema_tf(schema_mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    """terraform that installs hashicorp providers only from the schema-served mirror."""
    config = tmp_path_factory.mktemp("schema-tfrc") / "terraform.rc"
    config.write_text(mirror_config(schema_mirror), encoding="utf-8")
    env = dict(os.environ, TF_CLI_CONFIG_FILE=str(config), CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
    return Terraform(env=env)
