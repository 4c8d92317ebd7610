"""GCP and Azure fixture roots through the schema-served providers: the good root validates clean and
its `terraform test` suite (mocked provider, and a plan through the schema provider itself) passes;
the deliberately wrong variant fails validation exactly on the lines marked `# ERROR`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from schema_helpers import FIXTURES, installed_version, prepare

from mlgen.terraform import Terraform

pytestmark = pytest.mark.terraform
CLOUDS = {"gcp": ("google", "8.7.0"), "azure": ("azurerm", "5.10.0")}


def _validate(tf: Terraform, root: Path) -> dict:
    proc = tf.run(root, "validate", "-json", "-no-color")
    return dict(json.loads(proc.stdout))


@pytest.mark.parametrize("cloud", sorted(CLOUDS))
def test_good_root_validates_against_the_pinned_schema(cloud: str, schema_tf: Terraform, tmp_path: Path) -> None:
    root = prepare(schema_tf, FIXTURES / cloud / "good", tmp_path / "good")
    provider, version = CLOUDS[cloud]
    assert installed_version(root, provider) == version
    payload = _validate(schema_tf, root)
    assert payload["valid"] is True, payload["diagnostics"]
    assert payload["diagnostics"] == []


@pytest.mark.parametrize("cloud", sorted(CLOUDS))
def test_wrong_variant_fails_on_every_marked_line(cloud: str, schema_tf: Terraform, tmp_path: Path) -> None:
    root = prepare(schema_tf, FIXTURES / cloud / "bad", tmp_path / "bad")
    marked = [i for i, line in enumerate((root / "main.tf").read_text().splitlines(), 1) if "# ERROR" in line]
    payload = _validate(schema_tf, root)
    assert payload["valid"] is False
    lines = sorted(d["range"]["start"]["line"] for d in payload["diagnostics"])
    assert lines == marked, payload["diagnostics"]
    assert {d["severity"] for d in payload["diagnostics"]} == {"error"}
    summaries = {d["summary"] for d in payload["diagnostics"]}
    assert summaries == {
        "Unsupported argument",  # unknown argument, and a block written as an argument
        "Missing required argument",
        "Incorrect attribute value type",
        "Value for unconfigurable attribute",  # a computed-only attribute set
    }


@pytest.mark.parametrize("cloud", sorted(CLOUDS))
def test_terraform_test_passes_with_mock_and_schema_provider(cloud: str, schema_tf: Terraform, tmp_path: Path) -> None:
    root = prepare(schema_tf, FIXTURES / cloud / "good", tmp_path / "good")
    runs = sum(len(re.findall(r'^run "', f.read_text(), re.M)) for f in (root / "tests").glob("*.tftest.hcl"))
    proc = schema_tf.run(root, "test", "-no-color", timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert f"{runs} passed, 0 failed" in proc.stdout
    assert 'mock_provider "' in (root / "tests" / "mock.tftest.hcl").read_text()
