"""mlgen's custom Checkov policies, scanned for real on pass/fail fixtures.

All fixture directories are scanned in one module-scoped ``run_scan`` call (one Checkov process
per directory, two at a time) with strict settings; the assertions then pick out the findings
of the policy each directory is about.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgen.compliance.policies import mlgen_policy_lib as lib
from mlgen.compliance.scan import ScanResult, ScanSettings, run_scan

from .conftest import FIXTURES, requires_checkov

STRICT = ScanSettings(
    allowed_regions=("eu-west-1", "eu-central-1"),
    allowed_instance_types=("ml.g5.*", "g5.*"),
    network_isolation="isolated",
    stage="production",
)

# fixture directory -> (policy id, resources that pass in pass/, resources that fail in fail/)
POLICIES: dict[str, tuple[str, set[str], set[str]]] = {
    "residency_provider": ("MLGEN_AWS_001", {"aws.default", "aws.dr"}, {"aws.dr", "aws.unpinned"}),
    "residency_resource": (
        "MLGEN_AWS_002",
        {"aws_subnet.private", "aws_s3_bucket_replication_configuration.data"},
        {"aws_subnet.private", "aws_s3_bucket_replication_configuration.data"},
    ),
    "tags_provider": ("MLGEN_AWS_003", {"aws.default"}, {"aws.default"}),
    "tags_resource": (
        "MLGEN_AWS_004",
        {"aws_s3_bucket.inherits", "aws_s3_bucket.own_tags"},
        {"aws_s3_bucket.data"},
    ),
    # MLGEN_AWS_005 only ever fails: a network without gateways produces no finding
    "isolated_gateways": (
        "MLGEN_AWS_005",
        set(),
        {"aws_internet_gateway.this", "aws_nat_gateway.this"},
    ),
    "isolated_public_endpoints": (
        "MLGEN_AWS_006",
        {
            "aws_eks_cluster.this",
            "aws_sagemaker_domain.this",
            "aws_sagemaker_notebook_instance.this",
        },
        {"aws_eks_cluster.this", "aws_sagemaker_domain.this"},
    ),
    "sagemaker_endpoint_config": (
        "MLGEN_AWS_007",
        {"aws_sagemaker_endpoint_configuration.this"},
        {
            "aws_sagemaker_endpoint_configuration.unencrypted",
            "aws_sagemaker_endpoint_configuration.no_capture",
        },
    ),
    "ml_platform_private": (
        "MLGEN_AWS_008",
        {"aws_sagemaker_domain.this", "aws_sagemaker_mlflow_tracking_server.this"},
        {"aws_sagemaker_domain.this", "aws_sagemaker_mlflow_tracking_server.this"},
    ),
    "budget": ("MLGEN_AWS_009", {"aws.default"}, {"aws.default"}),
    "interface_endpoints": ("MLGEN_AWS_010", {"aws.default"}, {"aws.default"}),
    "instance_types": (
        "MLGEN_AWS_011",
        {
            "aws_sagemaker_endpoint_configuration.this",
            "aws_eks_node_group.gpu",
            "aws_launch_template.gpu",
        },
        {
            "aws_sagemaker_endpoint_configuration.this",
            "aws_eks_node_group.default_type",
            "aws_launch_template.gpu",
        },
    ),
}

SETTINGS_DRIVEN = {
    "MLGEN_AWS_001",
    "MLGEN_AWS_002",
    "MLGEN_AWS_005",
    "MLGEN_AWS_006",
    "MLGEN_AWS_007",
    "MLGEN_AWS_008",
    "MLGEN_AWS_010",
    "MLGEN_AWS_011",
}


@pytest.fixture(scope="module")
def strict_scan() -> ScanResult:
    roots = [FIXTURES / name / kind for name in POLICIES for kind in ("pass", "fail")]
    roots.append(FIXTURES / "settings_off")
    return run_scan(roots, repo_root=FIXTURES, settings=STRICT)


@pytest.fixture(scope="module")
def default_scan() -> ScanResult:
    return run_scan([FIXTURES / "settings_off"], repo_root=FIXTURES, settings=ScanSettings())


def _resources(result: ScanResult, root: str, check_id: str, status: str) -> set[str]:
    return {f.resource for f in result.findings if f.root == root and f.check_id == check_id and f.status == status}


@requires_checkov
@pytest.mark.checkov
@pytest.mark.parametrize("name", sorted(POLICIES))
def test_policy_passes_its_pass_fixture(strict_scan: ScanResult, name: str) -> None:
    check_id, passing, _ = POLICIES[name]
    root = f"{name}/pass"
    assert _resources(strict_scan, root, check_id, "failed") == set()
    assert _resources(strict_scan, root, check_id, "passed") == passing


@requires_checkov
@pytest.mark.checkov
@pytest.mark.parametrize("name", sorted(POLICIES))
def test_policy_fails_its_fail_fixture(strict_scan: ScanResult, name: str) -> None:
    check_id, _, failing = POLICIES[name]
    root = f"{name}/fail"
    assert _resources(strict_scan, root, check_id, "failed") == failing
    failed = [f for f in strict_scan.findings if f.root == root and f.check_id == check_id and f.status == "failed"]
    assert all(f.details for f in failed), "every failure explains itself"
    assert all(f.file.startswith(f"{name}/fail/") and f.line_start > 0 for f in failed)


@requires_checkov
@pytest.mark.checkov
def test_failure_details_name_the_problem(strict_scan: ScanResult) -> None:
    def details(root: str, check_id: str, resource: str) -> str:
        (f,) = [x for x in strict_scan.findings if x.root == root and x.check_id == check_id and x.resource == resource]
        return " ".join(f.details)

    assert "us-east-1" in details("residency_provider/fail", "MLGEN_AWS_001", "aws.dr")
    assert "no region" in details("residency_provider/fail", "MLGEN_AWS_001", "aws.unpinned")
    assert "region us-east-1" in details(
        "residency_resource/fail", "MLGEN_AWS_002", "aws_s3_bucket_replication_configuration.data"
    )
    assert "cost-center, data-classification" in details("tags_resource/fail", "MLGEN_AWS_004", "aws_s3_bucket.data")
    assert "data_capture_config is missing" in details(
        "sagemaker_endpoint_config/fail",
        "MLGEN_AWS_007",
        "aws_sagemaker_endpoint_configuration.no_capture",
    )
    assert "sagemaker.runtime, ecr.api, ecr.dkr, logs" in details(
        "interface_endpoints/fail", "MLGEN_AWS_010", "aws.default"
    )
    assert "t3.medium" in details("instance_types/fail", "MLGEN_AWS_011", "aws_eks_node_group.default_type")


@requires_checkov
@pytest.mark.checkov
def test_module_resources_are_reported_in_the_module_file(strict_scan: ScanResult) -> None:
    budget = [
        f
        for f in strict_scan.findings
        if f.root == "budget/pass" and f.resource == "module.budget.aws_budgets_budget.this"
    ]
    assert budget, "checkov follows the local module call"
    assert {f.file for f in budget} == {"budget/pass/modules/budget/main.tf"}
    assert {f.caller_file for f in budget} == {"budget/pass/main.tf"}


@requires_checkov
@pytest.mark.checkov
def test_strict_settings_make_the_settings_fixture_fail(strict_scan: ScanResult) -> None:
    failed = {f.check_id for f in strict_scan.findings if f.root == "settings_off" and f.status == "failed"}
    assert failed >= SETTINGS_DRIVEN


@requires_checkov
@pytest.mark.checkov
def test_default_settings_leave_settings_driven_policies_silent(default_scan: ScanResult) -> None:
    failed = {f.check_id for f in default_scan.findings if f.status == "failed"}
    assert failed & SETTINGS_DRIVEN == set()
    # outside production an encrypted endpoint config passes without data capture
    passed = {f.check_id for f in default_scan.findings if f.status == "passed"}
    assert "MLGEN_AWS_007" in passed
    # checks that do not depend on settings still run
    assert {"MLGEN_AWS_003", "MLGEN_AWS_009"} <= failed


@requires_checkov
@pytest.mark.checkov
def test_scan_result_is_sorted_and_carries_the_checkov_version(strict_scan: ScanResult) -> None:
    assert list(strict_scan.findings) == sorted(strict_scan.findings, key=lambda f: f.sort_key())
    assert strict_scan.checkov_version.startswith("3.")
    assert len(strict_scan.roots) == 2 * len(POLICIES) + 1
    assert strict_scan.parsing_errors == ()


# ---------------------------------------------------------------- helpers, no Checkov needed
@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("eu-west-1", "eu-west-1"),
        ("eu-west-1a", "eu-west-1"),
        ("us-west-2-lax-1a", "us-west-2"),
        ("us-gov-west-1b", "us-gov-west-1"),
        ("arn:aws:kms:eu-central-1:123456789012:key/abc", "eu-central-1"),
        ("arn:aws:s3:::bucket", None),
        ("euw1-az1", None),
    ],
)
def test_region_of_location(value: str, region: str | None) -> None:
    assert lib.region_of_location(value) == region


@pytest.mark.parametrize(
    ("service", "suffix"),
    [
        ("com.amazonaws.eu-west-1.sts", "sts"),
        ("com.amazonaws.${var.region}.sagemaker.api", "sagemaker.api"),
        ("com.amazonaws.${data.aws_region.current.name}.ecr.dkr", "ecr.dkr"),
        ("aws.sagemaker.eu-west-1.experiments", "sagemaker.experiments"),
    ],
)
def test_endpoint_service_suffix(service: str, suffix: str) -> None:
    assert lib.endpoint_service_suffix({"service_name": service}) == suffix


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLGEN_ALLOWED_REGIONS", " eu-west-1, ,eu-central-1")
    monkeypatch.setenv("MLGEN_NETWORK_ISOLATION", "bogus")
    monkeypatch.delenv("MLGEN_ALLOWED_INSTANCE_TYPES", raising=False)
    assert lib.allowed_regions() == ("eu-central-1", "eu-west-1")
    assert lib.network_isolation() == "isolated"  # unknown values fail closed
    assert lib.allowed_instance_types() == ()
    assert lib.instance_type_allowed("ml.g5.2xlarge", ["ml.g5.*"])
    assert not lib.instance_type_allowed("ml.p4d.24xlarge", ["ml.g5.*"])


def test_policy_files_import_only_the_standard_library_and_checkov() -> None:
    """The policies can be vendored into a generated repo and run by a plain checkov."""
    import ast

    allowed = {
        "__future__",
        "checkov",
        "mlgen_policy_lib",
        "pathlib",
        "typing",
        "re",
        "os",
        "fnmatch",
        "collections",
    }
    for path in Path(lib.__file__).parent.glob("mlgen_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module and node.module.split(".")[0] in allowed, (
                    path.name,
                    node.module,
                )
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] in allowed, (path.name, alias.name)
