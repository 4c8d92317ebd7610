"""Data residency: every region the configuration names must be inside ``MLGEN_ALLOWED_REGIONS``.

* MLGEN_AWS_001 looks at every ``provider "aws"`` block (default and aliases such as the DR
  provider): ``region`` must be set, resolvable and allowed.
* MLGEN_AWS_002 looks at resources that name a location themselves: ``region``/``region_name``/
  ``*_region`` and ``availability_zone(s)`` attributes at any nesting depth, and S3 replication
  destinations (a bucket ARN or KMS key ARN with a region, or the region of the provider that
  creates the destination bucket in this root).

With ``MLGEN_ALLOWED_REGIONS`` unset both checks report nothing (residency unrestricted).
"""

from __future__ import annotations

import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.provider.base_check import BaseProviderCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

try:
    from . import mlgen_policy_lib as lib
except ImportError:  # loaded by Checkov as a top-level module
    import mlgen_policy_lib as lib  # type: ignore[no-redef]

_LOCATION_KEYS = frozenset(
    {
        "region",
        "region_name",
        "source_region",
        "destination_region",
        "replica_region",
        "availability_zone",
        "availability_zones",
        "preferred_availability_zones",
    }
)
_BUCKET_REF = re.compile(r"(aws_s3_bucket)\.([A-Za-z0-9_-]+)")


class ProviderRegionResidency(BaseProviderCheck):
    """MLGEN_AWS_001: AWS provider regions stay inside the allowed residency."""

    def __init__(self) -> None:
        super().__init__(
            name="AWS provider region is inside the allowed data residency",
            id="MLGEN_AWS_001",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_provider=["aws"],
        )

    def scan_provider_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        allowed = lib.allowed_regions()
        if not allowed:
            return CheckResult.UNKNOWN
        region = lib.first(conf.get("region"))
        if not isinstance(region, str) or not region.strip():
            self.details.append(
                "provider has no region argument (it would come from the environment at run "
                f"time); pin one of: {', '.join(allowed)}"
            )
            return CheckResult.FAILED
        if lib.is_unresolved(region):
            self.details.append(f"region {region!r} could not be resolved statically")
            return CheckResult.FAILED
        if not lib.region_allowed(region, allowed):
            self.details.append(f"region {region} is outside the allowed set {', '.join(allowed)}")
            return CheckResult.FAILED
        return CheckResult.PASSED


class ResourceLocationResidency(BaseResourceCheck):
    """MLGEN_AWS_002: locations named by resources stay inside the allowed residency."""

    def __init__(self) -> None:
        super().__init__(
            name="Regions and availability zones named by resources are inside the allowed data residency",
            id="MLGEN_AWS_002",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_*"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        allowed = lib.allowed_regions()
        if not allowed:
            return CheckResult.UNKNOWN
        locations: list[tuple[str, str]] = []  # (where, value)
        self._collect(conf, "", locations)
        if self.entity_type == "aws_s3_bucket_replication_configuration":
            locations.extend(self._replication_destinations(conf))
        if not locations:
            return CheckResult.UNKNOWN
        bad: list[str] = []
        for where, value in sorted(set(locations)):
            region = lib.region_of_location(value)
            if region is None:
                if lib.is_unresolved(value) or where.endswith("destination.bucket"):
                    bad.append(f"{where}={value!r} (region could not be determined)")
                continue
            if not lib.region_allowed(region, allowed):
                bad.append(f"{where}={value} (region {region})")
        if bad:
            self.details.append(f"outside the allowed set {', '.join(allowed)}: " + "; ".join(bad))
            return CheckResult.FAILED
        return CheckResult.PASSED

    def _collect(self, node: Any, path: str, out: list[tuple[str, str]]) -> None:
        if isinstance(node, list):
            for item in node:
                self._collect(item, path, out)
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if not isinstance(key, str) or key.startswith("__"):
                continue
            where = f"{path}.{key}" if path else key
            if key in _LOCATION_KEYS:
                for item in lib.string_list(value):
                    if item and not lib.is_unresolved(item):
                        out.append((where, item))
            else:
                self._collect(value, where, out)

    def _replication_destinations(self, conf: dict[str, Any]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for rule in lib.blocks(conf, "rule"):
            for destination in lib.blocks(rule, "destination"):
                bucket = lib.first(destination.get("bucket"))
                if isinstance(bucket, str) and bucket:
                    out.append(("rule.destination.bucket", self._bucket_location(bucket)))
                for enc in lib.blocks(destination, "encryption_configuration"):
                    key = lib.first(enc.get("replica_kms_key_id"))
                    if isinstance(key, str) and key.startswith("arn:"):
                        out.append(("rule.destination.replica_kms_key_id", key))
        return out

    def _bucket_location(self, bucket: str) -> str:
        """A destination's region when it can be told, else the raw value."""
        if lib.region_of_location(bucket):
            return bucket  # an ARN that names its region (e.g. an access point or KMS key)
        match = _BUCKET_REF.search(bucket)
        if not match:
            return bucket
        wanted = f"{match.group(1)}.{match.group(2)}"
        for vertex in lib.resources(self.graph, "aws_s3_bucket"):
            if str(vertex.get("block_name_")) != wanted:
                continue
            conf = lib.block_config(vertex)
            provider_address = lib.first(conf.get("provider")) or conf.get("__provider_address__")
            provider = lib.provider_for(self.graph, str(provider_address or "aws"))
            region = lib.first((provider or {}).get("region"))
            if isinstance(region, str) and region and not lib.is_unresolved(region):
                return region
        return bucket


provider_region_residency = ProviderRegionResidency()
resource_location_residency = ResourceLocationResidency()
