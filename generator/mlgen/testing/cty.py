"""Values in Terraform's wire encoding (cty msgpack) walked against an extracted schema block.

cty encodes an object as a msgpack map with every attribute, a list or set as an array, a map as a map,
null as nil and an unknown value as extension type 0 (refined unknowns use extension type 12). Values
of the dynamic pseudo-type travel as ``[type JSON, value]``. Extension values are kept as
``msgpack.ExtType`` so they pass through unchanged.
"""

from __future__ import annotations

import json
from typing import Any

import msgpack

UNKNOWN = msgpack.ExtType(0, b"\x00")
_UNKNOWN_CODES = (0, 12)


def decode(data: bytes) -> Any:
    """A cty msgpack value (unknowns stay ``msgpack.ExtType``)."""
    if not data:
        return None
    return msgpack.unpackb(data, raw=False, strict_map_key=False, ext_hook=msgpack.ExtType)


def encode(value: Any) -> bytes:
    """The cty msgpack encoding of ``value``."""
    return bytes(msgpack.packb(value, use_bin_type=True))


def is_unknown(value: Any) -> bool:
    return isinstance(value, msgpack.ExtType) and value.code in _UNKNOWN_CODES


def _blocks(value: Any, nested: dict[str, Any]) -> list[Any]:
    """The element objects of one nested-block value (list/set/single/map nesting)."""
    if value is None or is_unknown(value):
        return []
    mode = nested.get("nesting_mode", "list")
    if mode in ("single", "group"):
        return [value]
    if mode == "map":
        return list(value.values())
    return list(value)


def plan_create(value: Any, block: dict[str, Any]) -> Any:
    """The planned object for a create: computed attributes left null become unknown (in place)."""
    if not isinstance(value, dict):
        return value
    for name, attr in block.get("attributes", {}).items():
        if attr.get("computed") and value.get(name) is None:
            value[name] = UNKNOWN
    for name, nested in block.get("block_types", {}).items():
        for element in _blocks(value.get(name), nested):
            plan_create(element, nested["block"])
    return value


def placeholder(type_: Any, name: str) -> Any:
    """A known stand-in value of cty type ``type_`` for a computed attribute ``name``."""
    if type_ == "string":
        return f"mock-{name}"
    if type_ == "number":
        return 0
    if type_ == "bool":
        return False
    if isinstance(type_, list) and type_[0] in ("list", "set", "tuple"):
        return []
    if isinstance(type_, list) and type_[0] == "map":
        return {}
    if isinstance(type_, list) and type_[0] == "object":
        return {key: placeholder(sub, key) for key, sub in type_[1].items()}
    return None


def fill(value: Any, block: dict[str, Any], computed_nulls: bool) -> Any:
    """Replace unknowns (and, when ``computed_nulls``, null computed attributes) with placeholders."""
    if not isinstance(value, dict):
        return value
    for name, attr in block.get("attributes", {}).items():
        current = value.get(name)
        if is_unknown(current) or (computed_nulls and current is None and attr.get("computed")):
            value[name] = placeholder(attr["type"], name)
        else:
            value[name] = _fill_nested_unknowns(current, attr["type"], name)
    for name, nested in block.get("block_types", {}).items():
        if is_unknown(value.get(name)):
            value[name] = None if nested.get("nesting_mode") == "single" else []
        for element in _blocks(value.get(name), nested):
            fill(element, nested["block"], computed_nulls)
    return value


def _fill_nested_unknowns(value: Any, type_: Any, name: str) -> Any:
    if is_unknown(value):
        return placeholder(type_, name)
    if not isinstance(type_, list) or value is None:
        return value
    kind, inner = type_[0], type_[1]
    if kind in ("list", "set") and isinstance(value, list):
        return [_fill_nested_unknowns(v, inner, name) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _fill_nested_unknowns(v, inner, k) for k, v in value.items()}
    if kind == "object" and isinstance(value, dict):
        return {k: _fill_nested_unknowns(value.get(k), t, k) for k, t in inner.items()}
    return value


def conform_type(value: Any, type_: Any) -> Any:
    """A JSON state value reshaped to cty type ``type_`` (object attributes completed with null)."""
    if value is None:
        return None
    if type_ == "dynamic":
        if isinstance(value, dict) and set(value) == {"value", "type"}:
            return [json.dumps(value["type"]).encode(), conform_type(value["value"], value["type"])]
        return value
    if not isinstance(type_, list):
        return value
    kind, inner = type_[0], type_[1]
    if kind in ("list", "set"):
        return [conform_type(v, inner) for v in value]
    if kind == "map":
        return {k: conform_type(v, inner) for k, v in value.items()}
    if kind == "object":
        return {k: conform_type(value.get(k), t) for k, t in inner.items()}
    if kind == "tuple":
        return [conform_type(v, t) for v, t in zip(value, inner, strict=False)]
    return value


def conform(value: Any, block: dict[str, Any]) -> Any:
    """A JSON state object reshaped to ``block``: unknown keys dropped, missing ones null."""
    if value is None:
        return None
    out: dict[str, Any] = {}
    for name, attr in block.get("attributes", {}).items():
        out[name] = conform_type(value.get(name), attr["type"])
    for name, nested in block.get("block_types", {}).items():
        raw = value.get(name)
        mode = nested.get("nesting_mode", "list")
        if mode in ("single", "group"):
            out[name] = conform(raw, nested["block"])
        elif mode == "map":
            out[name] = {k: conform(v, nested["block"]) for k, v in (raw or {}).items()}
        else:
            out[name] = [conform(v, nested["block"]) for v in (raw or [])]
    return out


Step = tuple[str, Any]  # ("attr", name) | ("index", int) | ("key", str)


def unconfigurable(config: Any, block: dict[str, Any], path: tuple[Step, ...] = ()) -> list[tuple[Step, ...]]:
    """Paths of computed-only attributes that the configuration sets (providers reject those)."""
    found: list[tuple[Step, ...]] = []
    if not isinstance(config, dict):
        return found
    for name, attr in block.get("attributes", {}).items():
        settable = attr.get("optional") or attr.get("required")
        if not settable and config.get(name) is not None:
            found.append((*path, ("attr", name)))
    for name, nested in block.get("block_types", {}).items():
        value = config.get(name)
        if value is None or is_unknown(value):
            continue
        mode = nested.get("nesting_mode", "list")
        if mode in ("single", "group"):
            found += unconfigurable(value, nested["block"], (*path, ("attr", name)))
        elif mode == "map":
            for key, element in value.items():
                found += unconfigurable(element, nested["block"], (*path, ("attr", name), ("key", key)))
        else:
            for index, element in enumerate(value):
                found += unconfigurable(element, nested["block"], (*path, ("attr", name), ("index", index)))
    return found
