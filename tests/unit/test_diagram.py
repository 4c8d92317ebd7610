"""The data-flow diagram is drawn from the blueprint's wiring: arrows, boundaries and keys follow
the module inputs, every edge appears once, and DR and CI appear exactly when they exist."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from mlgen.answers import build_answers, load_answers
from mlgen.api import plan
from mlgen.diagram import dataflow_mermaid, flows

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = sorted(p.parent.name for p in EXAMPLES.glob("*/answers.yml"))


def _bp(name: str) -> dict[str, Any]:
    return plan(load_answers(EXAMPLES / name / "answers.yml")).model_dump(mode="json")


def _primary(bp: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in bp["environments"] if e["primary"])


@pytest.mark.parametrize("name", NAMES)
def test_every_line_once_and_no_module_hairball(name: str) -> None:
    text = dataflow_mermaid(_bp(name))
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "flowchart LR"
    edges = [line for line in lines if "-->" in line or "-.->" in line]
    assert len(edges) == len(set(edges)), "duplicate edges"
    assert "keys" not in text, "the key module is a boundary label, not a node"


@pytest.mark.parametrize("name", NAMES)
def test_vpc_membership_follows_the_network_wiring(name: str) -> None:
    bp = _bp(name)
    text = dataflow_mermaid(bp)
    wired = {
        m["source"]
        for m in _primary(bp)["modules"]
        if any(isinstance(v, dict) and "module.network." in v.get("$ref", "") for v in m["inputs"].values())
    }
    vpc_block = text.split('subgraph vpc["', 1)[1].split("\n    end\n", 1)[0] if 'subgraph vpc["' in text else ""
    node_of = {"endpoint": "endpoint", "workspace": "workspace", "training_sagemaker": "training"}
    node_of["training_eks"] = "training"
    for source, node in node_of.items():
        if any(m["source"] == source for m in _primary(bp)["modules"]):
            assert (f"      {node}[" in vpc_block) == (source in wired), (source, vpc_block)
    assert "data[" not in vpc_block and "artifacts[" not in vpc_block, "buckets are never drawn inside the VPC"


def test_flows_of_a_serving_project() -> None:
    got = {(a, b) for a, b, _ in flows(_bp("hipaa-medical-imaging"))}
    assert {("data", "training"), ("artifacts", "training"), ("training", "registry"), ("registry", "endpoint")} <= got


def test_an_arrow_exists_only_when_the_consumer_is_wired() -> None:
    bp = _bp("hipaa-medical-imaging")
    assert ("data", "training") in {(a, b) for a, b, _ in flows(bp)}
    cut = copy.deepcopy(bp)
    training = next(m for m in _primary(cut)["modules"] if m["name"] == "training")
    for key in [k for k, v in training["inputs"].items() if "data_bucket" in str(v)]:
        del training["inputs"][key]
    assert ("data", "training") not in {(a, b) for a, b, _ in flows(cut)}


def test_key_labels_follow_the_key_given() -> None:
    bp = _bp("hipaa-medical-imaging")
    registry = next(m for m in _primary(bp)["modules"] if m["name"] == "registry")
    key = registry["inputs"]["kms_key_arn"]["$ref"].split('"')[1]
    assert f'registry["Registries<br/>ECR + model packages<br/>key: {key}"]' in dataflow_mermaid(bp)


def test_dr_and_ci_only_when_they_exist() -> None:
    with_dr = _bp("hipaa-medical-imaging")
    assert with_dr["dr_region"]
    assert f"Replica buckets<br/>{with_dr['dr_region']}" in dataflow_mermaid(with_dr)
    bare = plan(build_answers({})).model_dump(mode="json")
    text = dataflow_mermaid(bare)
    assert bare["dr_region"] is None and "replica" not in text
    has_ci = any(m["source"] == "ci_identity" for m in bare["bootstrap"])
    assert ("GitHub Actions" in text) == has_ci
