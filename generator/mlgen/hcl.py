"""Write Terraform values and attribute blocks the way ``terraform fmt`` would.

Used by the template as Jinja filters (see :class:`HclExtension`, loaded by ``copier.yml``), so the
template stays free of decisions while the output is fmt-clean without running terraform.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def value(v: Any) -> str:
    """One value on one line: strings quoted, ``{"$ref": expr}`` raw, lists and maps inline."""
    if isinstance(v, dict) and set(v) == {"$ref"}:
        return str(v["$ref"])
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, str):
        return string(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as HCL")


_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def string(s: str) -> str:
    """A quoted HCL string literal whose value is exactly ``s``.

    HCL knows only the escapes ``\\n \\r \\t \\" \\\\ \\uNNNN \\UNNNNNNNN`` (not JSON's ``\\b``/``\\f``);
    every other non-printable character is written as a ``\\u`` escape, and ``${``/``%{`` are
    doubled so Terraform reads them as text, never as an interpolation or a template directive.
    """
    out: list[str] = []
    for ch in s:
        if ch in _NAMED:
            out.append(_NAMED[ch])
        elif not ch.isprintable():
            out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return '"' + "".join(out).replace("${", "$${").replace("%{", "%%{") + '"'


def _key(k: str) -> str:
    return k if _IDENT.match(k) else string(k)


def attributes(items: dict[str, Any], indent: int = 2) -> str:
    """Attribute lines with ``=`` aligned as terraform fmt aligns consecutive single-line attributes."""
    if not items:
        return ""
    width = max(len(_key(k)) for k in items)
    pad = " " * indent
    return "\n".join(f"{pad}{_key(k).ljust(width)} = {value(v)}" for k, v in items.items())


def expression_attributes(items: dict[str, str], indent: int = 2) -> str:
    """Like :func:`attributes` for values that are already Terraform expressions."""
    return attributes({k: {"$ref": v} for k, v in items.items()}, indent)


class HclExtension(Extension):
    """Jinja filters ``hcl`` (a value) and ``hcl_attrs`` (aligned attribute lines)."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["hcl"] = value
        environment.filters["hcl_attrs"] = attributes
        environment.filters["hcl_exprs"] = expression_attributes
