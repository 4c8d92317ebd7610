"""Helpers shared by mlgen's custom Checkov policies.

Checkov imports every ``.py`` file of an external checks directory as a top-level module
(``spec_from_file_location(<file stem>)``) after putting the directory on ``sys.path``, so
the policy files import this one as ``mlgen_policy_lib`` and fall back to the package-relative
import when mlgen itself imports them. This module registers no check and imports only the
standard library, so it is safe to load in both worlds and to vendor into a generated repository.

Settings come from environment variables read at scan time (never at import time):

* ``MLGEN_ALLOWED_REGIONS``: comma separated AWS regions; unset or empty means "anywhere".
* ``MLGEN_ALLOWED_INSTANCE_TYPES``: comma separated instance types, ``fnmatch`` patterns allowed
  (``ml.g5.*``); unset or empty means "any".
* ``MLGEN_NETWORK_ISOLATION``: ``none`` (default), ``private`` or ``isolated``.
* ``MLGEN_STAGE``: free text; ``production`` turns on production-only requirements.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

REQUIRED_TAGS: tuple[str, ...] = ("project", "environment", "cost-center", "data-classification")
"""Tag keys every taggable resource must carry (provider ``default_tags`` or its own ``tags``)."""

REQUIRED_INTERFACE_ENDPOINTS: tuple[str, ...] = (
    "sagemaker.api",
    "sagemaker.runtime",
    "ecr.api",
    "ecr.dkr",
    "sts",
    "logs",
)
"""Service suffixes of the interface endpoints a private or isolated VPC needs."""

ISOLATION_LEVELS: tuple[str, ...] = ("none", "private", "isolated")

_AZ_SUFFIX = re.compile(r"[a-z]$")
_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d+):")
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")


# --------------------------------------------------------------------------------------------
# settings
# --------------------------------------------------------------------------------------------
def _csv_env(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    return tuple(sorted({part.strip() for part in raw.split(",") if part.strip()}))


def allowed_regions() -> tuple[str, ...]:
    """Regions allowed by ``MLGEN_ALLOWED_REGIONS``; empty means no restriction."""
    return _csv_env("MLGEN_ALLOWED_REGIONS")


def allowed_instance_types() -> tuple[str, ...]:
    """Instance type patterns allowed by ``MLGEN_ALLOWED_INSTANCE_TYPES``; empty means any."""
    return _csv_env("MLGEN_ALLOWED_INSTANCE_TYPES")


def network_isolation() -> str:
    """The network isolation level from ``MLGEN_NETWORK_ISOLATION`` (default ``none``)."""
    value = os.environ.get("MLGEN_NETWORK_ISOLATION", "none").strip().lower() or "none"
    return value if value in ISOLATION_LEVELS else "isolated"  # unknown value: fail closed


def stage() -> str:
    """The deployment stage from ``MLGEN_STAGE`` (lower-cased, may be empty)."""
    return os.environ.get("MLGEN_STAGE", "").strip().lower()


# --------------------------------------------------------------------------------------------
# configuration values as Checkov hands them over (every attribute is wrapped in a list)
# --------------------------------------------------------------------------------------------
def first(value: Any) -> Any:
    """Unwrap Checkov's one-element lists (``["x"]`` -> ``"x"``); other values pass through."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def get(conf: dict[str, Any] | None, *path: str) -> Any:
    """Follow ``path`` through nested blocks, unwrapping lists; ``None`` when absent."""
    current: Any = conf
    for key in path:
        current = first(current)
        if not isinstance(current, dict) or key not in current:
            return None
        current = current[key]
    return first(current)


def blocks(conf: dict[str, Any] | None, name: str) -> list[dict[str, Any]]:
    """All nested blocks called ``name`` (repeated blocks come as a list of dicts)."""
    if not isinstance(conf, dict):
        return []
    value = conf.get(name)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    flat: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, list):
            flat.extend(x for x in item if isinstance(x, dict))
        elif isinstance(item, dict):
            flat.append(item)
    return flat


