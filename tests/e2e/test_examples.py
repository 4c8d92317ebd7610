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
import yaml
from click.testing import CliRunner

from mlgen import api
from mlgen.cli import main
from mlgen.terraform import Terraform

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "examples"))
from regenerate import committed_files, example_names, gate_summary, generate

pytestmark = [pytest.mark.terraform, pytest.mark.checkov, pytest.mark.slow]
VOLATILE = ("_commit:", "_src_path:")  # the per-user template repository's tag and location


def _files(root: Path) -> dict[str, bytes]:
    out = {}
    for rel in committed_files(root):
        data = (root / rel).read_bytes()
        if rel.name == ".copier-answers.yml":
            data = b"".join(
                l for l in data.splitlines(keepends=True) if not l.startswith(tuple(v.encode() for v in VOLATILE))
            )
        out[rel.as_posix()] = data
    return out


def test_there_are_five_scenarios() -> None:
    assert len(example_names()) >= 5


@pytest.fixture(scope="module", params=example_names())
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, terraform_env: dict[str, str]
) -> tuple[str, Path, api.CheckOutcome]:
    name = request.param
    dest = tmp_path_factory.mktemp(name) / "project"
    outcome = generate(name, dest)
    assert outcome is not None
    return name, dest, outcome


def test_golden(generated: tuple[str, Path, api.CheckOutcome]) -> None:
    name, dest, _ = generated
    committed = REPO / "examples" / name / "project"
    assert committed.is_dir(), f"run: python examples/regenerate.py {name}"
    got, want = _files(dest), _files(committed)
    assert sorted(got) == sorted(want), "file sets differ; run python examples/regenerate.py and review the diff"
    changed = [k for k in got if got[k] != want[k]]
    assert changed == [], f"{name}: regenerated files differ: {changed[:10]}"


def test_golden_gate_summary(generated: tuple[str, Path, api.CheckOutcome]) -> None:
    """Verdict, failures and every waiver with its reason are what the committed gate.yml says."""
    name, _, outcome = generated
    want = yaml.safe_load((REPO / "examples" / name / "gate.yml").read_text(encoding="utf-8"))
    assert gate_summary(outcome) == want, f"run: python examples/regenerate.py {name} and review gate.yml"
    assert want["verdict"] == "PASS" and want["failed"] == []
    assert all(w["reason"] for w in want["waived"]), "every waiver carries a written reason"


def test_module_copies_are_the_library(generated: tuple[str, Path, api.CheckOutcome]) -> None:
    """infra/modules/<m> is not committed: it must be a byte copy of modules/aws/<m>, and only of used ones."""
    _, dest, _ = generated
    library = REPO / "modules" / "aws"
    copied = sorted(p.name for p in (dest / "infra" / "modules").iterdir())
    assert copied, "no modules copied"
    for module in copied:
        src = library / module
        assert src.is_dir(), f"infra/modules/{module} is not a library module"
        mine = {p.relative_to(src).as_posix(): p.read_bytes() for p in src.rglob("*") if p.is_file()}
        mine = {k: v for k, v in mine.items() if ".terraform" not in k and not k.endswith(".tfstate")}
        theirs = {
            p.relative_to(dest / "infra" / "modules" / module).as_posix(): p.read_bytes()
            for p in (dest / "infra" / "modules" / module).rglob("*")
            if p.is_file()
        }
        assert theirs == mine, f"infra/modules/{module} differs from modules/aws/{module}"
    calls = "".join(p.read_text() for p in (dest / "infra").rglob("main.tf") if "modules" not in p.parts)
    for module in copied:
        assert f'modules/{module}"' in calls, f"infra/modules/{module} is copied but no root calls it"


def test_gate_and_reports(generated: tuple[str, Path, api.CheckOutcome]) -> None:
    _, dest, _ = generated
    results = json.loads((dest / "docs" / "compliance" / "results.json").read_text())
    assert [f for f in results["findings"] if f["status"] == "failed"] == []
    for f in ("report.md", "report.html", "results.json", "results.sarif", "junit.xml", "results.oscal.json"):
        assert (dest / "docs" / "compliance" / f).is_file()


def test_oscal_results_round_trip(generated: tuple[str, Path, api.CheckOutcome]) -> None:
    """Every example writes OSCAL assessment results that trestle's own models read back unchanged."""
    from trestle.oscal import assessment_results as trestle_ar

    _, dest, _ = generated
    data = json.loads((dest / "docs" / "compliance" / "results.oscal.json").read_text(encoding="utf-8"))
    model = trestle_ar.Model.model_validate(data)
    assert json.loads(model.model_dump_json(by_alias=True, exclude_none=True)) == data
    assert model.assessment_results.results[0].observations


def test_roots_validate_and_shipped_tests_pass(
    generated: tuple[str, Path, api.CheckOutcome], tf: Terraform, tmp_path: Path
) -> None:
    _, dest, outcome = generated
    # `mlgen new` already ran fmt/init/validate on every root; its results must be spotless.
    roots = ["infra/bootstrap", *(f"infra/envs/{p.name}" for p in sorted((dest / "infra" / "envs").iterdir()))]
    assert sorted(r.root for r in outcome.validation) == sorted(roots)
    for result in outcome.validation:
        assert result.ok and result.diagnostics == [], (result.root, result.diagnostics, result.fmt_files)
    copy = tmp_path / "p"
    shutil.copytree(dest, copy)
    for root in (copy / r for r in roots):
        if (root / "tests").is_dir():
            assert tf.run(root, "init", "-backend=false", "-input=false").returncode == 0
            test = tf.run(root, "test", "-no-color", timeout=900)
            assert test.returncode == 0 and "0 failed" in test.stdout, test.stdout[-3000:]


# One update round trip with a full scan is enough: the update mechanics do not depend on the scenario.
UPDATE_EXAMPLE = "hipaa-medical-imaging"


@pytest.mark.parametrize("generated", [UPDATE_EXAMPLE], indirect=True)
def test_update_with_changed_answer_keeps_edit(generated: tuple[str, Path, api.CheckOutcome], tmp_path: Path) -> None:
    _, dest, _ = generated
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
