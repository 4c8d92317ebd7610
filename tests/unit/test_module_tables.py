"""Module-wide tables and conventions read from the Terraform sources (no terraform needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlgen import decide
from mlgen.resources import modules_dir

MODULES = modules_dir() / "aws"


def _blocks(text: str, header: str) -> list[tuple[str, str]]:
    """(label, body) of every ``resource "<type>" "<label>" { ... }`` block of ``header`` type."""
    out = []
    for m in re.finditer(rf'resource "{re.escape(header)}" "([^"]+)" \{{', text):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        out.append((m.group(1), text[m.end() : i - 1]))
    return out


def _module_sources() -> list[Path]:
    return sorted(p for p in MODULES.glob("*/*.tf"))


def test_security_groups_use_name_prefix() -> None:
    """A fixed SG name fails every replacement (create_before_destroy: InvalidGroup.Duplicate)."""
    seen = []
    for path in _module_sources():
        for label, body in _blocks(path.read_text(encoding="utf-8"), "aws_security_group"):
            seen.append(f"{path.parent.name}.{label}")
            top = [line for line in body.splitlines() if re.match(r"^  \w", line)]  # top-level attributes only
            assert not any(re.match(r"^  name\s*=", line) for line in top), f"{path}: {label} sets a fixed name"
            assert any(re.match(r"^  name_prefix\s*=", line) for line in top), f"{path}: {label} has no name_prefix"
    assert len(seen) >= 5, seen  # network, training_sagemaker, training_eks, workspace, storage


def _endpoint_table() -> dict[str, str]:
    text = (MODULES / "network" / "endpoints.tf").read_text(encoding="utf-8")
    body = re.search(r"endpoint_service_names = \{(.*?)\n  \}", text, re.S)
    assert body, "local.endpoint_service_names not found"
    return dict(re.findall(r'"([^"]+)"\s*=\s*"([^"]+)"', body.group(1)))


@pytest.mark.parametrize(
    ("service", "name"),
    [
        ("sagemaker.studio", "aws.sagemaker.%s.studio"),
        ("sagemaker.notebook", "aws.sagemaker.%s.notebook"),
        ("sagemaker.experiments", "aws.sagemaker.%s.experiments"),
        ("sagemaker.api", "com.amazonaws.%s.sagemaker.api"),
        ("sagemaker.runtime", "com.amazonaws.%s.sagemaker.runtime"),
        ("ecr.dkr", "com.amazonaws.%s.ecr.dkr"),
    ],
)
def test_endpoint_service_names(service: str, name: str) -> None:
    assert _endpoint_table()[service] == name


def test_every_endpoint_decide_asks_for_is_in_the_table() -> None:
    asked = (
        set(decide.BASE_ENDPOINTS)
        | set(decide.EKS_ENDPOINTS)
        | set(decide.STUDIO_ENDPOINTS)
        | {"sagemaker.api", "sagemaker.runtime", "sagemaker.experiments"}
    )
    table = _endpoint_table()
    assert asked <= set(table), asked - set(table)
    for service, name in table.items():
        prefix = "aws.sagemaker.%s." if name.startswith("aws.") else "com.amazonaws.%s."
        assert name.startswith(prefix)
        suffix = name.removeprefix(prefix)
        assert suffix == (service.removeprefix("sagemaker.") if prefix.startswith("aws.") else service)


def test_state_bucket_name_says_tfstate_once() -> None:
    """The bootstrap's state bucket is <slug>-tfstate-<account>, not <slug>-tfstate-tfstate-<account>."""
    from mlgen.answers import build_answers

    bp = decide.decide(build_answers({"project": {"name": "Fraud Scoring"}}))
    state = next(m for m in bp.bootstrap if m.source == "state_backend")
    text = (MODULES / "state_backend" / "main.tf").read_text(encoding="utf-8")
    pattern = re.search(r'state = "(\$\{var\.name\}[^"]*)"', text)
    assert pattern, "state bucket name pattern not found in state_backend/main.tf"
    rendered = (
        pattern.group(1).replace("${var.name}", state.inputs["name"]).replace("${local.account_id}", "123456789012")
    )
    assert rendered == "fraud-scoring-tfstate-123456789012"
    assert len(rendered) <= 63
