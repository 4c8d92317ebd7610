"""Library entry points, one per command: answers → decisions → render → validate → scan → report."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlgen import __version__
from mlgen.answers import Answers, answers_to_data, build_answers, deep_merge, parse_set, read_answers_file
from mlgen.blueprint import Blueprint
from mlgen.errors import (
    DestinationError,
    EnvironmentProblem,
    GateFailed,
    InputError,
    OverBudget,
    ToolError,
    UpdateConflict,
)
from mlgen.frameworks import FRAMEWORKS
from mlgen.workspace import (
    critical,
    edited,
    phase,
    read_manifest,
    resolve_dest,
    scratch,
    tree_files,
    write_manifest,
)

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
    if not dest.is_dir() or not any(dest.iterdir()):
        return
    if not force:
        raise DestinationError(
            f"{dest} is not empty; refusing to overwrite it",
            details=[
                "choose an empty or new DEST, or pass --force to write generated files over it "
                "(files mlgen does not generate are kept)"
            ],
        )
    if (dest / ".git").exists():
        from mlgen.render import git

        if git("status", "--porcelain", cwd=dest).strip():
            raise DestinationError(
                f"{dest} has uncommitted changes; --force will not write over them",
                details=["commit or stash them first (git stash), then run mlgen new --force again"],
            )


def _ensure_writable(path: Path) -> None:
    """Fail in one line when the nearest existing folder of ``path`` cannot be written."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        raise EnvironmentProblem(
            f"cannot write in {existing}: permission denied", details=["choose a DEST in a folder you can write"]
        )


class _Step:
    """The outcome word of a step in progress (``done`` unless the step says otherwise)."""

    def __init__(self) -> None:
        self.result = "done"


@contextmanager
def progress(echo: Echo, label: str) -> Iterator[_Step]:
    """Echo ``label: started`` then ``label: <result> (<seconds>s)``, or ``failed`` on an error.

    Plain lines through ``echo``: a terminal, a CI log and a test all read the same text.
    """
    echo(f"{label}: started")
    step = _Step()
    start = time.monotonic()
    try:
        yield step
    except BaseException:
        echo(f"{label}: failed ({time.monotonic() - start:.1f}s)")
        raise
    echo(f"{label}: {step.result} ({time.monotonic() - start:.1f}s)")


def _project_roots(project: Path) -> list[tuple[str, Path]]:
    roots = []
    if (project / "infra" / "bootstrap").is_dir():
        roots.append(("infra/bootstrap", project / "infra" / "bootstrap"))
    envs = project / "infra" / "envs"
    if envs.is_dir():
        roots += [(f"infra/envs/{p.name}", p) for p in sorted(envs.iterdir()) if p.is_dir()]
    return roots


def validate_project(project: Path, echo: Echo) -> tuple[list[Any], str]:
    """terraform fmt/init/validate on every root; returns results and a note for the report.

    terraform runs in a private copy of ``infra/`` (without any ``.terraform/``), so the project's
    ``.terraform/`` folders, lock files and selected workspaces stay exactly as they were.
    """
    from mlgen.terraform import Terraform, terraform_binary

    if terraform_binary() is None:
        note = "terraform validate: not run (terraform not on PATH)"
        echo("terraform not found on PATH: skipping fmt/init/validate (the report says so)")
        return [], note
    tf = Terraform()
    results = []
    with tempfile.TemporaryDirectory(prefix="mlgen-validate-") as tmp:
        copy = Path(tmp) / "project"
        if (project / "infra").is_dir():
            shutil.copytree(
                project / "infra", copy / "infra", symlinks=True, ignore=shutil.ignore_patterns(".terraform")
            )
        try:
            for label, root in _project_roots(copy):
                with progress(echo, f"terraform validate {label}") as step:
                    result = tf.check_root(root, label=label)
                    step.result = "ok" if result.ok else "FAILED"
                results.append(result)
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
        with progress(echo, f"checkov scan ({len(roots)} roots)"):
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
    out = _reports_dir(project)
    reports = write_reports(result, gate, out, formats=set(formats), metadata=metadata)
    return result, gate, reports


