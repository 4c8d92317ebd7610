"""One way to write a value into each language mlgen generates, registered as Jinja filters.

Every answer value reaches a generated file through exactly one of these filters, chosen by the
language of the file (and of the spot in it) it lands in:

=============  ==========================================================================
filter         writes
=============  ==========================================================================
``hcl``        a Terraform/HCL value; strings quoted, ``${``/``%{`` kept literal
``toml``       a TOML basic string
``py``         a Python string literal; ``py_text`` the inside of one (docstrings)
``py_ident``   a Python identifier (import lines), checked
``yaml``       a YAML double-quoted scalar (or a flow sequence of them)
``gha``        a GitHub Actions workflow value: ``yaml`` with ``${{`` kept literal
``make``       a word in a Makefile (variable value or recipe argument), checked
``docker``     a word in a Dockerfile instruction, checked
``yaml_word``  a word in a YAML plain scalar (Kubernetes names), checked
``md_code``    a word in Markdown code (code spans, code blocks, mermaid), checked
``md``         Markdown / HTML inline text
``comment``    the text of a ``#`` comment line, in any of the languages above
=============  ==========================================================================

Free-text answers (``project.name``) are escaped; identifier-like answers (slugs, regions,
environment names, repository names) are validated by their answer type and the word filters
(``make``, ``docker``, ``py_ident``) check again, so a value that slipped past validation fails
the render instead of becoming code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

from mlgen import hcl

# Characters a free-text answer may hold: letters, marks, numbers, punctuation, symbols and the
# space separators, plus ZERO WIDTH JOINER (emoji sequences). Everything else — control and
# format characters (bidi overrides), line and paragraph separators, surrogates, private use and
# unassigned code points — is refused by the answers model and replaced in comments.
TEXT_CATEGORIES = frozenset({"L", "M", "N", "P", "S"})
TEXT_EXTRA = frozenset({" ", "\u200d"})
TEXT_RULE = (
    "letters, marks, digits, punctuation, symbols (emoji included) and spaces; no control or "
    "format characters, line breaks, tabs or unassigned code points"
)


def is_text_char(ch: str) -> bool:
    """Whether ``ch`` may appear in a free-text answer (see :data:`TEXT_RULE`)."""
    if ch in TEXT_EXTRA:
        return True
    category = unicodedata.category(ch)
    return category[0] in TEXT_CATEGORIES or category == "Zs"


def bad_text_char(value: str) -> tuple[int, str] | None:
    """The position and character of the first character :func:`is_text_char` refuses, if any."""
    for i, ch in enumerate(value):
        if not is_text_char(ch):
            return i, ch
    return None


def _code(ch: str, short: str, mid: str, long: str) -> str:
    n = ord(ch)
    if n < 0x100 and short:
        return short % n
    if n < 0x10000:
        return mid % n
    return long % n


def _escaped(value: str, named: dict[str, str], must: Callable[[str], bool], short: str, mid: str, long: str) -> str:
    out: list[str] = []
    for ch in value:
        if ch in named:
            out.append(named[ch])
        elif must(ch):
            out.append(_code(ch, short, mid, long))
        else:
            out.append(ch)
    return "".join(out)


def _str(value: Any, filter_name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"the {filter_name} filter writes strings, got {type(value).__name__}")
    return value


# --- Python -----------------------------------------------------------------------------------

_PY_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def py_text(value: Any) -> str:
    """The inside of a double-quoted (or triple-double-quoted) Python string holding ``value``."""
    return _escaped(_str(value, "py_text"), _PY_NAMED, lambda ch: not ch.isprintable(), "\\x%02x", "\\u%04x", "\\U%08x")


def py(value: Any) -> str:
    """A Python string literal (``None`` for None)."""
    if value is None:
        return "None"
    return f'"{py_text(value)}"'


def py_ident(value: Any) -> str:
    """A Python identifier (a package name in ``import`` lines), checked."""
    text = _str(value, "py_ident")
    if not (text.isascii() and text.isidentifier()):
        raise ValueError(f"{text!r} is not a Python identifier")
    return text


# --- TOML -------------------------------------------------------------------------------------

_TOML_NAMED = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml(value: Any) -> str:
    """A TOML basic string."""
    body = _escaped(
        _str(value, "toml"),
        _TOML_NAMED,
        lambda ch: ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF,
        "",
        "\\u%04X",
        "\\U%08X",
    )
    return f'"{body}"'


# --- YAML and GitHub workflows ------------------------------------------------------------------

_YAML_NAMED = {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"}


def _yaml_must_escape(ch: str) -> bool:
    n = ord(ch)
    printable = n in (0x09, 0x0A, 0x0D) or 0x20 <= n <= 0x7E or 0xA0 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD
    printable = printable or 0x10000 <= n <= 0x10FFFF
    # NEL, LS, PS are line breaks in YAML 1.1 and BOM is special: always escape them.
    return not printable or n in (0x85, 0x2028, 0x2029, 0xFEFF)


def yaml(value: Any) -> str:
    """A YAML double-quoted scalar; a list becomes a flow sequence of them; None becomes null."""
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml(v) for v in value) + "]"
    body = _escaped(_str(value, "yaml"), _YAML_NAMED, _yaml_must_escape, "\\x%02x", "\\u%04x", "\\U%08x")
    return f'"{body}"'


def gha(value: Any) -> str:
    """A value in a GitHub Actions workflow: a YAML scalar in which ``${{`` stays literal text.

    Actions evaluates ``${{ … }}`` in every string of a workflow; the only way to write the two
    characters literally is an expression that yields them, ``${{ '${{' }}``.
    """
    if isinstance(value, list | tuple):
        return "[" + ", ".join(gha(v) for v in value) + "]"
    if value is None:
        return "null"
    text = _str(value, "gha").replace("${{", "\0GHA\0")
    return yaml(text).replace("\\0GHA\\0", "${{ '${{' }}")


# --- Makefile and Dockerfile words --------------------------------------------------------------

_WORD = re.compile(r"^[A-Za-z0-9_.,:/@+=-]+$")


def _word(value: Any, language: str) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_word(v, language) for v in value)
    text = _str(value, language)
    if not _WORD.match(text):
        raise ValueError(
            f"{text!r} cannot be written into a {language} as a plain word "
            "(only letters, digits and _ . , : / @ + = - are safe there)"
        )
    return text


def make(value: Any) -> str:
    """A word (or space-separated words, for a list) in a Makefile, checked to need no quoting."""
    return _word(value, "Makefile")


def docker(value: Any) -> str:
    """A word in a Dockerfile instruction, checked to need no quoting."""
    return _word(value, "Dockerfile")


def yaml_word(value: Any) -> str:
    """A word in a YAML plain scalar (``name: <slug>-data``), checked: starts with a letter or digit."""
    text = _word(value, "YAML plain scalar")
    if not text[0].isalnum():
        raise ValueError(f"{text!r} cannot start a YAML plain scalar")
    return text


def md_code(value: Any) -> str:
    """A word in Markdown code (a code span, a code block or a mermaid diagram), checked."""
    return _word(value, "Markdown code span")


# --- Markdown / HTML ------------------------------------------------------------------------------

_MD_PUNCT = re.compile(r"([\\`*\[\]|~])")
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MD_TAG = re.compile(r"<(?=[A-Za-z/!?])")


def md(value: Any) -> str:
    """Inline Markdown text that renders as ``value``: no emphasis, links, code, tables or HTML.

    Escapes what CommonMark/GFM would read as markup (``\\ ` * [ ] | ~``, ``_`` at a word edge,
    ``<`` opening a tag and ``&`` opening an entity) and replaces characters a free-text answer may not hold (line
    breaks included) with U+FFFD, so the value stays on its line.
    """
    text = "".join(ch if is_text_char(ch) else "\ufffd" for ch in _str(value, "md"))
    text = _MD_PUNCT.sub(r"\\\1", text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    text = _MD_ENTITY.sub("&amp;", text)
    return _MD_TAG.sub("&lt;", text)


# --- comments -----------------------------------------------------------------------------------


def comment(value: Any) -> str:
    """Text for a ``#`` comment line: one line, no control characters, no trailing backslash.

    Works for HCL, YAML, TOML, Python, shell, Makefile and Dockerfile comments alike. Characters
    a free-text answer may not hold are replaced with U+FFFD.
    """
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    text = "".join(ch if is_text_char(ch) else "\ufffd" for ch in str(value))
    return text.rstrip("\\")


FILTERS: dict[str, Callable[..., str]] = {
    "hcl": hcl.value,
    "hcl_attrs": hcl.attributes,
    "hcl_exprs": hcl.expression_attributes,
    "toml": toml,
    "py": py,
    "py_text": py_text,
    "py_ident": py_ident,
    "yaml": yaml,
    "gha": gha,
    "make": make,
    "docker": docker,
    "yaml_word": yaml_word,
    "md_code": md_code,
    "md": md,
    "comment": comment,
}


def register(environment: Environment, names: Iterable[str] = FILTERS) -> None:
    """Add the filters to a Jinja environment."""
    for name in names:
        environment.filters[name] = FILTERS[name]


class EscapeExtension(Extension):
    """Jinja extension registering :data:`FILTERS` (loaded by the template's ``copier.yml``)."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        register(environment)
