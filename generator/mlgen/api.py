"""Library entry points, one per command: answers → decisions → render → validate → scan → report."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlgen import __version__
from mlgen.answers import Answers, answers_to_data, build_answers, deep_merge, parse_set, read_answers_file
from mlgen.blueprint import Blueprint
from mlgen.errors import DestinationError, GateFailed, InputError, OverBudget, ToolError

Echo = Callable[[str], None]
FORMATS = ("md", "html", "json", "sarif", "junit", "oscal")
ANSWERS_FILE = ".copier-answers.yml"


@dataclass
class CheckOutcome:
    """Validation and scan results for a project."""

    validation: list[Any] = field(default_factory=list)  # terraform.RootResult
    validation_note: str = ""
    gate: Any = None  # compliance.gate.GateResult
    scan: Any = None  # compliance.scan.ScanResult
    reports: list[Path] = field(default_factory=list)

    @property
    def validation_ok(self) -> bool:
        return all(r.ok for r in self.validation)


def plan(answers: Answers) -> Blueprint:
    """Decide without writing anything."""
    from mlgen.decide import decide

    return decide(answers)


def ensure_budget(bp: Blueprint, *, allow_over_budget: bool) -> None:
    """Raise :class:`OverBudget` naming the cost drivers unless allowed."""
    if not bp.cost.over_budget or allow_over_budget:
        return
    drivers = [
        f"{d.environment}/{d.module}: {d.item} ${d.idle_usd + d.usage_usd:,.0f}/month" for d in bp.cost.drivers()
    ]
    raise OverBudget(
        f"estimated ${bp.cost.total_usd:,.0f}/month exceeds budget.monthly_usd ${bp.cost.budget_usd:,.0f}",
        details=[
            "top cost drivers:",
            *[f"  {d}" for d in drivers],
            "what would bring it under:",
            *[f"  {s}" for s in bp.suggestions],
            "or pass --allow-over-budget to write it anyway",
        ],
    )


def _check_destination(dest: Path, force: bool) -> None:
    if dest.exists() and not dest.is_dir():
        raise DestinationError(f"{dest} exists and is not a folder", details=["choose another DEST"])
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise DestinationError(
            f"{dest} is not empty; refusing to overwrite it",
            details=[
                "choose an empty or new DEST, or pass --force to write generated files over it "
                "(files mlgen does not generate are kept)"
            ],
        )


def _project_roots(project: Path) -> list[tuple[str, Path]]:
    roots = []
    if (project / "infra" / "bootstrap").is_dir():
        roots.append(("infra/bootstrap", project / "infra" / "bootstrap"))
    envs = project / "infra" / "envs"
    if envs.is_dir():
        roots += [(f"infra/envs/{p.name}", p) for p in sorted(envs.iterdir()) if p.is_dir()]
    return roots


def validate_project(project: Path, echo: Echo) -> tuple[list[Any], str]:
    """terraform fmt/init/validate on every root; returns results and a note for the report."""
    from mlgen.terraform import Terraform, terraform_binary

    if terraform_binary() is None:
        note = "terraform validate: not run (terraform not on PATH)"
        echo("terraform not found on PATH: skipping fmt/init/validate (the report says so)")
        return [], note
    tf = Terraform()
    results = []
    try:
        for label, root in _project_roots(project):
            result = tf.check_root(root, label=label)
            results.append(result)
            tf.cleanup(root)
            (root / ".terraform.lock.hcl").unlink(missing_ok=True)
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"terraform timed out: {exc}") from exc
    bad = [r for r in results if not r.ok]
    warn = sum(len(r.warnings) for r in results)
    note = (
        f"terraform {tf.version()} fmt/init/validate: {len(results) - len(bad)}/{len(results)} roots ok, "
        f"{sum(len(r.errors) for r in results)} errors, {warn} warnings"
    )
    echo(note)
    return results, note


def _scan_settings(bp_data: dict[str, Any], frameworks: list[str] | None) -> Any:
    from mlgen.compliance.scan import ScanSettings

    comp = bp_data["compliance"]
    return ScanSettings(
        allowed_regions=tuple(comp.get("allowed_regions") or ()),
        allowed_instance_types=tuple(comp.get("allowed_instance_types") or ()),
        network_isolation=comp.get("network_isolation") or "none",
        stage=comp.get("stage") or "prototype",
        frameworks=tuple(frameworks if frameworks is not None else comp.get("frameworks", ())),
    )


def answers_digest(answers_data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(answers_data, sort_keys=True).encode()).hexdigest()[:16]


def scan_project(
    project: Path,
    bp_data: dict[str, Any],
    answers_data: dict[str, Any],
    *,
    echo: Echo,
    validation_note: str,
    frameworks: list[str] | None = None,
    formats: tuple[str, ...] = FORMATS,
    fail_on: str | None = "high",
) -> tuple[Any, Any, list[Path]]:
    """Checkov over every root, the gate, and the reports in docs/compliance/."""
    from mlgen.compliance.gate import evaluate_gate
    from mlgen.compliance.report import write_reports
    from mlgen.compliance.scan import ScanError, run_scan

    settings = _scan_settings(bp_data, frameworks)
    roots = [p for _, p in _project_roots(project)]
    try:
        result = run_scan(roots, repo_root=project, settings=settings, scan_strays=True)
    except ScanError as exc:
        raise ToolError(f"checkov scan failed: {exc}", details=["run with --debug for the traceback"]) from exc
    gate = evaluate_gate(result, frameworks=list(settings.frameworks), fail_on=fail_on)
    metadata = {
        "mlgen_version": __version__,
        "answers_digest": answers_digest(answers_data),
        "validation": validation_note,
        "project": bp_data["project"]["name"],
        "frameworks": list(settings.frameworks),
    }
    from mlgen.compliance.evidence import evidence_metadata

    metadata.update(evidence_metadata(project, answers_digest=metadata["answers_digest"]))
    reports = write_reports(result, gate, project / "docs" / "compliance", formats=set(formats), metadata=metadata)
    return result, gate, reports


def _summarise(echo: Echo, result: Any, gate: Any) -> None:
    counts = {s: len(result.by_status(s)) for s in ("passed", "failed", "skipped")}
    echo(
        f"checkov {result.checkov_version}: "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
        + f" — gate {'PASSED' if gate.passed else 'FAILED'}"
        + (f" ({', '.join(gate.frameworks)})" if gate.frameworks else "")
        + "; report: docs/compliance/report.md"
    )


def gate_lines(gate: Any) -> list[str]:
    """One line per failing finding: check, resource, file:line, controls and why."""
    lines = []
    for failure in gate.failures:
        f = failure.finding
        controls = f" [{', '.join(failure.control_labels)}]" if failure.control_labels else ""
        lines.append(f"{f.check_id} {f.resource} ({f.file}:{f.line_start}){controls}: {'; '.join(failure.reasons)}")
    return lines


def run_checks(
    project: Path,
    bp_data: dict[str, Any],
    answers_data: dict[str, Any],
    *,
    echo: Echo,
    frameworks: list[str] | None = None,
    formats: tuple[str, ...] = FORMATS,
    fail_on: str | None = "high",
) -> CheckOutcome:
    """Validate and scan a project; write reports."""
    outcome = CheckOutcome()
    outcome.validation, outcome.validation_note = validate_project(project, echo)
    outcome.scan, outcome.gate, outcome.reports = scan_project(
        project,
        bp_data,
        answers_data,
        echo=echo,
        validation_note=outcome.validation_note,
        frameworks=frameworks,
        formats=formats,
        fail_on=fail_on,
    )
    _summarise(echo, outcome.scan, outcome.gate)
    return outcome


def _raise_for(outcome: CheckOutcome) -> None:
    if not outcome.validation_ok:
        details = []
        for r in outcome.validation:
            if not r.fmt_ok:
                details.append(f"{r.root}: terraform fmt would change {', '.join(r.fmt_files)}")
            if not r.init_ok:
                lines = [ln.strip() for ln in r.init_output.splitlines() if ln.strip() and ln.strip() not in "╷│╵"]
                errors = [ln.lstrip("│ ").strip() for ln in lines if "Error" in ln] or lines[-3:]
                details.append(f"{r.root}: terraform init failed: {' / '.join(errors[:3])}")
            details += [f"{r.root}: {d}" for d in r.errors]
        raise ToolError("terraform validation failed", details=details)
    if not outcome.gate.passed:
        raise GateFailed(
            "compliance gate failed",
            details=[
                *gate_lines(outcome.gate),
                "see docs/compliance/report.md; fix the code or add `#checkov:skip=ID:reason`",
            ],
        )


def _git_commit_all(project: Path, message: str) -> None:
    from mlgen.render import git

    if not (project / ".git").exists():
        git("init", "-q", "-b", "main", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-q", "--allow-empty", "-m", message, cwd=project)


def _move_into_place(staged: Path, dest: Path) -> None:
    """Move a finished tree into ``dest``: a rename when dest is new, file by file with --force."""
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(staged, dest)
            return
        except OSError:
            shutil.copytree(staged, dest, symlinks=True)
            return
    for src in sorted(staged.rglob("*")):
        rel = src.relative_to(staged)
        target = dest / rel
        if src.is_dir() and not src.is_symlink():
            target.mkdir(parents=True, exist_ok=True)
            continue
        if rel.parts[0] == ".git" and (dest / ".git").exists():
            continue
        tmp = target.with_name(f".{target.name}.mlgen-tmp")
        shutil.copy2(src, tmp, follow_symlinks=False)
        os.replace(tmp, target)


def new(
    dest: Path,
    answers: Answers,
    *,
    force: bool = False,
    check: bool = True,
    use_git: bool = True,
    allow_over_budget: bool = False,
    echo: Echo = print,
) -> CheckOutcome | None:
    """Generate a project at ``dest``. Nothing is written unless every step succeeds."""
    from mlgen.render import copier_data, render

    dest = dest.resolve()
    _check_destination(dest, force)
    bp = plan(answers)
    ensure_budget(bp, allow_over_budget=allow_over_budget)
    answers_data = answers_to_data(answers)
    bp_data = bp.model_dump(mode="json")
    outcome = None
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".mlgen-", dir=dest.parent) as tmp:
        staged = Path(tmp) / dest.name
        render(staged, copier_data(answers_data, bp_data))
        failure: GateFailed | ToolError | None = None
        if check:
            outcome = run_checks(staged, bp_data, answers_data, echo=echo)
            try:
                _raise_for(outcome)
            except (GateFailed, ToolError) as exc:
                # The project is complete; write it so the report can be read, then fail.
                failure = exc
        if use_git and not (dest / ".git").exists():
            _git_commit_all(staged, f"Initial project from mlgen {__version__}")
        _move_into_place(staged, dest)
    echo(f"wrote {dest}")
    if failure is not None:
        raise failure
    return outcome


def read_project(project: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The recorded (answers, blueprint) of a generated project."""
    path = project / ANSWERS_FILE
    if not path.is_file():
        raise InputError(
            f"{project} is not an mlgen project (no {ANSWERS_FILE})",
            details=["run `mlgen new` first, or pass the project's folder"],
        )
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(data.get("mlgen_answers") or {}), dict(data.get("blueprint") or {})


