"""Shared fixtures. Tests that need terraform/checkov/chromium are skipped with the reason when the
tool is missing — except under MLGEN_REQUIRE_TOOLS=1 (CI), where a missing tool fails the test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlgen.terraform import Terraform

REPO = Path(__file__).resolve().parent.parent


def require_tool(ok: bool, reason: str) -> None:
    """Skip (or fail in CI) when a tool is missing."""
    if ok:
        return
    if os.environ.get("MLGEN_REQUIRE_TOOLS") == "1":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _mlgen_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the materialised template repository out of the user's home."""
    if not os.environ.get("MLGEN_HOME"):
        os.environ["MLGEN_HOME"] = str(tmp_path_factory.mktemp("mlgen-home"))


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for running terraform offline against the provider mirror."""
    from mlgen.terraform import cli_config_env, find_provider_mirror, terraform_binary

    require_tool(terraform_binary() is not None, "terraform is not on PATH")
    has_mirror = find_provider_mirror() is not None or bool(os.environ.get("TF_CLI_CONFIG_FILE"))
    require_tool(has_mirror, "no hashicorp/aws provider mirror (set MLGEN_TF_PROVIDER_MIRROR)")
    return cli_config_env(tmp_path_factory.mktemp("tfrc"))


@pytest.fixture(scope="session")
def tf(terraform_env: dict[str, str]) -> Terraform:
    """mlgen's own terraform wrapper, bound to the offline environment."""
    return Terraform(env=terraform_env)
