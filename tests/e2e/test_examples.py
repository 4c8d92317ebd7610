"""The examples, end to end: each regenerates byte-for-byte (golden), every root validates with
0 errors and 0 warnings and its shipped `terraform test` passes, the gate passes with all report
formats, and `mlgen update` with a changed answer keeps a user's edit and passes again."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlgen.cli import main

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "examples"))
from regenerate import example_names, generate  # noqa: E402

pytestmark = [pytest.mark.terraform, pytest.mark.checkov, pytest.mark.slow]
VOLATILE = ("_commit:", "_src_path:")  # the per-user template repository's tag and location


def _files(root: Path) -> dict[str, bytes]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and ".git" not in p.relative_to(root).parts:
            data = p.read_bytes()
            if p.name == ".copier-answers.yml":
                data = b"".join(
                    l for l in data.splitlines(keepends=True) if not l.startswith(tuple(v.encode() for v in VOLATILE))
                )
            out[p.relative_to(root).as_posix()] = data
    return out


def test_there_are_five_scenarios() -> None:
    assert len(example_names()) >= 5


@pytest.fixture(scope="module", params=example_names())
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, terraform_env: dict[str, str]
) -> tuple[str, Path]:
    name = request.param
    dest = tmp_path_factory.mktemp(name) / "project"
    generate(name, dest)
    return name, dest


def test_golden(generated: tuple[str, Path]) -> None:
    name, dest = generated
    committed = REPO / "examples" / name / "project"
    assert committed.is_dir(), f"run: python examples/regenerate.py {name}"
    got, want = _files(dest), _files(committed)
    assert sorted(got) == sorted(want), "file sets differ; run python examples/regenerate.py and review the diff"
    changed = [k for k in got if got[k] != want[k]]
    assert changed == [], f"{name}: regenerated files differ: {changed[:10]}"


def test_gate_and_reports(generated: tuple[str, Path]) -> None:
    _, dest = generated
    results = json.loads((dest / "docs" / "compliance" / "results.json").read_text())
    assert [f for f in results["findings"] if f["status"] == "failed"] == []
    for f in ("report.md", "report.html", "results.json", "results.sarif", "junit.xml"):
        assert (dest / "docs" / "compliance" / f).is_file()


def _tf(env: dict[str, str], root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["terraform", f"-chdir={root}", *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )


def test_roots_validate_and_shipped_tests_pass(
    generated: tuple[str, Path], terraform_env: dict[str, str], tmp_path: Path
) -> None:
    _, dest = generated
    copy = tmp_path / "p"
    shutil.copytree(dest, copy)
    roots = [copy / "infra" / "bootstrap", *sorted((copy / "infra" / "envs").iterdir())]
    for root in roots:
        assert _tf(terraform_env, root, "init", "-backend=false", "-input=false").returncode == 0
        diags = json.loads(_tf(terraform_env, root, "validate", "-json").stdout)["diagnostics"]
        assert diags == [], (root.name, diags)
        if (root / "tests").is_dir():
            test = _tf(terraform_env, root, "test", "-no-color")
            assert test.returncode == 0 and "0 failed" in test.stdout, test.stdout[-3000:]


def test_update_with_changed_answer_keeps_edit(generated: tuple[str, Path], tmp_path: Path) -> None:
    name, dest = generated
    copy = tmp_path / "p"
    shutil.copytree(dest, copy)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(copy)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "generated"], check=True)
    notes = copy / "docs" / "team-notes.md"
    notes.write_text("# Team notes\n")
    readme = copy / "README.md"
    readme.write_text(readme.read_text() + "\n## Our notes\n\nKeep this.\n")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "edit"], check=True)
    result = CliRunner().invoke(main, ["update", str(copy), "--set", "budget.alert_thresholds_pct=[60, 90, 100]"])
    assert result.exit_code == 0, result.output
    assert "Keep this." in readme.read_text() and notes.is_file()
    assert (
        "60%"
        in (copy / "docs" / "decisions")
        .joinpath(next(p.name for p in (copy / "docs" / "decisions").iterdir() if p.name.endswith("-budget.md")))
        .read_text()
    )
    results = json.loads((copy / "docs" / "compliance" / "results.json").read_text())
    assert [f for f in results["findings"] if f["status"] == "failed"] == []
