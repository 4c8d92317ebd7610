"""Network isolation policies, driven by ``MLGEN_NETWORK_ISOLATION`` (none|private|isolated).

* MLGEN_AWS_005: in ``isolated`` mode there is no NAT gateway and no internet gateway.
* MLGEN_AWS_006: in ``isolated`` mode nothing has a public endpoint: EKS API public access off,
  SageMaker Studio domains ``VpcOnly``, notebook instances without direct internet access.
* MLGEN_AWS_008: when isolation is not ``none``, SageMaker Studio domains are ``VpcOnly`` and
  every managed MLflow tracking server is reachable through an interface endpoint
  (``aws.sagemaker.<region>.experiments``). The tracking server itself has no network
  argument in hashicorp/aws 5.x: it runs in an AWS-managed VPC, so the private path is the
  endpoint.
* MLGEN_AWS_010 (root level): in ``private``/``isolated`` mode the root defines interface
  endpoints for sagemaker.api, sagemaker.runtime, ecr.api, ecr.dkr, sts and logs. It is a
  provider check that reads the whole root from Checkov's graph, reported once per root on
  the default ``provider "aws"`` block.

When a requirement is not active for the chosen isolation level the check reports nothing.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.provider.base_check import BaseProviderCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

try:
    from . import mlgen_policy_lib as lib
except ImportError:  # loaded by Checkov as a top-level module
    import mlgen_policy_lib as lib  # type: ignore[no-redef]


class IsolatedNoInternetGateways(BaseResourceCheck):
    """MLGEN_AWS_005: isolated networks have no NAT or internet gateway."""

    def __init__(self) -> None:
        super().__init__(
            name="Isolated network defines no NAT gateway or internet gateway",
            id="MLGEN_AWS_005",
            categories=[CheckCategories.NETWORKING],
            supported_resources=[
                "aws_nat_gateway",
                "aws_internet_gateway",
                "aws_egress_only_internet_gateway",
            ],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        if lib.network_isolation() != "isolated":
            return CheckResult.UNKNOWN
        self.details.append(f"{self.entity_type} gives the isolated network a path to the internet")
        return CheckResult.FAILED


class IsolatedNoPublicEndpoints(BaseResourceCheck):
    """MLGEN_AWS_006: isolated networks expose no public endpoint."""

    def __init__(self) -> None:
        super().__init__(
            name="Isolated network exposes no public endpoint (EKS API, SageMaker Studio, notebooks)",
            id="MLGEN_AWS_006",
            categories=[CheckCategories.NETWORKING],
            supported_resources=[
                "aws_eks_cluster",
                "aws_sagemaker_domain",
                "aws_sagemaker_notebook_instance",
            ],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        if lib.network_isolation() != "isolated":
            return CheckResult.UNKNOWN
        if self.entity_type == "aws_eks_cluster":
            vpc = (lib.blocks(conf, "vpc_config") or [{}])[0]
            if lib.as_bool(vpc.get("endpoint_public_access"), default=True):
                self.details.append("vpc_config.endpoint_public_access is not false")
                return CheckResult.FAILED
            if not lib.as_bool(vpc.get("endpoint_private_access"), default=False):
                self.details.append("vpc_config.endpoint_private_access is not true")
                return CheckResult.FAILED
        elif self.entity_type == "aws_sagemaker_domain":
            access = lib.first(conf.get("app_network_access_type")) or "PublicInternetOnly"
            if access != "VpcOnly":
                self.details.append(f"app_network_access_type is {access}, not VpcOnly")
                return CheckResult.FAILED
        elif self.entity_type == "aws_sagemaker_notebook_instance":
            access = lib.first(conf.get("direct_internet_access")) or "Enabled"
            if access != "Disabled":
                self.details.append(f"direct_internet_access is {access}, not Disabled")
                return CheckResult.FAILED
        return CheckResult.PASSED


class MlPlatformNotPublic(BaseResourceCheck):
    """MLGEN_AWS_008: Studio domains and MLflow tracking servers are reachable privately only."""

    def __init__(self) -> None:
        super().__init__(
            name="SageMaker Studio domain and MLflow tracking server are reachable only from the VPC",
            id="MLGEN_AWS_008",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_sagemaker_domain", "aws_sagemaker_mlflow_tracking_server"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        if lib.network_isolation() == "none":
            return CheckResult.UNKNOWN
        if self.entity_type == "aws_sagemaker_domain":
            access = lib.first(conf.get("app_network_access_type")) or "PublicInternetOnly"
            if access != "VpcOnly":
                self.details.append(f"app_network_access_type is {access}, not VpcOnly")
                return CheckResult.FAILED
            return CheckResult.PASSED
        services = lib.endpoint_services(self.graph)
        if "sagemaker.experiments" not in services:
            self.details.append(
                "no interface endpoint for aws.sagemaker.<region>.experiments in this root: "
                "MLflow traffic would leave the VPC"
            )
            return CheckResult.FAILED
        return CheckResult.PASSED


class PrivateInterfaceEndpoints(BaseProviderCheck):
    """MLGEN_AWS_010: private networks reach AWS APIs through interface endpoints."""

    def __init__(self) -> None:
        super().__init__(
            name="Private network defines interface endpoints for SageMaker, ECR, STS and CloudWatch Logs (root level)",
            id="MLGEN_AWS_010",
            categories=[CheckCategories.NETWORKING],
            supported_provider=["aws"],
        )

    def scan_provider_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        if conf.get("alias") or lib.network_isolation() == "none":
            return CheckResult.UNKNOWN  # root-level: evaluated once, on the default provider
        if not lib.graph_available(self.graph):
            self.details.append("mlgen: Checkov graph unavailable, cannot list endpoints")
            return CheckResult.FAILED
        present = lib.endpoint_services(self.graph)
        missing = [s for s in lib.REQUIRED_INTERFACE_ENDPOINTS if s not in present]
        if missing:
            self.details.append("missing interface endpoints: " + ", ".join(missing))
            return CheckResult.FAILED
        return CheckResult.PASSED


isolated_no_internet_gateways = IsolatedNoInternetGateways()
isolated_no_public_endpoints = IsolatedNoPublicEndpoints()
ml_platform_not_public = MlPlatformNotPublic()
private_interface_endpoints = PrivateInterfaceEndpoints()
