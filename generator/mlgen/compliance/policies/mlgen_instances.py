"""Compute instance types stay inside ``MLGEN_ALLOWED_INSTANCE_TYPES`` (MLGEN_AWS_011).

Checked: SageMaker endpoint configuration variants (``production_variants`` and
``shadow_production_variants``), EKS managed node groups (``instance_types``; unset means the
AWS default ``t3.medium``) and launch templates (``instance_type``, when set). Patterns use
``fnmatch`` syntax, e.g. ``ml.g5.*``. With the variable unset the check reports nothing.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

try:
    from . import mlgen_policy_lib as lib
except ImportError:  # loaded by Checkov as a top-level module
    import mlgen_policy_lib as lib  # type: ignore[no-redef]

EKS_DEFAULT_INSTANCE_TYPE = "t3.medium"


class InstanceTypesAllowed(BaseResourceCheck):
    """MLGEN_AWS_011: GPU/ML instance types are on the allowed list."""

    def __init__(self) -> None:
        super().__init__(
            name="Compute instance types are on the allowed list",
            id="MLGEN_AWS_011",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=[
                "aws_sagemaker_endpoint_configuration",
                "aws_eks_node_group",
                "aws_launch_template",
            ],
        )

    def _types(self, conf: dict[str, Any]) -> list[str]:
        if self.entity_type == "aws_sagemaker_endpoint_configuration":
            found: list[str] = []
            for name in ("production_variants", "shadow_production_variants"):
                for variant in lib.blocks(conf, name):
                    value = lib.first(variant.get("instance_type"))
                    if isinstance(value, str) and value:
                        found.append(value)  # serverless variants have none
            return found
        if self.entity_type == "aws_eks_node_group":
            found = lib.string_list(conf.get("instance_types"))
            return found or [EKS_DEFAULT_INSTANCE_TYPE]
        value = lib.first(conf.get("instance_type"))
        return [value] if isinstance(value, str) and value else []

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        allowed = lib.allowed_instance_types()
        if not allowed:
            return CheckResult.UNKNOWN
        address = str(lib.first(conf.get("__address__")) or "")
        resolved = [lib.resolve_module_variable(self.graph, address, t) for t in self._types(conf)]
        types = [t for t in resolved if t is not None]
        if not types:
            return CheckResult.UNKNOWN
        bad = sorted({t for t in types if lib.is_unresolved(t) or not lib.instance_type_allowed(t, allowed)})
        if bad:
            self.details.append(f"instance types not on the allowed list ({', '.join(allowed)}): " + ", ".join(bad))
            return CheckResult.FAILED
        return CheckResult.PASSED


instance_types_allowed = InstanceTypesAllowed()
