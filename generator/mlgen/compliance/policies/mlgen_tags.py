"""Required tags: ``project``, ``environment``, ``cost-center`` and ``data-classification``.

* MLGEN_AWS_003 (provider level): every ``provider "aws"`` block sets all four through
  ``default_tags``. This is how mlgen roots tag everything, so it is the check to look at first.
* MLGEN_AWS_004 (resource level): every taggable resource ends up with all four, counting the
  ``default_tags`` of the provider it uses *and* its own ``tags``. A resource that tags itself
  passes even when its provider has no ``default_tags``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.provider.base_check import BaseProviderCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

try:
    from . import mlgen_policy_lib as lib
except ImportError:  # loaded by Checkov as a top-level module
    import mlgen_policy_lib as lib  # type: ignore[no-redef]


def _taggable_types() -> list[str]:
    path = Path(__file__).with_name("taggable_resources.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


class ProviderDefaultTags(BaseProviderCheck):
    """MLGEN_AWS_003: the AWS provider applies the required tags by default."""

    def __init__(self) -> None:
        super().__init__(
            name="AWS provider default_tags carry project, environment, cost-center and data-classification",
            id="MLGEN_AWS_003",
            categories=[CheckCategories.CONVENTION],
            supported_provider=["aws"],
        )

    def scan_provider_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        missing = lib.missing_tags(lib.provider_default_tags(conf))
        if missing:
            self.details.append("default_tags lack: " + ", ".join(missing))
            return CheckResult.FAILED
        return CheckResult.PASSED


class ResourceRequiredTags(BaseResourceCheck):
    """MLGEN_AWS_004: taggable resources end up with the required tags."""

    def __init__(self) -> None:
        super().__init__(
            name="Taggable resource carries the required tags (own tags or provider default_tags)",
            id="MLGEN_AWS_004",
            categories=[CheckCategories.CONVENTION],
            supported_resources=_taggable_types(),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        provider_address = lib.first(conf.get("provider")) or conf.get("__provider_address__")
        provider = lib.provider_for(self.graph, str(provider_address or "aws"))
        effective = dict(lib.provider_default_tags(provider))
        own = lib.tag_map(conf.get("tags"))
        if own:
            effective.update(own)
        missing = lib.missing_tags(effective)
        if not missing:
            return CheckResult.PASSED
        raw = lib.first(conf.get("tags"))
        if raw is not None and own is None:
            self.details.append(f"tags {raw!r} could not be resolved statically")
        self.details.append("missing tags: " + ", ".join(missing))
        return CheckResult.FAILED


provider_default_tags = ProviderDefaultTags()
resource_required_tags = ResourceRequiredTags()
