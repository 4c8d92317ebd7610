"""Fast checks of the apply harness itself (no emulator, no terraform)."""

from __future__ import annotations

import re
from pathlib import Path

from . import harness

MODULES = harness.REPO / "modules" / "aws"


def test_every_stub_has_a_reason_and_names_a_type_the_modules_use() -> None:
    used = set()
    for tf in MODULES.rglob("*.tf"):
        if "tests" not in tf.parts:
            used |= set(re.findall(r'^resource\s+"([a-z0-9_]+)"', tf.read_text(encoding="utf-8"), flags=re.MULTILINE))
    stubs = harness.load_stubs()
    assert stubs, "stubs.yaml lists no type"
    assert not set(stubs) - used, f"stubs.yaml lists types no module creates: {sorted(set(stubs) - used)}"
    assert all(len(s.reason) > 20 for s in stubs.values())


def test_stub_file_rejects_an_entry_without_reason(tmp_path: Path) -> None:
    bad = tmp_path / "stubs.yaml"
    bad.write_text("stubs:\n  - type: aws_eks_addon\n", encoding="utf-8")
    try:
        harness.load_stubs(bad)
    except ValueError as exc:
        assert "stubs[0].reason" in str(exc)
    else:
        raise AssertionError("an entry without a reason must be refused")


def test_override_redefines_every_provider_block_and_a_local_backend(tmp_path: Path) -> None:
    (tmp_path / "providers.tf").write_text(
        'provider "aws" {\n  region = var.region\n}\n\nprovider "aws" {\n  alias  = "dr"\n  region = "eu-west-1"\n}\n',
        encoding="utf-8",
    )
    aliases = harness.provider_aliases(tmp_path)
    assert aliases == [None, "dr"]
    text = harness.override_tf(aliases, "http://127.0.0.1:5555")
    assert text.count('provider "aws" {') == 2 and 'alias                       = "dr"' in text
    assert text.count('s3 = "http://127.0.0.1:5555"') == 2 and text.count("max_retries                 = 2") == 2
    assert 'backend "local" {}' in text


def test_stubbed_addresses_come_from_the_modules_a_root_calls(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(
        'resource "aws_eks_addon" "this" {\n}\nresource "aws_s3_bucket" "b" {\n}\n', encoding="utf-8"
    )
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "main.tf").write_text('module "training" {\n  source = "../mod"\n}\n', encoding="utf-8")
    addresses = harness.resource_addresses(tmp_path / "root")
    text, stubbed = harness.cycle_test_hcl(addresses, harness.load_stubs())
    assert stubbed == ["module.training.aws_eks_addon.this"]
    assert "target = module.training.aws_eks_addon.this" in text and "aws_s3_bucket" not in text.split("run ")[0]


def test_prevent_destroy_is_flipped_in_the_copy_only(tmp_path: Path) -> None:
    (tmp_path / "modules" / "m").mkdir(parents=True)
    tf = tmp_path / "modules" / "m" / "main.tf"
    tf.write_text('resource "x" "y" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n', encoding="utf-8")
    assert harness.rewrite_prevent_destroy(tmp_path) == 1
    assert "prevent_destroy = false" in tf.read_text(encoding="utf-8")


def test_replan_with_a_change_is_reported() -> None:
    stdout = "\n".join(
        [
            '{"@timestamp":"2026-01-01T00:00:00Z","type":"test_run","test_run":{"run":"replan","progress":"starting"}}',
            '{"@timestamp":"2026-01-01T00:00:05Z","@testrun":"replan","type":"test_plan","test_plan":{"resource_changes":['
            '{"address":"module.audit.aws_cloudtrail.this","change":{"actions":["update"]}},'
            '{"address":"module.keys.aws_kms_key.this","change":{"actions":["no-op"]}}]}}',
            '{"@timestamp":"2026-01-01T00:00:06Z","type":"test_run","test_run":{"run":"replan","progress":"complete","status":"pass"}}',
            '{"@timestamp":"2026-01-01T00:00:07Z","type":"test_summary","test_summary":{"status":"pass"}}',
        ]
    )
    parsed = harness.parse_test_output(stdout)
    assert parsed["changes"] == ["module.audit.aws_cloudtrail.this: update"]
    assert parsed["status"] == "pass" and parsed["seconds"]["replan"] == 6
