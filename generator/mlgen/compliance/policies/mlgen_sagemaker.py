"""SageMaker endpoint configurations (MLGEN_AWS_007).

Every endpoint configuration encrypts the ML storage volumes with a customer managed key
(``kms_key_arn``). When ``MLGEN_STAGE`` is ``production`` it also captures inference data
(``data_capture_config`` with capture enabled, a destination and a non-zero sampling rate), so
model behaviour can be audited and monitored.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

try:
    from . import mlgen_policy_lib as lib
except ImportError:  # loaded by Checkov as a top-level module
    import mlgen_policy_lib as lib  # type: ignore[no-redef]


class EndpointConfigEncryptedAndCaptured(BaseResourceCheck):
    """MLGEN_AWS_007: endpoint configs use a CMK and capture data in production."""

    def __init__(self) -> None:
        super().__init__(
            name="SageMaker endpoint configuration is encrypted with a KMS key and captures "
            "inference data in production",
            id="MLGEN_AWS_007",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_sagemaker_endpoint_configuration"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        problems: list[str] = []
        key = lib.first(conf.get("kms_key_arn"))
        if not isinstance(key, str) or not key.strip():
            problems.append("kms_key_arn is not set")
        if lib.stage() == "production":
            captures = lib.blocks(conf, "data_capture_config")
            capture = captures[0] if captures else None
            if capture is None:
                problems.append("data_capture_config is missing (required in production)")
            else:
                if not lib.as_bool(capture.get("enable_capture"), default=True):
                    problems.append("data_capture_config.enable_capture is false")
                if not lib.first(capture.get("destination_s3_uri")):
                    problems.append("data_capture_config.destination_s3_uri is not set")
                sampling = lib.first(capture.get("initial_sampling_percentage"))
                if isinstance(sampling, (int, float)) and sampling <= 0:
                    problems.append("data_capture_config.initial_sampling_percentage is 0")
        if problems:
            self.details.extend(problems)
            return CheckResult.FAILED
        return CheckResult.PASSED


endpoint_config_encrypted_and_captured = EndpointConfigEncryptedAndCaptured()