def project_answers(project: Path, answers_file: Path | None = None, overrides: tuple[str, ...] = ()) -> Answers:
    """A project's recorded answers with a new answers file and ``--set`` overrides on top."""
    recorded, _ = read_project(project)
    base = read_answers_file(answers_file) if answers_file else recorded
    return build_answers(deep_merge(base, parse_set(list(overrides))))


def check(
    project: Path, *, frameworks: list[str] | None, formats: tuple[str, ...], fail_on: str | None, echo: Echo = print
) -> CheckOutcome:
    """Re-validate and re-scan a project after its team edited it."""
    answers_data, bp_data = read_project(project)
    unknown = sorted(set(formats) - set(FORMATS))
    known = {"hipaa", "soc2", "gdpr", "pci_dss", "iso27001"}
    if frameworks and set(frameworks) - known:
        raise InputError(
            f"unknown framework(s): {', '.join(sorted(set(frameworks) - known))}",
            details=[f"--framework: choose from {', '.join(sorted(known))}"],
        )
    if unknown:
        raise InputError(
            f"unknown report format(s): {', '.join(unknown)}", details=[f"--format: choose from {', '.join(FORMATS)}"]
        )
    outcome = run_checks(
        project, bp_data, answers_data, echo=echo, frameworks=frameworks, formats=formats, fail_on=fail_on
    )
    _raise_for(outcome)
    return outcome