def _reports_dir(project: Path) -> Path:
    """``docs/compliance`` of ``project``, or an :class:`EnvironmentProblem` when it cannot be a folder."""
    out = project / "docs" / "compliance"
    for path in (out.parent, out):
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise EnvironmentProblem(
                f"{path.relative_to(project).as_posix()} is not a folder; cannot write the compliance reports",
                details=["move it aside, then run mlgen check again"],
            )
    return out


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


def _move_into_place(
    staged: Path, dest: Path, *, previous: dict[str, str] | None, generated: dict[str, str]
) -> list[str]:
    """Move a finished tree into ``dest``; returns the no-longer-generated files kept for being edited.

    A new DEST is one rename; an empty DEST (perhaps the current folder) gets its entries renamed in,
    so the folder itself stays; with --force, generated files replace same-named ones one by one,
    files mlgen generated before and no longer generates are removed unless they were edited, and
    the user's other files are kept.
    """
    if not dest.exists():
        shutil.move(staged, dest)  # a rename: the scratch folder is beside dest
        return []
    if not any(dest.iterdir()):
        for child in sorted(staged.iterdir()):
            shutil.move(child, dest / child.name)  # renames, or copies from mlgen's data folder
        return []
    stale = sorted(set(previous or {}) - set(generated))
    kept = edited(dest, stale, previous)
    for rel in stale:
        if rel not in kept and (dest / rel).is_file():
            (dest / rel).unlink()
            _prune_empty_parents(dest / rel, dest)
    for src in sorted(staged.rglob("*")):
        rel = src.relative_to(staged)
        if rel.parts[0] == ".git":
            continue
        target = dest / rel
        if src.is_dir() and not src.is_symlink():
            target.mkdir(parents=True, exist_ok=True)
            continue
        tmp = target.with_name(f".{target.name}.mlgen-tmp")
        shutil.copy2(src, tmp, follow_symlinks=False)
        os.replace(tmp, target)
    if (staged / ".git").exists() and not (dest / ".git").exists():
        shutil.move(staged / ".git", dest / ".git")
    return kept


def _prune_empty_parents(path: Path, top: Path) -> None:
    parent = path.parent
    while parent != top and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


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
    """Generate a project at ``dest``. Nothing is written unless every step succeeds.

    The project is rendered, checked and committed in a scratch folder beside ``dest`` (under a
    lock on ``dest``) and moved into place at the end; an error or a signal leaves ``dest`` as it
    was. With ``force``, a git DEST must be clean.
    """
    from mlgen.render import copier_data, mlgen_home, render

    dest = resolve_dest(dest)
    _check_destination(dest, force)
    if use_git and shutil.which("git") is None:
        raise ToolError("git is not on PATH", details=["install git, or pass --no-git"])
    bp = plan(answers)
    ensure_budget(bp, allow_over_budget=allow_over_budget)
    answers_data = answers_to_data(answers)
    bp_data = bp.model_dump(mode="json")
    outcome = None
    failure: GateFailed | ToolError | None = None
    _ensure_writable(dest if dest.is_dir() else dest.parent)
    mlgen_home()  # an unusable MLGEN_HOME is refused before any phase starts (one error line)
    with scratch(dest, "new", echo) as work:
        _check_destination(dest, force)  # again, now that no other mlgen can change it
        previous = read_manifest(dest) if dest.is_dir() else None
        staged = work / "project"
        with progress(echo, "render"):
            render(staged, copier_data(answers_data, bp_data))
        generated = tree_files(staged)
        write_manifest(staged, generated)
        phase("rendered")
        if check:
            outcome = run_checks(staged, bp_data, answers_data, echo=echo)
            try:
                _raise_for(outcome)
            except (GateFailed, ToolError) as exc:
                # The project is complete; write it so the report can be read, then fail.
                failure = exc
        phase("checked")
        if use_git and not (dest / ".git").exists():
            _git_commit_all(staged, f"Initial project from mlgen {__version__}")
        phase("committed")
        with critical():
            phase("moving")
            kept = _move_into_place(staged, dest, previous=previous, generated=generated)
    phase("moved")
    echo(f"wrote {dest}")
    for rel in kept:
        echo(f"kept {rel}: mlgen no longer generates it, but you edited it")
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
    fix = f"restore it from git (git checkout -- {ANSWERS_FILE}) or regenerate the project with mlgen new"
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8")) or {}
    except UnicodeDecodeError as exc:
        raise InputError(f"{ANSWERS_FILE}: invalid UTF-8 at byte {exc.start}", details=[fix]) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise InputError(f"{ANSWERS_FILE}: not valid YAML{line}", details=[fix]) from None
    if not isinstance(data, dict) or not isinstance(data.get("mlgen_answers", {}), dict):
        raise InputError(f"{ANSWERS_FILE}: mlgen_answers must be a mapping", details=[fix])
    if not isinstance(data.get("blueprint", {}), dict):
        raise InputError(f"{ANSWERS_FILE}: blueprint must be a mapping", details=[fix])
    return dict(data.get("mlgen_answers") or {}), dict(data.get("blueprint") or {})


