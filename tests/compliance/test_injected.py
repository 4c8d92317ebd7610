"""Injected violations, scanned for real: each one must fail the gate on the right control.

A base root is copied into four variants, each with one violation added. All five roots are
scanned in one ``run_scan`` call. Every assertion is differential: the variant fails the gate on
the expected control *and* the base root does not fail that way, so a check that fails for an
unrelated reason cannot make the test pass.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlgen.compliance.gate import GateResult, evaluate_gate
from mlgen.compliance.scan import WAIVER_CHECK_ID, ScanResult, ScanSettings, run_scan

from .conftest import FIXTURES, requires_checkov

pytestmark = [pytest.mark.checkov, requires_checkov]

FRAMEWORKS = ["hipaa", "soc2", "gdpr", "pci_dss", "iso27001"]
SETTINGS = ScanSettings(allowed_regions=("eu-west-1",), stage="production", frameworks=tuple(FRAMEWORKS))

PUBLIC_ACL = """
resource "aws_s3_bucket_acl" "data" {
  bucket = aws_s3_bucket.data.id
  acl    = "public-read"
}
"""

ENDPOINT_WITHOUT_KMS = """
resource "aws_sagemaker_endpoint_configuration" "model" {
  name = "fraud-model"

  production_variants {
    variant_name           = "primary"
    model_name             = "fraud-model"
    instance_type          = "ml.g5.xlarge"
    initial_instance_count = 1
  }

  data_capture_config {
    initial_sampling_percentage = 10
    destination_s3_uri          = "s3://mlgen-fixture-capture/fraud-model"

    capture_options {
      capture_mode = "Input"
    }
  }
}
"""

OUTSIDE_RESIDENCY = """
provider "aws" {
  alias  = "dr"
  region = "us-east-1"
}

resource "aws_subnet" "far_away" {
  vpc_id            = "vpc-0123456789abcdef0"
  cidr_block        = "10.0.9.0/24"
  availability_zone = "us-west-2b"
}
"""


def _variant(tmp: Path, name: str, extra: str = "", skip: str | None = None) -> Path:
    root = tmp / name
    shutil.copytree(FIXTURES / "injected" / "base", root)
    main = root / "main.tf"
    if skip is not None:
        text = main.read_text(encoding="utf-8")
        assert "# mlgen-test: skip-here" in text
        main.write_text(text.replace("# mlgen-test: skip-here", skip), encoding="utf-8")
    if extra:
        (root / "injected.tf").write_text(extra, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[ScanResult, GateResult]:
    tmp = tmp_path_factory.mktemp("injected")
    roots = [
        _variant(tmp, "base"),
        _variant(tmp, "public_acl", PUBLIC_ACL),
        _variant(tmp, "endpoint_without_kms", ENDPOINT_WITHOUT_KMS),
        _variant(tmp, "outside_residency", OUTSIDE_RESIDENCY),
        # a suppression with the colon but no reason, and a reasoned one on the same resource
        _variant(
            tmp,
            "skip_without_reason",
            skip="#checkov:skip=CKV_AWS_144:\n"
            "  #checkov:skip=CKV_AWS_18:central CloudTrail data events cover access logs",
        ),
    ]
    result = run_scan(roots, repo_root=tmp, settings=SETTINGS)
    return result, evaluate_gate(result, frameworks=FRAMEWORKS, fail_on=None)


def _gate_failures(gate: GateResult, root: str) -> dict[tuple[str, str], set[str]]:
    """(check id, resource) -> control keys, for gate failures of one root."""
    return {(f.finding.check_id, f.finding.resource): set(f.controls) for f in gate.failures if f.finding.root == root}


@pytest.mark.parametrize(
    ("root", "check_id", "resource", "controls"),
    [
        (
            "public_acl",
            "CKV_AWS_20",
            "aws_s3_bucket.data",  # graph check: reported on the bucket
            {
                "hipaa:164.312(a)(1)",
                "gdpr:Art. 5(1)(f)",
                "soc2:CC6.6",
                "pci_dss:1.4",
                "iso27001:5.15",
            },
        ),
        (
            "endpoint_without_kms",
            "CKV_AWS_98",
            "aws_sagemaker_endpoint_configuration.model",
            {"hipaa:164.312(a)(2)(iv)", "gdpr:Art. 32(1)(a)", "pci_dss:3.5", "iso27001:8.24"},
        ),
        (
            "endpoint_without_kms",
            "MLGEN_AWS_007",
            "aws_sagemaker_endpoint_configuration.model",
            {"hipaa:164.312(a)(2)(iv)", "gdpr:Art. 32(1)(a)", "soc2:CC6.1"},
        ),
        ("outside_residency", "MLGEN_AWS_001", "aws.dr", {"gdpr:Art. 44", "iso27001:5.34"}),
        ("outside_residency", "MLGEN_AWS_002", "aws_subnet.far_away", {"gdpr:Art. 44"}),
        (
            "skip_without_reason",
            WAIVER_CHECK_ID,
            "aws_s3_bucket.data",
            {"gdpr:Art. 5(2)", "hipaa:164.316(b)(1)", "iso27001:5.36"},
        ),
    ],
)
def test_injected_violation_fails_the_gate_on_the_right_control(
    scanned: tuple[ScanResult, GateResult],
    root: str,
    check_id: str,
    resource: str,
    controls: set[str],
) -> None:
    _, gate = scanned
    failures = _gate_failures(gate, root)
    assert (check_id, resource) in failures, sorted(failures)
    assert controls <= failures[(check_id, resource)]
    assert not any(key[0] == check_id for key in _gate_failures(gate, "base")), (
        f"{check_id} already fails on the base root"
    )


def test_base_root_itself_is_clean_where_it_matters(scanned: tuple[ScanResult, GateResult]) -> None:
    result, gate = scanned
    base_failed = {f.check_id for f in result.findings if f.root == "base" and f.status == "failed"}
    for check in (
        "CKV_AWS_20",
        "CKV_AWS_57",
        "CKV2_AWS_6",
        "CKV_AWS_145",
        "CKV_AWS_21",
        "MLGEN_AWS_001",
        "MLGEN_AWS_002",
        "MLGEN_AWS_003",
        "MLGEN_AWS_004",
        "MLGEN_AWS_009",
        WAIVER_CHECK_ID,
    ):
        assert check not in base_failed
    art44 = next(c for c in gate.controls["gdpr"] if c.control_id == "Art. 44")
    assert art44.status == "failed"  # failed by the residency variant, across all roots
    assert {f.root for f in art44.failed} == {"outside_residency"}


def test_residency_failure_names_the_region(scanned: tuple[ScanResult, GateResult]) -> None:
    _, gate = scanned
    (failure,) = [f for f in gate.failures if f.finding.check_id == "MLGEN_AWS_001"]
    assert "GDPR Art. 44" in failure.control_labels
    assert "us-east-1" in " ".join(failure.finding.details)
    assert failure.finding.file == "outside_residency/injected.tf"


def test_suppressions_keep_their_reasons(scanned: tuple[ScanResult, GateResult]) -> None:
    result, _ = scanned
    skipped = {f.check_id: f for f in result.findings if f.root == "skip_without_reason" and f.status == "skipped"}
    assert skipped["CKV_AWS_18"].suppress_reason == ("central CloudTrail data events cover access logs")
    assert skipped["CKV_AWS_144"].suppress_reason is None
    waivers = [f for f in result.findings if f.check_id == WAIVER_CHECK_ID]
    assert [(w.root, w.resource) for w in waivers] == [("skip_without_reason", "aws_s3_bucket.data")]
    assert "CKV_AWS_144" in waivers[0].details[0]