def update(
    project: Path,
    *,
    answers_file: Path | None,
    overrides: tuple[str, ...],
    check: bool = True,
    allow_over_budget: bool = False,
    echo: Echo = print,
) -> list[str]:
    """copier update with this mlgen's template and (changed) answers; returns conflicted files."""
    from mlgen.render import copier_data, git
    from mlgen.render import update as render_update

    project = project.resolve()
    if not (project / ".git").exists():
        raise InputError(f"{project} is not a git repository", details=["mlgen update needs the project's git history"])
    if git("status", "--porcelain", cwd=project).strip():
        raise InputError(
            f"{project} has uncommitted changes",
            details=["commit or stash them first (git stash), then run mlgen update again"],
        )
    answers = project_answers(project, answers_file, overrides)
    bp = plan(answers)
    ensure_budget(bp, allow_over_budget=allow_over_budget)
    answers_data = answers_to_data(answers)
    bp_data = bp.model_dump(mode="json")
    render_update(project, copier_data(answers_data, bp_data))
    conflicts = conflicted_files(project)
    if conflicts:
        raise ToolError(
            "update left conflicts to resolve",
            details=[*conflicts, "resolve them, delete the .rej files, commit, then run mlgen check"],
        )
    if check:
        outcome = run_checks(project, bp_data, answers_data, echo=echo)
        _raise_for(outcome)
    echo(f"updated {project}; review with `git diff` and commit")
    return conflicts


def conflicted_files(project: Path) -> list[str]:
    """Files with conflict markers, and .rej files, below ``project`` (git-tracked or not)."""
    found = []
    for path in sorted(project.rglob("*")):
        if ".git" in path.relative_to(project).parts or not path.is_file():
            continue
        rel = path.relative_to(project).as_posix()
        if path.suffix == ".rej":
            found.append(rel)
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in text.splitlines()):
            found.append(rel)
    return found
