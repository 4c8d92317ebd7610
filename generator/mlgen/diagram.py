"""The data-flow architecture diagram of a blueprint, as Mermaid text.

Everything is read from the blueprint's module wiring — which module's inputs reference which
other module's outputs — so the picture shows what the Terraform really connects, not what a
template hopes: a store is drawn inside the network only when its module takes the network's
subnets, a key labels a component only when the component is given that key, and a flow arrow
exists only when the consumer is wired to the producer's bucket, registry or endpoint.

The vocabulary (which module plays which part, what its outputs mean) is the one place that knows
the module library; it is keyed on the module's ``source`` folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

# Module source -> (node id, label) of the component it provides. Storage provides two stores.
_COMPONENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "storage": (("data", "Data bucket"), ("artifacts", "Artifacts bucket")),
    "training_sagemaker": (("training", "Training<br/>SageMaker jobs"),),
    "training_eks": (("training", "Training<br/>EKS GPU nodes"),),
    "registry": (("registry", "Registries<br/>ECR + model packages"),),
    "endpoint": (("endpoint", "Inference endpoint"),),
    "workspace": (("workspace", "Studio workspace"),),
    "audit": (("audit", "Audit trail + logs"),),
    "budget": (("budget", "Budget alerts"),),
}
# Which store an input that references storage outputs means.
_STORE_OF_OUTPUT = (("data_bucket", "data"), ("artifacts_bucket", "artifacts"))
_REF = re.compile(r"module\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)(?:\[\"([A-Za-z0-9_-]+)\"\])?")


@dataclass
class _EnvGraph:
    nodes: dict[str, str] = field(default_factory=dict)  # node id -> label
    in_network: set[str] = field(default_factory=set)
    edges: set[tuple[str, str, str]] = field(default_factory=set)  # (from, to, label)
    keys: dict[str, set[str]] = field(default_factory=dict)  # node id -> key names


def _refs(inputs: dict[str, Any]) -> list[tuple[str, str, str, str | None]]:
    """(input name, referenced module, output, key index) for every ``module.x.y`` reference."""
    out = []
    for name, v in sorted(inputs.items()):
        if isinstance(v, dict) and isinstance(v.get("$ref"), str):
            for module, output, index in _REF.findall(v["$ref"]):
                out.append((name, module, output, index or None))
    return out


def _graph(env: dict[str, Any]) -> _EnvGraph:
    g = _EnvGraph()
    by_name = {m["name"]: m for m in env["modules"]}
    node_of: dict[str, str] = {}  # module instance name -> its first node id
    for m in env["modules"]:
        for node_id, label in _COMPONENTS.get(m["source"], ()):
            g.nodes[node_id] = label
            node_of.setdefault(m["name"], node_id)
    for m in env["modules"]:
        me = node_of.get(m["name"])
        if me is None:
            continue
        for _, module, output, index in _refs(m.get("inputs", {})):
            source = by_name.get(module, {}).get("source")
            if source == "network" and m["source"] != "storage":  # buckets are regional, never in a VPC
                g.in_network.add(me)
            elif source == "keys" and index:
                for node_id, _ in _COMPONENTS.get(m["source"], ()):
                    g.keys.setdefault(node_id, set()).add(index)
            elif source == "storage":
                store = next((s for prefix, s in _STORE_OF_OUTPUT if output.startswith(prefix)), None)
                if store is not None and me != store:
                    g.edges.add((store, me, _flow_label(m["source"], store)))
    # Models reach the endpoint from the registries when both exist (the deploy step wires them).
    if "registry" in g.nodes and "endpoint" in g.nodes:
        g.edges.add(("registry", "endpoint", "image + model package"))
    if "training" in g.nodes and "registry" in g.nodes:
        g.edges.add(("training", "registry", "registers model"))
    return g


def _flow_label(consumer_source: str, store: str) -> str:
    if consumer_source.startswith("training"):
        return "reads data" if store == "data" else "reads/writes checkpoints + model"
    if consumer_source == "endpoint":
        return "loads model"
    if consumer_source == "registry":
        return "model artefacts"
    if consumer_source == "workspace":
        return "explores"
    return "uses"


def _label(node_id: str, g: _EnvGraph) -> str:
    text = g.nodes[node_id]
    if g.keys.get(node_id):
        text += "<br/>key: " + ", ".join(sorted(g.keys[node_id]))
    return text.replace('"', "#quot;")


def _edge_text(src: str, dst: str, label: str) -> str:
    arrow = "-.->" if label == "uses" else "-->"
    return f"  {src} {arrow}|{label}| {dst}"


def dataflow_mermaid(blueprint: dict[str, Any]) -> str:
    """A Mermaid flowchart of the primary environment's data flow, with network, DR and CI.

    Args:
        blueprint: The blueprint as plain data (``Blueprint.model_dump(mode="json")``).

    Returns:
        Mermaid source, without the surrounding code fence; every edge appears once.
    """
    envs = blueprint["environments"]
    env = next((e for e in envs if e.get("primary")), envs[0])
    g = _graph(env)
    lines = ["flowchart LR"]
    # CI and state live in the bootstrap root.
    boot = {m["source"] for m in blueprint.get("bootstrap", [])}
    if "ci_identity" in boot:
        lines.append('  ci["GitHub Actions<br/>OIDC roles"]')
    if "state_backend" in boot:
        lines.append('  state[("Terraform state<br/>S3, encrypted")]')
    if "ci_identity" in boot and "state_backend" in boot:
        lines.append("  ci -->|plan/apply| state")
    lines.append(f'  subgraph account["{env["name"]} environment, {blueprint["region"]}"]')
    inside = sorted(n for n in g.nodes if n in g.in_network)
    if inside:
        isolation = str(blueprint.get("compliance", {}).get("network_isolation", "private"))
        lines.append(f'    subgraph vpc["VPC, network isolation: {isolation}"]')
        lines += [f'      {n}["{_label(n, g)}"]' for n in inside]
        lines.append("    end")
    for n in sorted(g.nodes):
        if n in g.in_network:
            continue
        shape = ('[("', '")]') if n in ("data", "artifacts") else ('["', '"]')
        lines.append(f"    {n}{shape[0]}{_label(n, g)}{shape[1]}")
    lines.append("  end")
    if "ci_identity" in boot:
        lines.append("  ci -.->|terraform apply| account")
    lines += sorted(_edge_text(*e) for e in g.edges)
    dr = blueprint.get("dr_region")
    replicated = any(m["source"] == "storage" and m.get("dr_provider") for m in env["modules"])
    if dr and replicated:
        lines.append(f'  replica[("Replica buckets<br/>{dr}")]')
        lines += [f"  {s} -->|replication| replica" for s in ("data", "artifacts") if s in g.nodes]
    return "\n".join(lines)


def flows(blueprint: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The (from, to, label) data flows drawn for the primary environment, sorted (for tests)."""
    envs = blueprint["environments"]
    env = next((e for e in envs if e.get("primary")), envs[0])
    return sorted(_graph(env).edges)


class DiagramExtension(Extension):
    """Jinja extension (loaded by ``copier.yml``): ``{{ blueprint | dataflow_mermaid }}``."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["dataflow_mermaid"] = dataflow_mermaid
