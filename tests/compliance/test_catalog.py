"""Catalog integrity: every referenced check exists, has a severity and a sourced control."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlgen.compliance.catalog import (
    CATALOG_DIR,
    FRAMEWORK_IDS,
    CatalogError,
    load_catalog,
)
from mlgen.compliance.scan import MLGEN_CHECK_IDS, policies_dir

from .conftest import requires_checkov

ACCESSED = {"2026-11-21", "2026-12-02"}  # first catalog; not-assessed controls added

LIST_IDS = """
import json, sys
from checkov.common.checks_infra.registry import get_graph_checks_registry
from checkov.terraform.checks.data.registry import data_registry
from checkov.terraform.checks.module.registry import module_registry
from checkov.terraform.checks.provider.registry import provider_registry
from checkov.terraform.checks.resource.registry import resource_registry
resource_registry.load_external_checks(sys.argv[1])
graph = get_graph_checks_registry("terraform")
graph.load_checks()
ids = {c.id for c in graph.checks}
for reg in (resource_registry, provider_registry, data_registry, module_registry):
    for group in (reg.checks, reg.wildcard_checks):
        for checks in group.values():
            ids.update(c.id for c in checks)
print(json.dumps(sorted(ids)))
"""


@pytest.fixture(scope="module")
def installed_check_ids(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Ids of every Terraform check in the installed Checkov plus mlgen's policies."""
    cache = tmp_path_factory.mktemp("xdg")
    env = {
        "BC_SKIP_MAPPING": "TRUE",
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
        "XDG_CACHE_HOME": str(cache),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", LIST_IDS, str(policies_dir())],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=300,
    )
    return set(json.loads(out.stdout))


def test_catalog_loads_all_frameworks() -> None:
    catalog = load_catalog()
    assert tuple(catalog.frameworks) == FRAMEWORK_IDS
    for framework in catalog.frameworks.values():
        assert len(framework.controls) >= 8, framework.id


@pytest.mark.parametrize(
    ("framework", "control"),
    [
        ("hipaa", "164.312(a)(1)"),
        ("hipaa", "164.312(b)"),
        ("hipaa", "164.312(c)(1)"),
        ("hipaa", "164.312(e)(1)"),
        ("hipaa", "164.312(a)(2)(iv)"),
        ("soc2", "CC6.1"),
        ("soc2", "CC6.6"),
        ("soc2", "CC6.7"),
        ("soc2", "CC6.8"),
        ("soc2", "CC7.2"),
        ("soc2", "CC7.3"),
        ("soc2", "CC8.1"),
        ("soc2", "A1.2"),
        ("gdpr", "Art. 5(1)(f)"),
        ("gdpr", "Art. 25"),
        ("gdpr", "Art. 32(1)(a)"),
        ("gdpr", "Art. 32(1)(b)"),
        ("gdpr", "Art. 32(1)(d)"),
        ("gdpr", "Art. 44"),
        ("pci_dss", "1.3"),
        ("pci_dss", "1.4"),
        ("pci_dss", "3.5"),
        ("pci_dss", "4.2"),
        ("pci_dss", "7.2"),
        ("pci_dss", "8.3"),
        ("pci_dss", "10.2"),
        ("pci_dss", "10.3"),
        ("pci_dss", "10.5"),
        ("pci_dss", "11.5"),
        ("iso27001", "5.23"),
        ("iso27001", "8.5"),
        ("iso27001", "8.12"),
        ("iso27001", "8.15"),
        ("iso27001", "8.16"),
        ("iso27001", "8.20"),
        ("iso27001", "8.24"),
        ("iso27001", "8.28"),
    ],
)
def test_required_controls_exist_with_checks(framework: str, control: str) -> None:
    controls = {c.id: c for c in load_catalog().framework(framework).controls}
    assert control in controls
    assert controls[control].checks


def test_every_control_is_sourced_and_titled_in_few_words() -> None:
    for framework in load_catalog().frameworks.values():
        assert framework.source.accessed in ACCESSED
        for control in framework.controls:
            assert control.source.accessed in ACCESSED, control.key
            assert control.source.url.startswith("https://"), control.key
            assert control.source.document and control.source.section, control.key
            assert 10 <= len(control.title) <= 120, control.key
            assert len(set(control.checks)) == len(control.checks), f"duplicate in {control.key}"


def test_every_referenced_check_has_a_severity_and_vice_versa() -> None:
    catalog = load_catalog()
    referenced = catalog.referenced_checks()
    assert referenced - set(catalog.severities) == set()
    assert set(catalog.severities) - referenced == set()
    assert catalog.default_severity == "medium"


def test_severities_file_documents_how_they_were_chosen() -> None:
    header = (CATALOG_DIR / "severities.yaml").read_text(encoding="utf-8").split("schema_version")[0]
    for word in ("critical", "high", "medium", "low", "default"):
        assert word in header


def test_ml_platform_resources_are_covered() -> None:
    """Checks for each AWS service an ML platform uses are mapped somewhere."""
    referenced = load_catalog().referenced_checks()
    expected = {
        "S3": "CKV_AWS_20",
        "KMS": "CKV_AWS_7",
        "CloudTrail": "CKV_AWS_67",
        "CloudWatch logs": "CKV_AWS_158",
        "flow logs": "CKV2_AWS_11",
        "security groups": "CKV_AWS_24",
        "ECR": "CKV_AWS_163",
        "EKS": "CKV_AWS_58",
        "SageMaker endpoint": "CKV_AWS_98",
        "SageMaker model": "CKV_AWS_370",
        "SageMaker notebook": "CKV_AWS_122",
        "SageMaker domain": "CKV_AWS_187",
        "IAM": "CKV_AWS_290",
        "SNS": "CKV_AWS_26",
        "FSx": "CKV_AWS_190",
    }
    assert {k: v for k, v in expected.items() if v not in referenced} == {}


def test_every_mlgen_policy_is_in_the_catalog() -> None:
    ids = set()
    for path in policies_dir().glob("mlgen_*.py"):
        ids.update(re.findall(r'id="(MLGEN_AWS_\d{3})"', path.read_text(encoding="utf-8")))
    assert len(ids) == 11
    assert ids | set(MLGEN_CHECK_IDS) <= load_catalog().referenced_checks()


def test_broken_catalog_is_reported_by_file(tmp_path: Path) -> None:
    for path in CATALOG_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    data = yaml.safe_load((tmp_path / "gdpr.yaml").read_text(encoding="utf-8"))
    data["controls"].append(dict(data["controls"][0]))
    (tmp_path / "gdpr.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"gdpr.yaml: duplicate control ids \['Art. 5\(1\)\(e\)'\]"):
        load_catalog(tmp_path)


@requires_checkov
@pytest.mark.checkov
def test_every_referenced_check_exists_in_checkov_or_our_policies(
    installed_check_ids: set[str],
) -> None:
    referenced = load_catalog().referenced_checks()
    missing = sorted(referenced - installed_check_ids - set(MLGEN_CHECK_IDS))
    assert missing == []
    assert {i for i in installed_check_ids if i.startswith("MLGEN_")} == {
        i for i in referenced if i.startswith("MLGEN_AWS_")
    }