def project_answers(
    project: Path, answers_file: Path | None = None, overrides: tuple[str, ...] = (), *, replace: bool = False
) -> Answers:
    """A project's recorded answers with an answers file merged on top, then ``--set`` overrides.

    The answers file is merged into the recorded answers (sections recursively, lists and values
    replaced); with ``replace`` it replaces them, so anything it leaves out returns to the default.
    """
    recorded, _ = read_project(project)
    base = recorded
    if answers_file is not None:
        given = read_answers_file(answers_file)
        base = given if replace else deep_merge(recorded, given)
    return build_answers(deep_merge(base, parse_set(list(overrides))))


def check(
    project: Path,
    *,
    frameworks: list[str] | None,
    formats: tuple[str, ...],
    fail_on: str | None,
    echo: Echo = print,
    plan: bool = False,
) -> CheckOutcome:
    """Re-validate and re-scan a project after its team edited it.

    Only ``docs/compliance/`` is written; terraform runs on a private copy of ``infra/``. With
    ``plan``, every root's plan is also scanned (:func:`mlgen.compliance.plan_scan.run`): HCL
    failures the planned values pass are resolved, failures only in the plan fail the gate, and
    ``plan-diff.md`` / ``plan-diff.json`` list the difference.
    """
    project = resolve_dest(project)
    answers_data, bp_data = read_project(project)
    unknown = sorted(set(formats) - set(FORMATS))
    known = set(FRAMEWORKS)
    if frameworks and set(frameworks) - known:
        raise InputError(
            f"unknown framework(s): {', '.join(sorted(set(frameworks) - known))}",
            details=[f"--framework: choose from {', '.join(sorted(known))}"],
        )
    if unknown:
        raise InputError(
            f"unknown report format(s): {', '.join(unknown)}", details=[f"--format: choose from {', '.join(FORMATS)}"]
        )
    _reports_dir(project)
    with scratch(project, "check", echo):
        outcome = run_checks(
            project,
            bp_data,
            answers_data,
            echo=echo,
            frameworks=frameworks,
            formats=tuple(dict.fromkeys((*formats, "json"))) if plan else formats,
            fail_on=fail_on,
        )
    if plan and outcome.validation_ok:
        from mlgen.compliance.plan_scan import run as plan_scan

        echo("plan scan: planning every root offline against mock AWS endpoints (tens of seconds per root)")
        diff = plan_scan(project, gate_plan_only=True)
        outcome.gate = diff.gate
        echo(
            f"plan scan: {len(diff.roots)} roots planned, {len(diff.resolved)} HCL failures resolved, "
            f"{len(diff.plan_only_failed)} failures only in the plan — "
            f"gate {'PASSED' if diff.gate.passed else 'FAILED'}; see docs/compliance/plan-diff.md"
        )
        for root, error in sorted(diff.errors.items()):
            echo(f"plan scan: {root}: not planned: {error}")
        if diff.errors:
            raise ToolError(
                "plan scan failed for some roots", details=[f"{r}: {e}" for r, e in sorted(diff.errors.items())]
            )
    _raise_for(outcome)
    return outcome


def _changed_paths(clone: Path, base: str) -> list[tuple[str, str]]:
    """``(status, path)`` of every change in ``clone`` (staged) against commit ``base``."""
    from mlgen.render import git

    git("add", "-A", cwd=clone)
    fields = git("diff", "--cached", "--name-status", "--no-renames", "-z", base, cwd=clone).split("\0")
    return [(fields[i], fields[i + 1]) for i in range(0, len(fields) - 1, 2)]