def is_unresolved(value: Any) -> bool:
    """True when a value still holds a Terraform expression Checkov could not evaluate."""
    if not isinstance(value, str):
        return False
    return (
        "${" in value
        or value.startswith(("var.", "local.", "module.", "data.", "each.", "count."))
        or bool(re.match(r"^aws_[a-z0-9_]+\.[A-Za-z0-9_-]+", value))
    )


def as_bool(value: Any, default: bool) -> bool:
    """Interpret Terraform booleans (``true``/``"true"``); ``default`` when unset/unknown."""
    value = first(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return default


def string_list(value: Any) -> list[str]:
    """Flatten a list-of-strings attribute (``[["a", "b"]]`` or ``["a"]``) to ``["a", "b"]``."""
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, str):
            out.append(item)
    return out


def tag_map(value: Any) -> dict[str, Any] | None:
    """The tags map of a ``tags``/``default_tags`` attribute, or ``None`` when not a literal map."""
    value = first(value)
    if isinstance(value, dict):
        return {str(k): first(v) for k, v in value.items() if not str(k).startswith("__")}
    return None


def missing_tags(tags: dict[str, Any] | None) -> list[str]:
    """Required tag keys absent from ``tags`` (or present with an empty value)."""
    tags = tags or {}
    return [key for key in REQUIRED_TAGS if not str(tags.get(key) or "").strip()]


# --------------------------------------------------------------------------------------------
# regions
# --------------------------------------------------------------------------------------------
def region_of_location(value: str) -> str | None:
    """Map a region, availability zone name or ARN to its region; ``None`` when unknown."""
    value = value.strip()
    if _REGION.match(value):
        return value
    match = _ARN_REGION.match(value)
    if match:
        return match.group(1)
    if _AZ_SUFFIX.search(value) and _REGION.match(value[:-1]):
        return value[:-1]
    # local and wavelength zones: "us-west-2-lax-1a" -> "us-west-2"
    match = re.match(r"^([a-z]{2}(?:-[a-z]+)+-\d+)-[a-z0-9-]+$", value)
    if match and _REGION.match(match.group(1)):
        return match.group(1)
    return None


def region_allowed(region: str, allowed: Iterable[str]) -> bool:
    """True when ``region`` is one of ``allowed``."""
    return region in set(allowed)


def instance_type_allowed(instance_type: str, allowed: Iterable[str]) -> bool:
    """True when ``instance_type`` matches one of the ``allowed`` patterns."""
    return any(fnmatch.fnmatchcase(instance_type, pattern) for pattern in allowed)


# --------------------------------------------------------------------------------------------
# the root graph Checkov hands to every check (``check.graph``)
# --------------------------------------------------------------------------------------------
def vertices(graph: Any) -> list[dict[str, Any]]:
    """Attribute dicts of every block in the scanned root (resources of called modules too).

    Works with the rustworkx (Checkov 3 default), networkx and igraph backends; returns an
    empty list when the graph is unavailable.
    """
    if graph is None:
        return []
    out: list[dict[str, Any]] = []
    try:
        if hasattr(graph, "vs"):  # igraph
            return [dict(v.attributes()) for v in graph.vs]
        try:
            nodes = graph.nodes(data=True)  # networkx
        except TypeError:
            nodes = graph.nodes()  # rustworkx: payloads are (index, attrs)
        for node in nodes:
            attrs = node[1] if isinstance(node, tuple) and len(node) == 2 else node
            if isinstance(attrs, dict):
                out.append(attrs)
    except Exception:  # pragma: no cover - defensive against Checkov internals changing
        return []
    return out


def graph_available(graph: Any) -> bool:
    """True when the Checkov graph can be read."""
    return bool(vertices(graph))


def block_config(vertex: dict[str, Any]) -> dict[str, Any]:
    """The block's configuration (the ``config_`` payload, one level unwrapped)."""
    config = vertex.get("config_") or {}
    if isinstance(config, dict) and len(config) == 1:
        inner = next(iter(config.values()))
        if isinstance(inner, dict):
            # resources nest once more: {"aws_s3_bucket": {"name": {...}}}
            if vertex.get("block_type_") == "resource" and len(inner) == 1:
                deeper = next(iter(inner.values()))
                if isinstance(deeper, dict):
                    return deeper
            return inner
    return config if isinstance(config, dict) else {}


