"""The generated GitHub configuration, checked by the tools a platform team runs on it.

Every example's answers are rendered (no terraform, no scan) and its workflows linted with
actionlint and audited with zizmor (offline); any zizmor finding above "low" fails, as does any
actionlint error. The rest is behaviour a reviewer relies on: the compliance gate job runs the exact
mlgen that generated the repository, module tests run, actions are pinned by commit SHA, Dependabot
covers every ecosystem in use, and CODEOWNERS sends every file carrying a Checkov suppression to
compliance.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from mlgen import __version__
from mlgen.answers import load_answers

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent.name for p in (REPO / "examples").glob("*/answers.yml"))
DISTRIBUTION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
ABOVE_LOW = {"medium", "high"}


def _tool(name: str) -> str:
    """A linter installed with the test extra (next to this interpreter, or on PATH)."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]' (the test extra carries it)")
    return found


@pytest.fixture(scope="module", params=EXAMPLES)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An example's answers rendered without validation or scan."""
    from mlgen import api

    dest = tmp_path_factory.mktemp("gh") / request.param
    answers = load_answers(REPO / "examples" / request.param / "answers.yml")
    api.new(dest, answers, check=False, use_git=False, allow_over_budget=True, echo=lambda _: None)
    return dest


def _workflows(project: Path) -> list[Path]:
    found = sorted((project / ".github" / "workflows").glob("*.yml"))
    assert found, "no workflows generated"
    return found


def test_actionlint_reports_nothing(project: Path) -> None:
    proc = subprocess.run(
        [_tool("actionlint"), "-no-color", *map(str, _workflows(project))],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_finds_nothing_above_low(project: Path) -> None:
    proc = subprocess.run(
        [_tool("zizmor"), "--offline", "--format", "json", "--no-progress", str(project / ".github")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.stdout.strip(), proc.stderr
    findings = json.loads(proc.stdout)
    serious = [
        f"{f['ident']} ({f['determinations']['severity']}): "
        f"{f['locations'][0]['symbolic']['key']['Local']['given_path']}: {f['desc']}"
        for f in findings
        if f["determinations"]["severity"].lower() in ABOVE_LOW
    ]
    assert serious == [], "\n".join(serious)


def _jobs(project: Path, name: str) -> dict:
    return yaml.safe_load((project / ".github" / "workflows" / name).read_text(encoding="utf-8"))["jobs"]


def test_every_action_is_pinned_by_sha_with_its_version(project: Path) -> None:
    for path in _workflows(project):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" not in line:
                continue
            assert re.search(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), f"{path.name}: {line}"
        for job, spec in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].items():
            for step in spec.get("steps", []):
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert step.get("with", {}).get("persist-credentials") is False, f"{path.name}:{job}"


def test_compliance_job_runs_the_pinned_mlgen_gate_and_fails_on_a_stale_report(project: Path) -> None:
    steps = _jobs(project, "infra.yml")["compliance"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert f'"{DISTRIBUTION}=={__version__}"' in runs
    assert re.search(r"^mlgen check \.$", runs, re.M)
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    assert uploads and uploads[0]["with"]["sarif_file"] == "docs/compliance/results.sarif"
    assert "git status --porcelain -- docs/compliance" in runs


def test_stale_report_step_fails_when_docs_compliance_changes(project: Path, tmp_path: Path) -> None:
    """Run the generated drift step's script in a git copy of the project, before and after an edit."""
    step = next(s for s in _jobs(project, "infra.yml")["compliance"]["steps"] if "porcelain" in s.get("run", ""))
    work = tmp_path / "p"
    shutil.copytree(project, work)
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=work, check=True, capture_output=True)
    script = ["bash", "-eo", "pipefail", "-c", step["run"]]
    assert subprocess.run(script, cwd=work, capture_output=True, check=False).returncode == 0
    (work / "docs" / "compliance").mkdir(parents=True, exist_ok=True)
    (work / "docs" / "compliance" / "report.md").write_text("changed\n", encoding="utf-8")
    assert subprocess.run(script, cwd=work, capture_output=True, check=False).returncode == 1


def test_module_tests_run_for_every_generated_module(project: Path) -> None:
    job = _jobs(project, "infra.yml")["module-test"]
    modules = sorted(p.name for p in (project / "infra" / "modules").iterdir() if list(p.glob("tests/*.tftest.hcl")))
    assert sorted(job["strategy"]["matrix"]["module"]) == modules
    assert any("test" in s.get("run", "") and "infra/modules/$MODULE" in s.get("run", "") for s in job["steps"])


def test_dependabot_covers_every_ecosystem(project: Path) -> None:
    config = yaml.safe_load((project / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    covered = {
        (u["package-ecosystem"], d) for u in config["updates"] for d in u.get("directories", [u.get("directory")])
    }
    ecosystems = {e for e, _ in covered}
    assert {"github-actions", "pip", "terraform", "docker"} <= ecosystems
    roots = ["/infra/bootstrap", *sorted(f"/infra/envs/{p.name}" for p in (project / "infra" / "envs").iterdir())]
    for root in roots:
        assert ("terraform", root) in covered, root
    docker = {d for e, d in covered if e == "docker"}
    holding = {"/" + p.parent.relative_to(project).as_posix() for p in project.rglob("Dockerfile*")}
    assert {d.rstrip("/") or "/" for d in docker} == {h.rstrip("/.") or "/" for h in holding}


def _owners(codeowners: str, path: str) -> list[str]:
    """Owners of ``path`` by GitHub's rule: the last matching pattern wins."""
    owners: list[str] = []
    for line in codeowners.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern, *who = line.split()
        anchored = pattern.lstrip("/")
        if anchored.endswith("/"):
            hit = path.startswith(anchored)
        else:
            hit = fnmatch.fnmatch(path, anchored) or path.startswith(anchored + "/")
        if hit:
            owners = who
    return owners


def test_codeowners_routes_infra_compliance_and_every_suppression(project: Path) -> None:
    text = (project / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    owner = answers["blueprint"]["project"]["owner"]
    platform = _owners(text, "infra/envs/dev/main.tf")
    assert platform and owner in platform
    compliance = _owners(text, "docs/compliance/report.md")
    assert compliance
    suppressing = sorted(
        p.relative_to(project).as_posix()
        for p in project.rglob("*.tf")
        if re.search(r"#\s*checkov:skip=", p.read_text(encoding="utf-8"))
    )
    assert suppressing, "expected files with Checkov suppressions"
    for rel in suppressing:
        assert _owners(text, rel) == compliance, (
            f"{rel} carries a Checkov suppression but is owned by {_owners(text, rel)}"
        )
    assert _owners(text, ".github/CODEOWNERS") == compliance


def test_pull_request_template_asks_for_the_gate(project: Path) -> None:
    text = (project / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert "mlgen check" in text and "docs/compliance/" in text


def test_readme_installs_the_exact_mlgen_that_generated_it(project: Path) -> None:
    text = (project / "README.md").read_text(encoding="utf-8")
    assert f"'{DISTRIBUTION}=={__version__}'" in text
    assert "make install" in text


def test_extras_are_test_with_dev_kept_as_an_alias(project: Path) -> None:
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = meta["optional-dependencies"]
    assert any(req.startswith("pytest") for req in extras["test"])
    assert extras["dev"] == [f"{meta['name']}[test]"]
    workflows = "\n".join(p.read_text(encoding="utf-8") for p in _workflows(project))
    assert '".[test]"' in workflows and ".[dev]" not in workflows
