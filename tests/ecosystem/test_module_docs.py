"""Module READMEs carry terraform-docs' inputs/outputs tables, current, so the pre-commit hook changes nothing."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tfdocs", REPO / "tools" / "tfdocs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["tfdocs"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


tfdocs = _tool()


def test_every_module_readme_is_current() -> None:
    assert tfdocs.main(["--check"]) == 0, "run: python tools/tfdocs.py"


def test_a_changed_variable_makes_its_readme_stale(tmp_path: Path) -> None:
    module = tmp_path / "budget"
    shutil.copytree(REPO / "modules" / "aws" / "budget", module)
    assert tfdocs.main(["--check", str(module)]) == 0
    variables = module / "variables.tf"
    variables.write_text(
        variables.read_text(encoding="utf-8") + '\nvariable "zz_new" {\n  type    = number\n  default = 3\n}\n',
        encoding="utf-8",
    )
    assert tfdocs.main(["--check", str(module)]) == 1
    assert tfdocs.main([str(module)]) == 0
    readme = (module / "README.md").read_text(encoding="utf-8")
    assert "| zz_new | n/a | `number` | `3` | no |\n\n## Outputs" in readme
    assert tfdocs.main(["--check", str(module)]) == 0


def test_every_module_readme_has_the_markers_the_hook_expects() -> None:
    for readme in sorted((REPO / "modules" / "aws").glob("*/README.md")):
        text = readme.read_text(encoding="utf-8")
        assert text.count(tfdocs.BEGIN) == 1 and text.count(tfdocs.END) == 1, readme
        assert "## Inputs\n\n| Name | Description | Type | Default | Required |" in text, readme


def test_generated_projects_configure_terraform_docs_as_the_tool_renders() -> None:
    config = yaml.safe_load((REPO / "templates" / "project" / ".terraform-docs.yml").read_text(encoding="utf-8"))
    assert config["formatter"] == "markdown table"
    assert config["sections"]["show"] == ["inputs", "outputs"]
    assert config["sort"] == {"enabled": True, "by": "name"}
    settings = config["settings"]
    assert (settings["anchor"], settings["escape"], settings["html"], settings["read-comments"]) == (False,) * 4
    assert (settings["type"], settings["default"], settings["required"], settings["indent"]) == (True, True, True, 2)
    assert config["output"]["template"].splitlines() == [tfdocs.BEGIN, "{{ .Content }}", tfdocs.END]
    hooks = (REPO / "templates" / "project" / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "--args=--config=.terraform-docs.yml" in hooks


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # Rows of terraform-docs v0.24's own markdown-table goldens (html, escape and anchors off).
        ("It includes v1 | v2 | v3", "It includes v1 \\| v2 \\| v3"),
        ("", "n/a"),
        ('\n\n```\n[\n  "a",\n  "b",\n  "c"\n]\n```\n', '```[ "a", "b", "c" ]```'),
        (
            "\n\n```\nobject({\n    name = string,\n    fizz = list(string)\n  })\n```\n",
            "```object({ name = string, fizz = list(string) })```",
        ),
        ('`"\\\\.<>[]{}_-"`', '`"\\\\.<>[]{}_-"`'),
        ("This description is itself markdown.\n\nIt spans over multiple lines.", None),
    ],
)
def test_cells_match_terraform_docs(cell: str, expected: str | None) -> None:
    if expected is None:  # blank line between paragraphs: two spaces, as terraform-docs writes it
        expected = "This description is itself markdown.  It spans over multiple lines."
    assert tfdocs.sanitize_cell(cell) == expected


def test_non_literal_default_is_reported_with_file_and_name(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text('variable "x" {\n  type    = string\n  default = upper("a")\n}\n')
    with pytest.raises(tfdocs.HclError, match=r"variables.tf: variable 'x': not a literal"):
        tfdocs.read_variables(tmp_path)