def _updated_manifest(
    clone: Path,
    work: Path,
    data: dict[str, Any],
    previous: dict[str, str] | None,
    changes: list[tuple[str, str]],
    project: Path,
) -> dict[str, str]:
    """The generated files after an update, and their generated content's digest.

    A file the user had edited keeps its old digest (so it still counts as edited); an unedited or
    new one gets the merged content's. A project from before the manifest is rendered afresh.
    """
    from mlgen.render import render

    if previous is None:
        fresh = work / "fresh"
        render(fresh, data)
        return tree_files(fresh)
    added = {path for status, path in changes if status == "A"}
    deleted = {path for status, path in changes if status == "D"}
    user_edited = set(edited(project, sorted(set(previous) - deleted), previous))
    current = tree_files(clone)
    return {
        rel: previous[rel] if rel in user_edited else digest
        for rel, digest in current.items()
        if rel in added or rel in previous
    }


def update(
    project: Path,
    *,
    answers_file: Path | None,
    overrides: tuple[str, ...],
    replace_answers: bool = False,
    check: bool = True,
    allow_over_budget: bool = False,
    yes: bool = False,
    confirm: Callable[[list[str]], bool] | None = None,
    echo: Echo = print,
) -> list[str]:
    """copier update with this mlgen's template and (changed) answers; returns conflicted files.

    The update runs in a clone of the project (in a scratch folder beside it, under a lock): copier
    merges there, then the checks run there. Only when all of that succeeded is the change applied
    to the project's working tree, in one ``git apply`` (index and commits untouched). Any error or
    signal before that leaves the project exactly as it was. Conflicts are kept inline (both sides
    between markers) and raise :class:`UpdateConflict` after the tree is updated. Files mlgen would
    delete that the user edited are listed and need ``yes`` or ``confirm(paths)``.
    """
    from mlgen.render import copier_data, git
    from mlgen.render import update as render_update

    project = resolve_dest(project)
    if not (project / ".git").exists():
        raise InputError(f"{project} is not a git repository", details=["mlgen update needs the project's git history"])
    answers = project_answers(project, answers_file, overrides, replace=replace_answers)
    bp = plan(answers)
    ensure_budget(bp, allow_over_budget=allow_over_budget)
    answers_data = answers_to_data(answers)
    bp_data = bp.model_dump(mode="json")
    data = copier_data(answers_data, bp_data)
    with scratch(project, "update", echo) as work:
        if git("status", "--porcelain", cwd=project).strip():
            raise InputError(
                f"{project} has uncommitted changes",
                details=["commit or stash them first (git stash), then run mlgen update again"],
            )
        base = git("rev-parse", "HEAD", cwd=project).strip()
        clone = work / "clone"
        git("clone", "-q", str(project), str(clone), cwd=work)
        git("checkout", "-q", "--detach", base, cwd=clone)
        phase("cloned")
        with progress(echo, "render (copier update)"):
            render_update(clone, data)
        phase("merged")
        changes = _changed_paths(clone, base)
        deleted = [path for status, path in changes if status == "D"]
        previous = read_manifest(project)
        lost = edited(project, deleted, previous)
        if lost and not yes and not (confirm is not None and confirm(lost)):
            raise InputError(
                f"this update would delete {len(lost)} file(s) that you edited; nothing was changed",
                details=[*lost, "pass --yes to delete them, or save your edits elsewhere first"],
            )
        write_manifest(clone, _updated_manifest(clone, work, data, previous, changes, project))
        conflicts = conflicted_files(clone)
        if check and not conflicts:
            outcome = run_checks(clone, bp_data, answers_data, echo=echo)
            try:
                _raise_for(outcome)
            except (GateFailed, ToolError) as exc:
                exc.details.append("nothing was changed; pass --no-check to apply the update anyway and inspect it")
                raise
        phase("checked")
        _changed_paths(clone, base)
        patch = work / "update.patch"
        git(
            "diff",
            "--cached",
            "--binary",
            "--no-renames",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            f"--output={patch}",
            base,
            cwd=clone,
        )
        if patch.stat().st_size:
            with critical():
                phase("applying")
                git("apply", "--whitespace=nowarn", str(patch), cwd=project)
    phase("applied")
    if conflicts:
        raise UpdateConflict(
            f"update merged with conflicts in {len(conflicts)} file(s); both sides are kept between "
            "<<<<<<< and >>>>>>> markers",
            details=[*conflicts, "keep what you want in each, remove the markers, commit, then run mlgen check"],
        )
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


