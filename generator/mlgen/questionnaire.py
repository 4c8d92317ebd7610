"""Interactive questionnaire driven by the answers model's metadata.

Each leaf field becomes one question with its description as help, its default, and its choices
(from ``Literal`` types). A bad value is explained and asked again. Questions that cannot apply are
skipped (no inference sizing when the mode is ``none``; no GPU model for CPU training).
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Annotated, Any

import click
import yaml  # only to echo the answers back
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from mlgen.answers import Answers, build_answers, format_validation_error

Prompt = Callable[..., Any]
_STRICT = ConfigDict(allow_inf_nan=False)

# path -> predicate over the answers gathered so far: ask only when it returns True.
SKIP_UNLESS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "scale.training.gpu": lambda d: _get(d, "scale.training.gpus_per_job", 1) != 0,
    "scale.training.nodes_per_job": lambda d: _get(d, "scale.training.jobs_per_month", 1) != 0,
    "scale.training.hours_per_job": lambda d: _get(d, "scale.training.jobs_per_month", 1) != 0,
    **{
        f"scale.inference.{f}": (lambda d: _get(d, "scale.inference.mode", "auto") != "none")
        for f in ("peak_rps", "p95_latency_ms", "model_size_gb", "gpu")
    },
    "project.slug": lambda d: False,  # derived from the name; set it with --set when needed
    "cloud.provider": lambda d: False,  # AWS only for now
}


def _get(data: dict[str, Any], path: str, default: Any) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _choices(annotation: Any) -> list[str] | None:
    if typing.get_origin(annotation) is typing.Literal:
        return [str(a) for a in typing.get_args(annotation)]
    return None


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list


def _default(info: FieldInfo) -> Any:
    return info.get_default(call_default_factory=True)


def _leaves(model: type[BaseModel], prefix: str = "") -> list[tuple[str, FieldInfo]]:
    out: list[tuple[str, FieldInfo]] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out += _leaves(ann, f"{path}.")
        else:
            out.append((path, info))
    return out


def _is_text(annotation: Any) -> bool:
    """Whether a field holds text (str, optional str, a Literal of strings): typed text stays text."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    return all(a is str or (typing.get_origin(a) is typing.Annotated and typing.get_args(a)[0] is str) for a in args)


def _parse(raw: str, info: FieldInfo) -> Any:
    """Turn typed text into a value of the field's type (raises ValueError with a reason).

    The text is never parsed as YAML: a text field keeps exactly what was typed (``Acme #1``,
    ``[ML] Team``); numbers, booleans and choices are converted by the field's own type, and a
    list is split at commas with each item converted by the item type.
    """
    ann = info.annotation
    text = raw.strip()
    value: Any
    if _is_list(ann):
        value = [x.strip() for x in raw.split(",") if x.strip()]
    elif text.lower() in ("", "none", "null") and _default(info) is None:
        value = None
    elif _is_text(ann) and not _choices(ann):
        value = raw
    else:
        value = text
    try:
        # The field's own constraints (metadata: lengths, patterns, validators) apply too.
        typ = Annotated[ann, *info.metadata] if info.metadata else ann
        return TypeAdapter(typ, config=_STRICT).validate_python(value)
    except ValidationError as exc:
        raise ValueError(
            "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors(include_url=False))
        ) from exc


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return "none"
    return str(value).lower() if isinstance(value, bool) else str(value)


def ask(prompt: Prompt = click.prompt, echo: Callable[[str], None] = click.echo) -> Answers:
    """Ask every applicable question; return validated answers."""
    data: dict[str, Any] = {}
    echo("mlgen questionnaire — press Enter to keep the [default]. Lists are comma separated.")
    section = ""
    for path, info in _leaves(Answers):
        if path in SKIP_UNLESS and not SKIP_UNLESS[path](data):
            continue
        head = path.split(".")[0]
        if head != section:
            section = head
            echo(f"\n[{section}]")
        choices = _choices(info.annotation)
        help_text = info.description or ""
        if choices:
            help_text += f" ({' | '.join(choices)})"
        while True:
            raw = prompt(f"{path} — {help_text}", default=_show(_default(info)), show_default=True)
            try:
                value = _parse(str(raw), info)
                break
            except ValueError as exc:
                echo(f"  {path}: {exc}; try again")
        _set(data, path, value)
    answers = build_answers(data)
    echo("\nYour answers:")
    echo(yaml.safe_dump(answers.model_dump(mode="json"), sort_keys=False).rstrip())
    return answers


__all__ = ["ask", "format_validation_error"]