def resources(graph: Any, resource_type: str | None = None) -> Iterator[dict[str, Any]]:
    """Resource vertices, optionally of one type."""
    for vertex in vertices(graph):
        if vertex.get("block_type_") != "resource":
            continue
        if resource_type is None or vertex.get("resource_type") == resource_type:
            yield vertex


def address(vertex: dict[str, Any]) -> str:
    """Full address of a vertex (``module.net.aws_vpc_endpoint.this["sts"]``)."""
    return str(vertex.get("__address__") or vertex.get("block_name_") or "")


def providers(graph: Any, name: str = "aws") -> dict[str, dict[str, Any]]:
    """Provider blocks by address (``aws`` for the default one, ``aws.dr`` for an alias)."""
    found: dict[str, dict[str, Any]] = {}
    for vertex in vertices(graph):
        if vertex.get("block_type_") != "provider":
            continue
        block_name = str(vertex.get("block_name_") or "")
        if block_name == name or block_name.startswith(name + "."):
            found[block_name] = block_config(vertex)
    return found


def provider_for(graph: Any, provider_address: str | None) -> dict[str, Any] | None:
    """The provider block a resource uses (``aws.default`` means the un-aliased one)."""
    blocks_by_address = providers(graph)
    key = (provider_address or "aws").removesuffix(".default")
    return blocks_by_address.get(key) or blocks_by_address.get("aws")


def provider_default_tags(provider_conf: dict[str, Any] | None) -> dict[str, Any]:
    """The literal ``default_tags { tags = {...} }`` map of a provider block (may be empty)."""
    if not provider_conf:
        return {}
    for block in blocks(provider_conf, "default_tags"):
        tags = tag_map(block.get("tags"))
        if tags:
            return tags
    return {}


def endpoint_service_suffix(vertex: dict[str, Any]) -> str:
    """The service part of a VPC endpoint (``sagemaker.api``), from its name or for_each key."""
    service = first(vertex.get("service_name")) or first(block_config(vertex).get("service_name"))
    service = service if isinstance(service, str) else ""
    region = r"(?:\$\{[^}]*\}|[a-z0-9-]+)"
    match = re.match(rf"^aws\.sagemaker\.{region}\.(.+)$", service)
    if match:  # SageMaker-owned services, e.g. MLflow: aws.sagemaker.<region>.experiments
        return "sagemaker." + match.group(1)
    match = re.match(rf"^com\.amazonaws\.{region}\.(.+)$", service)
    if match and not is_unresolved(match.group(1)):
        return match.group(1)
    key = re.search(r'\["([^"]+)"\]$', address(vertex))
    return key.group(1) if key else service


def endpoint_services(graph: Any) -> set[str]:
    """Service suffixes of all VPC endpoints in the root."""
    return {endpoint_service_suffix(v) for v in resources(graph, "aws_vpc_endpoint")}


def resolve_module_variable(graph: Any, resource_address: str, value: Any) -> Any:
    """Resolve ``var.NAME`` from the calling module block when Checkov left it unrendered.

    Checkov does not always render module variables inside nested blocks (e.g. a SageMaker
    ``production_variants`` block that also holds a ``dynamic`` block); the module call in the
    root still carries the literal. Only a bare ``var.NAME`` one module deep is resolved; anything
    else is returned unchanged (and stays "unresolved" for the caller).
    """
    if not (isinstance(value, str) and re.fullmatch(r"var\.[A-Za-z_][A-Za-z0-9_-]*", value)):
        return value
    match = re.match(r"^module\.([A-Za-z0-9_-]+)\.[a-z]", resource_address or "")
    if not match:
        return value
    for vertex in vertices(graph):
        if vertex.get("block_type_") == "module" and str(vertex.get("__address__")) == match.group(1):
            name = value.removeprefix("var.")
            literal = first(vertex.get(name))
            if name in vertex and literal is None:
                return None  # passed as null (e.g. serverless variants have no instance type)
            return literal if isinstance(literal, str) and not is_unresolved(literal) else value
    return value
