"""Interactive questionnaire driven by the answers model's metadata.

Each leaf field becomes one question with its description as help, its default, and its choices
(from ``Literal`` types). Questions that cannot apply are skipped (no inference sizing when the mode
is ``none``; no GPU model for CPU training).

Every answer is checked at its prompt by the answers model itself: the field inside its section
model (type, format, catalogue), then each ``model_validator`` rule of :mod:`mlgen.answers` as soon
as the fields it reads are answered. A bad answer is explained and asked again. If the questionnaire
stops early the answers so far go to a partial file that ``mlgen new DEST --resume FILE`` continues.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import click
import yaml  # only to echo the answers back
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from mlgen.answers import Answers, build_answers, format_validation_error

Prompt = Callable[..., Any]
_STRICT = ConfigDict(allow_inf_nan=False)

# project.slug is derived from the name (set it with --set when needed); AWS is the only provider.
NEVER_ASKED = frozenset({"project.slug", "cloud.provider"})
# path -> predicate over the answers gathered so far: ask only when it returns True.
SKIP_UNLESS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "scale.training.gpu": lambda d: _get(d, "scale.training.gpus_per_job", 1) != 0,
    "scale.training.nodes_per_job": lambda d: _get(d, "scale.training.jobs_per_month", 1) != 0,
    "scale.training.hours_per_job": lambda d: _get(d, "scale.training.jobs_per_month", 1) != 0,
    **{
        f"scale.inference.{f}": (lambda d: _get(d, "scale.inference.mode", "auto") != "none")
        for f in ("peak_rps", "p95_latency_ms", "model_size_gb", "gpu")
    },
    **{path: (lambda d: False) for path in NEVER_ASKED},
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


def _is_dict(annotation: Any) -> bool:
    return typing.get_origin(annotation) is dict


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


def _convert(raw: str, info: FieldInfo, path: str) -> Any:
    """Turn typed text into the input for the field's type.

    The text is never parsed as YAML: a text field keeps exactly what was typed (``Acme #1``,
    ``[ML] Team``); numbers, booleans and choices are converted by the field's own type, and a
    list is split at commas with each item converted by the item type.
    """
    ann = info.annotation
    text = raw.strip()
    if _is_list(ann):
        return [x.strip() for x in raw.split(",") if x.strip()]
    if _is_dict(ann):
        # ``key=value, key=value`` (an empty answer is an empty mapping)
        pairs = [x.strip() for x in raw.split(",") if x.strip()]
        if text.lower() in ("none", "{}"):
            pairs = []
        bad = [p for p in pairs if "=" not in p]
        if bad:
            raise Invalid([f"{path}: write key=value pairs separated by commas, not {bad[0]!r}"])
        return {k.strip(): v.strip() for k, v in (p.split("=", 1) for p in pairs)}
    if text.lower() in ("", "none", "null") and _default(info) is None:
        return None
    if _is_text(ann) and not _choices(ann):
        return raw
    return text


def _model_at(path: str) -> type[BaseModel]:
    model: type[BaseModel] = Answers
    for part in [p for p in path.split(".") if p]:
        model = model.model_fields[part].annotation  # type: ignore[assignment]
    return model


def check_field(path: str, raw: str, info: FieldInfo) -> Any:
    """Validate one typed answer with its field's own type and field validators (catalogues).

    The field is validated inside its section model (``Cloud`` for ``cloud.region``), so its
    constraints, its ``field_validator`` (known regions, unique names) and its formatting of errors
    are exactly those of an answers file. Rules spanning fields are checked by :func:`cross_errors`.
    Returns the value to store; raises :class:`Invalid` with ``path: message`` lines.
    """
    parent, _, name = path.rpartition(".")
    value = _convert(raw, info, path)
    try:
        _model_at(parent).model_validate({name: value})
    except ValidationError as exc:
        lines = [
            f"{parent}.{line}" if parent else line
            for line in format_validation_error(exc)
            if line.startswith((f"{name}:", f"{name}["))
        ]
        if lines:
            raise Invalid(lines) from exc
    try:
        # The field's value as its type makes it (a number, a flag, a list of them) for the partial file.
        typ = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        return TypeAdapter(typ, config=_STRICT).validate_python(value)
    except ValidationError as exc:  # pragma: no cover - the section accepted it
        raise Invalid([f"{path}: {e['msg']}" for e in exc.errors(include_url=False)]) from exc


class Invalid(ValueError):
    """An answer breaks a rule; ``lines`` are ``path: message`` strings."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines


