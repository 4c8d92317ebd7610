"""Write terraform-docs' inputs/outputs tables into every module README, byte for byte as the hook would.

The generated project's pre-commit config runs terraform-docs (``markdown table``, settings in
``templates/project/.terraform-docs.yml``) on ``infra/modules/*``. When the README already holds exactly
what terraform-docs would write between ``<!-- BEGIN_TF_DOCS -->`` and ``<!-- END_TF_DOCS -->``, the
first ``pre-commit run`` leaves it alone. terraform-docs is a Go binary that is not on every machine,
so this script reproduces its output for the settings we use (``anchor``, ``escape`` and ``html`` off;
``type``, ``default`` and ``required`` on; sorted by name) — following terraform-docs v0.24's
``format/markdown_table`` templates and ``template/sanitizer.go``.

It reads ``variables.tf`` and ``outputs.tf`` with a small parser for the HCL our modules use:
``type`` is kept as source text (as terraform-config-inspect does), ``default`` and ``description``
must be literals (strings, numbers, bools, null, lists, objects).

    python tools/tfdocs.py          # rewrite the tables in modules/aws/*/README.md
    python tools/tfdocs.py --check  # exit 1 and name the READMEs that are out of date
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
MODULES = Path(__file__).resolve().parent.parent / "modules" / "aws"


class HclError(ValueError):
    """Source this parser does not understand; the message names file and line."""


@dataclass(frozen=True)
class Variable:
    """A module input as terraform-docs sees it."""

    name: str
    type: str
    description: str
    default_json: str  # "" when there is no default (a required input)
    required: bool


@dataclass(frozen=True)
class Output:
    """A module output."""

    name: str
    description: str


# --- a scanner for the HCL of our modules ---------------------------------------------------


class _Scanner:
    def __init__(self, text: str, path: Path) -> None:
        self.text = text
        self.path = path
        self.pos = 0

    def fail(self, message: str, pos: int | None = None) -> HclError:
        line = self.text.count("\n", 0, self.pos if pos is None else pos) + 1
        return HclError(f"{self.path}:{line}: {message}")

    def skip_space(self, newlines: bool = True) -> None:
        """Skip blanks and comments (and newlines when asked)."""
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in " \t\r" or (newlines and ch == "\n"):
                self.pos += 1
            elif ch == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos)
                if end < 0:
                    raise self.fail("unterminated /* comment")
                self.pos = end + 2
            else:
                return

    def skip_string(self) -> None:
        """Move past a quoted string starting at pos (templates nest braces and strings)."""
        assert self.text[self.pos] == '"'
        self.pos += 1
        depth = 0
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\":
                self.pos += 2
                continue
            if ch == "\n" and depth == 0:
                raise self.fail("newline in a quoted string")
            if self.text.startswith("${", self.pos) or self.text.startswith("%{", self.pos):
                depth += 1
                self.pos += 2
                continue
            if depth and ch == "}":
                depth -= 1
            elif depth and ch == '"':
                self.skip_string()
                continue
            elif not depth and ch == '"':
                self.pos += 1
                return
            self.pos += 1
        raise self.fail("unterminated string")

    def skip_expression(self) -> int:
        """Move past an attribute's expression; return where its source ends (no trailing comment)."""
        depth = 0
        end = self.pos
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == '"':
                self.skip_string()
                end = self.pos
                continue
            if text.startswith("<<", self.pos):
                raise self.fail("heredocs are not supported here")
            if ch == "#" or text.startswith("//", self.pos) or text.startswith("/*", self.pos):
                self.skip_space(newlines=depth > 0)
                continue
            if ch == "\n" and depth == 0:
                return end
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                if depth == 0:
                    return end  # the enclosing block's closing brace
                depth -= 1
            self.pos += 1
            if ch not in " \t\r\n":
                end = self.pos
        return end

    def block_body(self) -> dict[str, tuple[int, int]]:
        """Parse ``{ ... }`` at pos: the top-level attributes as source spans; nested blocks skipped."""
        if self.text[self.pos] != "{":
            raise self.fail("expected {")
        self.pos += 1
        attrs: dict[str, tuple[int, int]] = {}
        while True:
            self.skip_space()
            if self.pos >= len(self.text):
                raise self.fail("unterminated block")
            if self.text[self.pos] == "}":
                self.pos += 1
                return attrs
            match = re.compile(r"[A-Za-z_][\w-]*").match(self.text, self.pos)
            if not match:
                raise self.fail(f"unexpected {self.text[self.pos]!r}")
            name = match.group(0)
            self.pos = match.end()
            self.skip_space(newlines=False)
            if self.text.startswith("=", self.pos) and not self.text.startswith("==", self.pos):
                self.pos += 1
                self.skip_space(newlines=False)
                start = self.pos
                attrs[name] = (start, self.skip_expression())
            else:  # a nested block: labels then a body
                while self.text[self.pos] == '"':
                    self.skip_string()
                    self.skip_space(newlines=False)
                self.block_body()