_CI_REFERENCE = re.compile(r"\$\{\{\s*(vars|secrets)\.([A-Za-z0-9_]+)\s*\}\}")
_GH_VARIABLE = re.compile(r"gh variable set ([A-Za-z0-9_]+)\b.*?output -raw ([A-Za-z0-9_]+)", re.DOTALL)


def ci_settings(project: Path) -> tuple[list[str], list[str], dict[str, str]]:
    """The GitHub variables and secrets the project's workflows read, and each variable's source.

    Read from ``.github/workflows/*.yml`` (``${{ vars.X }}`` / ``${{ secrets.X }}``, without the
    ``GITHUB_TOKEN`` GitHub provides); the source is the ``infra/bootstrap`` output the Makefile's
    ``github-vars`` target stores in each variable.
    """
    found: dict[str, set[str]] = {"vars": set(), "secrets": set()}
    workflows = project / ".github" / "workflows"
    for path in sorted(workflows.glob("*.yml")) if workflows.is_dir() else []:
        for kind, name in _CI_REFERENCE.findall(path.read_text(encoding="utf-8")):
            found[kind].add(name)
    found["secrets"].discard("GITHUB_TOKEN")
    makefile = project / "Makefile"
    sources = dict(_GH_VARIABLE.findall(makefile.read_text(encoding="utf-8"))) if makefile.is_file() else {}
    return sorted(found["vars"]), sorted(found["secrets"]), sources


def next_steps(project: Path, shown: str | None = None) -> list[str]:
    """What to do after ``mlgen new``, as plain lines read from the generated project.

    ``shown`` is how the project's folder is written in the ``cd`` line (default: its path).
    """
    _, bp_data = read_project(project)
    envs = [e["name"] for e in bp_data.get("environments") or []]
    repo = (bp_data.get("project") or {}).get("github_repository")
    lines = ["", "Next:", f"  cd {shlex.quote(shown if shown is not None else str(project))}"]
    lines.append("  make help")
    if (project / "infra" / "bootstrap").is_dir():
        lines.append("  terraform -chdir=infra/bootstrap init && terraform -chdir=infra/bootstrap apply")
    if envs:
        # A root owning its account's singletons goes first (in a shared account: the primary one), so no
        # service creates /aws/sagemaker/TrainingJobs unencrypted before Terraform does.
        env_data = bp_data.get("environments") or []
        first = next((e["name"] for e in env_data if e.get("owns_account_layer", True)), envs[0])
        lines.append(f"  make backend ENV={first}")
        lines.append(
            f"  terraform -chdir=infra/envs/{first} init -backend-config=backend.hcl"
            f" && terraform -chdir=infra/envs/{first} apply"
        )
    if repo:
        variables, secrets, sources = ci_settings(project)
        if variables:
            lines.append(f"CI ({repo}): set these GitHub Actions variables from the infra/bootstrap outputs:")
            for name in variables:
                output = sources.get(name)
                source = f"terraform -chdir=infra/bootstrap output -raw {output}" if output else "set by hand"
                lines.append(f"  {name}  ({source})")
            if sources:
                lines.append("  or all at once with the gh CLI: make github-vars")
        if secrets:
            lines.append(f"CI ({repo}): set these GitHub Actions secrets: {', '.join(secrets)}")
    report = project / "docs" / "compliance" / "report.md"
    if report.is_file():
        lines.append("Compliance report: docs/compliance/report.md (re-run with `mlgen check`)")
    else:
        lines.append("Compliance report: not written (checks skipped); run `mlgen check` to write docs/compliance/")
    cost = "docs/cost.md and `mlgen cost`" if (project / "docs" / "cost.md").is_file() else "`mlgen cost`"
    lines.append(f"Monthly cost estimate: {cost}")
    return lines
