"""Render a blueprint into a project with Copier, from a git-versioned template source.

Copier's update needs the template as a git repository whose tags name versions. mlgen builds that
repository itself from the files it ships (``templates/`` + ``modules/aws/``): one commit per
distinct template content, tagged ``v<mlgen version>+<content digest>``, at a stable per-user path
(``$MLGEN_HOME/template``, default ``~/.local/share/mlgen/template``). A project records that tag
as ``_commit``; a later mlgen adds its own tag to the same repository, so ``copier update`` can
render both versions for its three-way merge — offline.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlgen import __version__
from mlgen.errors import ToolError
from mlgen.resources import modules_dir, templates_dir
from mlgen.workspace import phase

MAX_ENVIRONMENTS = 5
MAX_DECISIONS = 20
ENV_FILES = (
    ".terraform.lock.hcl",
    "backend.tf",
    "main.tf",
    "outputs.tf",
    "providers.tf",
    "terraform.tfvars",
    "variables.tf",
    "versions.tf",
    "zones.tf",
    "tests/env.tftest.hcl",
)
BOOTSTRAP_FILES = ("main.tf", "outputs.tf", "providers.tf", "variables.tf", "terraform.tfvars", "versions.tf")
_GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "mlgen",
    "GIT_AUTHOR_EMAIL": "mlgen@localhost",
    "GIT_COMMITTER_NAME": "mlgen",
    "GIT_COMMITTER_EMAIL": "mlgen@localhost",
}


HOME_MARKER = ".mlgen-home"
_LEGACY_HOME_ENTRIES = {"template", "template.lock"}


def mlgen_home() -> Path:
    """Where mlgen keeps its materialised template repository (created, and marked, when missing).

    mlgen writes only into a folder carrying its marker file (``.mlgen-home``): a new or empty
    folder is claimed; any other folder is refused, so ``MLGEN_HOME`` pointing at someone's work is
    never emptied or committed into.
    """
    explicit = os.environ.get("MLGEN_HOME")
    if explicit:
        home, what = Path(explicit).expanduser(), "MLGEN_HOME"
    else:
        base = os.environ.get("XDG_DATA_HOME") or "~/.local/share"
        home, what = Path(base).expanduser() / "mlgen", "mlgen's data folder"
    _claim_home(home, what)
    return home


def _is_legacy_home(home: Path) -> bool:
    """A folder written by an mlgen from before the marker: only a template repository of its own."""
    names = {child.name for child in home.iterdir()}
    if not names or not names <= _LEGACY_HOME_ENTRIES or not (home / "template" / ".git").is_dir():
        return False
    if shutil.which("git") is None:
        return False
    proc = subprocess.run(
        ["git", "log", "--format=%an %s"], cwd=home / "template", capture_output=True, text=True, check=False
    )
    subjects = proc.stdout.splitlines()
    return proc.returncode == 0 and bool(subjects) and all(s.startswith("mlgen mlgen template v") for s in subjects)


def _claim_home(home: Path, what: str) -> None:
    from mlgen.errors import EnvironmentProblem

    fix = "set MLGEN_HOME to a new or empty folder mlgen may use"
    if (home / HOME_MARKER).is_file():
        return
    try:
        if home.exists() and not home.is_dir():
            raise EnvironmentProblem(f"{what} {home} is not a folder", details=[fix])
        if home.is_dir() and any(home.iterdir()) and not _is_legacy_home(home):
            raise EnvironmentProblem(
                f"{what} {home} is not empty and has no {HOME_MARKER} marker; mlgen will not write into it",
                details=[fix],
            )
        home.mkdir(parents=True, exist_ok=True)
        (home / HOME_MARKER).write_text("mlgen keeps its template repository here; safe to delete.\n")
    except OSError as exc:
        if isinstance(exc, EnvironmentProblem):
            raise
        raise EnvironmentProblem(f"cannot use {what} {home}: {exc.strerror or exc}", details=[fix]) from exc


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run git, raising :class:`ToolError` with its message on failure."""
    if shutil.which("git") is None:
        raise ToolError("git is not on PATH", details=["install git, or pass --no-git"])
    full_env = {**os.environ, **_GIT_IDENTITY, **(env or {})}
    # A user's hooks or signing settings must not run inside mlgen's own commits.
    pre = ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgSign=false", "-c", "tag.gpgSign=false"]
    proc = subprocess.run(["git", *pre, *args], cwd=cwd, env=full_env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ToolError(
            f"git {args[0]} failed in {cwd}", details=(proc.stderr or proc.stdout).strip().splitlines()[-10:]
        )
    return proc.stdout


def _slot_dir(collection: str, index: int, name_expr: str) -> str:
    return f"{{% if blueprint.{collection}|length > {index} %}}{name_expr}{{% endif %}}"


def stage_template(dest: Path) -> None:
    """Assemble the Copier template mlgen renders from, into ``dest`` (deterministic)."""
    src = templates_dir()
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"), dirs_exist_ok=True)
    project = dest / "project"
    # One slot directory per possible environment; each file includes the shared partial with `env` set.
    for i in range(MAX_ENVIRONMENTS):
        env_dir = (
            project / "infra" / "envs" / _slot_dir("environments", i, f"{{{{ blueprint.environments[{i}].name }}}}")
        )
        for rel in ENV_FILES:
            target = env_dir / f"{rel}.jinja"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(
                f"{{% set env = blueprint.environments[{i}] %}}{{% include '_partials/env/{rel}.jinja' %}}",
                encoding="utf-8",
            )
    for i in range(MAX_DECISIONS):
        name = _slot_dir("decisions", i, f"{i + 1:04d}-{{{{ blueprint.decisions[{i}].id }}}}.md")
        (project / "docs" / "decisions").mkdir(parents=True, exist_ok=True)
        (project / "docs" / "decisions" / f"{name}.jinja").write_text(
            f"{{% set decision = blueprint.decisions[{i}] %}}{{% set number = {i + 1} %}}"
            "{% include '_partials/decision.md.jinja' %}",
            encoding="utf-8",
        )
    # Each module is copied only when the blueprint uses it.
    for module in sorted(p for p in (modules_dir() / "aws").iterdir() if p.is_dir()):
        target = (
            project
            / "infra"
            / "modules"
            / f"{{% if '{module.name}' in blueprint.module_sources %}}{module.name}{{% endif %}}"
        )
        shutil.copytree(
            module, target, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*")
        )


def _digest(tree: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in tree.rglob("*") if p.is_file() and ".git" not in p.relative_to(tree).parts):
        h.update(path.relative_to(tree).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:12]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def template_source(version: str | None = None) -> tuple[Path, str]:
    """The template repository and the tag of this mlgen's template (created when missing).

    Tags are ``v<version>+<n>.g<digest>``: the counter keeps PEP 440 order increasing when the same
    version's template content changes (development installs), so Copier never sees a downgrade.
    """
    version = version or __version__
    home = mlgen_home()
    repo = home / "template"
    with tempfile.TemporaryDirectory(prefix="mlgen-stage-") as tmp:
        staged = Path(tmp) / "t"
        stage_template(staged)
        phase("template-staged")
        digest = _digest(staged)
        with _locked(home / "template.lock"):
            if not (repo / ".git").is_dir():
                repo.mkdir(parents=True, exist_ok=True)
                git("init", "-q", "-b", "main", cwd=repo)
            same_version = git("tag", "--list", f"v{version}+*", cwd=repo).split()
            existing = [t for t in same_version if t.endswith(f".g{digest}")]
            tag = existing[0] if existing else f"v{version}+{len(same_version) + 1}.g{digest}"
            if not existing:
                for child in repo.iterdir():
                    if child.name != ".git":
                        shutil.rmtree(child) if child.is_dir() else child.unlink()
                shutil.copytree(staged, repo, dirs_exist_ok=True)
                git("add", "-A", cwd=repo)
                fixed = {"GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
                git("commit", "-q", "--allow-empty", "-m", f"mlgen template {tag}", cwd=repo, env=fixed)
                git("tag", tag, cwd=repo)
    return repo, tag


def copier_data(answers_data: dict[str, Any], blueprint_data: dict[str, Any]) -> dict[str, Any]:
    """The two values the template receives (and records).

    Keys are sorted exactly as Copier sorts them when it records answers, so a render from fresh
    data and a re-render from the recorded answers (what ``copier update`` diffs against) agree.
    """
    import yaml

    data = {"mlgen_answers": answers_data, "blueprint": blueprint_data}
    return dict(yaml.safe_load(yaml.safe_dump(data, sort_keys=True)))


def _recorded_path(repo: Path) -> str:
    """The template path as recorded in projects: ``~/…`` when under the home folder."""
    try:
        return "~/" + repo.resolve().relative_to(Path.home().resolve()).as_posix()
    except ValueError:
        return str(repo)


def render(dest: Path, data: dict[str, Any]) -> None:
    """Render a fresh project into ``dest`` (an empty folder).

    Without git on PATH the template is rendered from a plain folder: the project is complete but
    records no template version, so ``mlgen update`` cannot merge into it later.
    """
    import copier  # heavy: imported only when rendering

    if shutil.which("git") is None:
        with tempfile.TemporaryDirectory(prefix="mlgen-plain-") as tmp:
            stage_template(Path(tmp) / "t")
            copier.run_copy(
                str(Path(tmp) / "t"), str(dest), data=data, defaults=True, overwrite=True, quiet=True, unsafe=True
            )
        return
    repo, tag = template_source()
    # unsafe=True: the template is mlgen's own (it loads mlgen.hcl as a Jinja extension).
    copier.run_copy(
        _recorded_path(repo), str(dest), data=data, vcs_ref=tag, defaults=True, overwrite=True, quiet=True, unsafe=True
    )


def update(dest: Path, data: dict[str, Any], *, conflict: str = "inline") -> None:
    """Re-apply this mlgen's template with ``data`` to an existing project (copier update)."""
    import copier

    _, tag = template_source()
    # The template path comes from the project's recorded _src_path (the same per-user repository).
    copier.run_update(
        str(dest),
        data=data,
        vcs_ref=tag,
        defaults=True,
        overwrite=True,
        quiet=True,
        unsafe=True,
        conflict=conflict,
        skip_answered=True,
    )