def _blocks(path: Path, kind: str) -> list[tuple[str, str, dict[str, str]]]:
    """``(name, file text, {attribute: source})`` for each top-level ``kind "name" { }`` block."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in re.finditer(rf'(?m)^{kind}\s+"([^"]+)"\s*(?={{)', text):
        scanner = _Scanner(text, path)
        scanner.pos = match.end()
        spans = scanner.block_body()
        found.append((match.group(1), text, {k: text[a:b] for k, (a, b) in spans.items()}))
    return found


# --- literal values -------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


class _Literal:
    """Evaluate an HCL literal expression (what a default or a description may be)."""

    def __init__(self, source: str, where: str) -> None:
        self.s = source
        self.i = 0
        self.where = where

    def fail(self, message: str) -> HclError:
        return HclError(f"{self.where}: {message} (only literal values are supported): {self.s[:80]!r}")

    def ws(self) -> None:
        while self.i < len(self.s):
            if self.s[self.i] in " \t\r\n":
                self.i += 1
            elif self.s[self.i] == "#" or self.s.startswith("//", self.i):
                end = self.s.find("\n", self.i)
                self.i = len(self.s) if end < 0 else end
            else:
                return

    def parse(self) -> Any:
        value = self.value()
        self.ws()
        if self.i != len(self.s):
            raise self.fail("unexpected text after the value")
        return value

    def value(self) -> Any:
        self.ws()
        if self.i >= len(self.s):
            raise self.fail("missing value")
        ch = self.s[self.i]
        if ch == '"':
            return self.string()
        if ch == "[":
            return self.sequence()
        if ch == "{":
            return self.mapping()
        number = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?").match(self.s, self.i)
        if number:
            self.i = number.end()
            parsed = float(number.group(0))
            return int(parsed) if parsed.is_integer() and abs(parsed) < 1e21 else parsed
        word = re.compile(r"[A-Za-z_][\w-]*").match(self.s, self.i)
        if word and word.group(0) in ("true", "false", "null"):
            self.i = word.end()
            return {"true": True, "false": False, "null": None}[word.group(0)]
        raise self.fail("not a literal")

    def string(self) -> str:
        self.i += 1
        out = []
        while self.i < len(self.s):
            ch = self.s[self.i]
            if ch == '"':
                self.i += 1
                return "".join(out)
            if ch == "\\":
                nxt = self.s[self.i + 1]
                if nxt == "u":
                    out.append(chr(int(self.s[self.i + 2 : self.i + 6], 16)))
                    self.i += 6
                    continue
                if nxt not in _ESCAPES:
                    raise self.fail(f"unknown escape \\{nxt}")
                out.append(_ESCAPES[nxt])
                self.i += 2
                continue
            if self.s.startswith("$${", self.i) or self.s.startswith("%%{", self.i):
                out.append(ch + "{")
                self.i += 3
                continue
            if self.s.startswith("${", self.i) or self.s.startswith("%{", self.i):
                raise self.fail("template interpolation")
            out.append(ch)
            self.i += 1
        raise self.fail("unterminated string")

    def sequence(self) -> list[Any]:
        self.i += 1
        items: list[Any] = []
        while True:
            self.ws()
            if self.s.startswith("]", self.i):
                self.i += 1
                return items
            items.append(self.value())
            self.ws()
            if self.s.startswith(",", self.i):
                self.i += 1
            elif not self.s.startswith("]", self.i):
                raise self.fail("expected , or ]")

    def mapping(self) -> dict[str, Any]:
        self.i += 1
        items: dict[str, Any] = {}
        while True:
            self.ws()
            if self.s.startswith("}", self.i):
                self.i += 1
                return items
            if self.s.startswith('"', self.i):
                key = self.string()
            else:
                word = re.compile(r"[A-Za-z_][\w-]*").match(self.s, self.i)
                if not word:
                    raise self.fail("expected a key")
                key = word.group(0)
                self.i = word.end()
            self.ws()
            if not (self.s.startswith("=", self.i) or self.s.startswith(":", self.i)):
                raise self.fail("expected = or :")
            self.i += 1
            items[key] = self.value()
            self.ws()
            if self.s.startswith(",", self.i):
                self.i += 1


def read_variables(module: Path) -> list[Variable]:
    """The module's inputs, from every ``*.tf`` file in it."""
    found = []
    for path in sorted(module.glob("*.tf")):
        for name, _, attrs in _blocks(path, "variable"):
            where = f"{path}: variable {name!r}"
            description = _Literal(attrs["description"], where).parse() if "description" in attrs else ""
            if "default" in attrs:
                value = _Literal(attrs["default"], where).parse()
                default_json = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
            else:
                default_json = ""
            found.append(Variable(name, attrs.get("type", ""), description, default_json, "default" not in attrs))
    return found