class _Pending(Exception):
    """A rule read an answer that has not been given yet."""


class _Tracked:
    """Read-only view of a model instance that raises :class:`_Pending` on an unanswered field."""

    def __init__(self, obj: BaseModel, prefix: str, known: Callable[[str], bool], reads: list[str]) -> None:
        self._obj, self._prefix, self._known, self._reads = obj, prefix, known, reads

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._obj, name)
        path = f"{self._prefix}{name}"
        if isinstance(value, BaseModel):
            return _Tracked(value, f"{path}.", self._known, self._reads)
        if not self._known(path):
            raise _Pending(path)
        self._reads.append(path)
        return value


def _construct(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    """An instance from field-validated answers and defaults, without running the model validators."""
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            values[name] = _construct(ann, data.get(name) or {})
        elif name in data:
            values[name] = data[name]
    return model.model_construct(**values)


def cross_errors(
    data: dict[str, Any], known: Callable[[str], bool], questions: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """Errors of the answers model's own ``model_validator`` rules that every read answer decides.

    Each rule of :mod:`mlgen.answers` (a section's and the cross-section one) runs on the answers so
    far; a rule that reads a field not answered yet stops there (:class:`_Pending`) and only the
    errors it found before that read count. So a rule reports as soon as the fields it reads exist,
    and there is one set of rules for files, ``--set`` and questions. A section rule's message is
    given to the last of ``questions`` it read (the answer that decided it).
    """
    root = _construct(Answers, data)
    found: list[tuple[str, str]] = []
    stack: list[tuple[BaseModel, str]] = [(root, "")]
    while stack:
        obj, prefix = stack.pop(0)
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            if isinstance(value, BaseModel):
                stack.append((value, f"{prefix}{name}."))
        for dec in type(obj).__pydantic_decorators__.model_validators.values():
            if dec.info.mode != "after":
                continue
            func = dec.func
            reads: list[str] = []
            try:
                func(_Tracked(obj, prefix, known, reads))
            except _Pending as exc:
                # Errors the rule collected before the unanswered read (a rule that gathers a list).
                tb = exc.__traceback__
                while tb is not None:
                    if tb.tb_frame.f_code is getattr(func, "__code__", None):
                        found.extend(tb.tb_frame.f_locals.get("errors") or [])
                    tb = tb.tb_next
            except ValueError as exc:
                pairs = getattr(exc, "errors", None)
                if isinstance(pairs, list):
                    found.extend(pairs)
                else:
                    # A section's rule raises one message: it belongs to the last answer it read.
                    asked = [r for r in reads if r in questions]
                    found.append((asked[-1] if asked else prefix.rstrip(".") or "answers", str(exc)))
    return found


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return "none"
    return str(value).lower() if isinstance(value, bool) else str(value)


PARTIAL_NAME = ".mlgen-answers.partial.yml"


def partial_path(dest: Path) -> Path:
    """Where an interrupted questionnaire for ``dest`` keeps its answers (beside ``dest``)."""
    return dest.absolute().parent / PARTIAL_NAME


_MISSING = object()


def _answered(data: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """The answers in ``data`` at the question ``paths`` (a mapping answer, such as
    ``cloud.account_ids``, is one answer, even when empty)."""
    found = {path: _get(data, path, _MISSING) for path in paths}
    return {path: value for path, value in found.items() if value is not _MISSING}


def _save(path: Path, data: dict[str, Any]) -> None:
    header = "# mlgen: answers given so far; resume with `mlgen new DEST --resume THIS_FILE`\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    tmp.replace(path)


def ask(
    prompt: Prompt = click.prompt,
    echo: Callable[[str], None] = click.echo,
    *,
    known: dict[str, Any] | None = None,
    partial: Path | None = None,
    resume_hint: str = "",
) -> Answers:
    """Ask every applicable question that ``known`` does not answer yet; return validated answers.

    Each answer is checked at its prompt: its type, format and catalogue (:func:`check_field`) and
    every rule spanning fields whose fields are all answered (:func:`cross_errors`); a bad answer is
    explained and asked again. When the questionnaire stops early (Ctrl-C, end of input, an error),
    the answers so far are written to ``partial`` and the message says how to resume (``resume_hint``
    is the command); a finished questionnaire removes ``partial``.
    """
    leaves = _leaves(Answers)
    infos = dict(leaves)
    data: dict[str, Any] = {}
    passed: set[str] = set()

    asked_paths = frozenset(p for p, _ in leaves if p not in NEVER_ASKED)

    def is_known(path: str) -> bool:
        return path in passed or path not in infos

    def ask_one(path: str, errors: list[str] | None = None) -> None:
        info = infos[path]
        choices = _choices(info.annotation)
        help_text = info.description or ""
        if choices:
            help_text += f" ({' | '.join(choices)})"
        current = _get(data, path, _default(info))
        for line in errors or []:
            echo(f"  {line}; try again")
        while True:
            raw = prompt(f"{path} — {help_text}", default=_show(current), show_default=True)
            try:
                _set(data, path, check_field(path, str(raw), info))
                return
            except Invalid as exc:
                for line in exc.lines:
                    echo(f"  {line}; try again")

    def settle(path: str) -> None:
        """Re-ask until no rule that can already be decided fails (first the field a rule names)."""
        attempt = 0
        while errors := cross_errors(data, is_known, asked_paths):
            named = [p for p, _ in errors if p in passed and p in infos and _get(data, p, _MISSING) is not _MISSING]
            targets = list(dict.fromkeys([*named, path]))
            target = targets[attempt % len(targets)]
            attempt += 1
            echo(f"  {target}: conflicts with another answer:")
            ask_one(target, [f"{p}: {m}" for p, m in errors])

    flat_known = _answered(known or {}, list(infos))
    echo("mlgen questionnaire — press Enter to keep the [default]. Lists are comma separated.")
    if flat_known:
        echo(f"Resuming: {len(flat_known)} answer(s) kept; asking the rest.")
    section = ""
    try:
        for path, info in leaves:
            if path in SKIP_UNLESS and not SKIP_UNLESS[path](data):
                passed.add(path)
                continue
            if path in flat_known:
                try:
                    _set(data, path, check_field(path, _show(flat_known[path]), info))
                    passed.add(path)
                    continue
                except Invalid as exc:
                    echo("\n".join(f"  {line} (from the resumed file)" for line in exc.lines))
            head = path.split(".")[0]
            if head != section:
                section = head
                echo(f"\n[{section}]")
            ask_one(path)
            passed.add(path)
            settle(path)
        answers = build_answers(data)
    except BaseException:
        if partial is not None and data:
            _save(partial, data)
            hint = f"{resume_hint} --resume {partial}" if resume_hint else f"--resume {partial}"
            kept = len(_answered(data, list(infos)))
            click.echo(
                f"\nquestionnaire stopped; {kept} answer(s) kept in {partial}\nresume with: {hint}",
                err=True,
            )
        raise
    if partial is not None:
        partial.unlink(missing_ok=True)
    echo("\nYour answers:")
    echo(yaml.safe_dump(answers.model_dump(mode="json"), sort_keys=False).rstrip())
    return answers


__all__ = ["ask", "check_field", "cross_errors", "format_validation_error", "partial_path"]