def read_outputs(module: Path) -> list[Output]:
    """The module's outputs, from every ``*.tf`` file in it."""
    found = []
    for path in sorted(module.glob("*.tf")):
        for name, _, attrs in _blocks(path, "output"):
            where = f"{path}: output {name!r}"
            description = _Literal(attrs["description"], where).parse() if "description" in attrs else ""
            found.append(Output(name, description))
    return found


# --- terraform-docs' markdown table (format/markdown_table*.tmpl, template/sanitizer.go) ---------


def _segments(text: str, prefix: str, normal: Any, code: Any) -> str:
    """processSegments: alternate normal/code segments split on ``prefix``; empty ones are dropped."""
    in_code = text.startswith(prefix)
    parts = text.split(prefix)
    out = []
    for i, part in enumerate(parts):
        if not part:
            continue
        first = i == 0 or not parts[i - 1].strip()
        last = i == len(parts) - 1 or not parts[i + 1].strip()
        out.append(code(part, first, last) if in_code else normal(part, first, last))
        in_code = not in_code
    return "".join(out)


def _escape_pipes(text: str) -> str:
    """EscapeCharacters with escape off and escapePipe on: ``|`` outside backticks becomes ``\\|``."""
    return _segments(text, "`", lambda s, *_: s.replace("|", "\\|"), lambda s, *_: f"`{s}`")


def _multiline_text(text: str) -> str:
    """ConvertMultiLineText for a table cell (isTable, not a header, html off)."""
    text = text.strip()
    text = re.sub(r"(\S*)(\r?\n)(\s*)(\w+)", r"\1  \2\3\4", text, flags=re.ASCII)
    text = text.replace("    \n", "  \n").replace("  \n\n", "\n\n").replace("\n  \n", "\n\n")
    return text.replace("  \n", " ").replace("\n", " ")


def _one_line_code(text: str) -> str:
    """ConvertOneLineCodeBlock."""
    lines = [re.sub(r"(\s*)=(\s*)", " = ", line).lstrip() for line in text.split("\n") if line.strip()]
    return " ".join(lines)


def sanitize_cell(text: str) -> str:
    """SanitizeMarkdownTable(text, escape=false, html=false)."""
    if text == "":
        return "n/a"

    def normal(segment: str, first: bool, last: bool) -> str:
        return _multiline_text(_escape_pipes(segment))

    def code(segment: str, first: bool, last: bool) -> str:
        start = "```" if first else " ```"
        end = "```" if last else "``` "
        body = _one_line_code(segment.strip()).replace("\r", "")
        return f"{start}{body}{end}"

    return _segments(text, "```", normal, code)


def _fenced(code: str) -> str:
    """PrintFencedCodeBlock(code, "")."""
    return f"\n\n```\n{code}\n```\n" if "\n" in code else f"`{code}`"


def _input_type(var: Variable) -> str:
    """types.TypeOf: the source text, else inferred from the default, else ``any``."""
    if var.type:
        return var.type
    if not var.default_json:
        return "any"
    value = json.loads(var.default_json)
    for kind, name in ((bool, "bool"), (str, "string"), (int, "number"), (float, "number")):
        if isinstance(value, kind):
            return name
    return {list: "list", dict: "map"}.get(type(value), "any")


def _input_value(var: Variable) -> str:
    """Input.GetValue: the default as indented JSON; "" for a required input, null for default = null."""
    return var.default_json


def _sanitize_document(markdown: str) -> str:
    """format.sanitize: trailing spaces and extra blank lines."""
    result = re.sub(r" {2}(\r?\n)", r"‡‡‡DOUBLESPACES‡‡‡\1", markdown)
    result = re.sub(r" +(\r?\n)", r"\1", result)
    result = re.sub(r" +$", "", result)
    result = re.sub(r"‡‡‡DOUBLESPACES‡‡‡(\r?\n)", r"  \1", result)
    result = re.sub(r"(\r?\n)  (\r?\n)", r"\1", result)
    result = re.sub(r"(\r?\n){3,}", r"\1\1", result)
    return re.sub(r"(\r?\n){2,}$", "", result)


def render_tables(module: Path) -> str:
    """What terraform-docs writes between the markers for ``module``."""
    variables = sorted(read_variables(module), key=lambda v: v.name)
    outputs = sorted(read_outputs(module), key=lambda o: o.name)
    lines = ["## Inputs", ""]
    if variables:
        lines += [
            "| Name | Description | Type | Default | Required |",
            "| ---- | ----------- | ---- | ------- | :------: |",
        ]
        for var in variables:
            value = _input_value(var)
            cells = [
                var.name,
                sanitize_cell(var.description),
                sanitize_cell(_fenced(_input_type(var))),
                sanitize_cell(_fenced(value) if value else "n/a"),
                "yes" if var.required else "no",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    else:
        lines.append("No inputs.")
    lines += ["", "## Outputs", ""]
    if outputs:
        lines += ["| Name | Description |", "| ---- | ----------- |"]
        lines += [f"| {out.name} | {sanitize_cell(out.description)} |" for out in outputs]
    else:
        lines.append("No outputs.")
    # The outputs template ends in blank lines that sanitize strips: no newline before the end marker.
    return _sanitize_document("\n".join(lines) + "\n\n")


def inject(readme: str, tables: str) -> str:
    """The README with ``tables`` between the markers (appended, with markers, when there are none)."""
    block = f"{BEGIN}\n{tables}\n{END}"
    before, after = readme.find(BEGIN), readme.find(END)
    if before < 0 and after < 0:
        return readme + "\n" + block
    if before < 0 or after < before:
        raise HclError(f"{BEGIN} / {END} markers are missing or out of order")
    return readme[:before] + block + readme[after + len(END) :]


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with --check, verify) the tables of every module README."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when a README is out of date")
    parser.add_argument("modules", nargs="*", type=Path, help="module folders (default: modules/aws/*)")
    args = parser.parse_args(argv)
    modules = args.modules or sorted(p for p in MODULES.iterdir() if (p / "variables.tf").is_file())
    stale = []
    for module in modules:
        readme = module / "README.md"
        current = readme.read_text(encoding="utf-8")
        wanted = inject(current, render_tables(module))
        if wanted != current:
            stale.append(readme)
            if not args.check:
                readme.write_text(wanted, encoding="utf-8")
    for path in stale:
        print(f"{'out of date' if args.check else 'updated'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
