"""Keeping a user's folder safe while a command writes it.

Every command that writes a project works like this:

- it takes a **lock** beside the destination (``.<name>.mlgen-lock``), so a second mlgen on the same
  folder stops with exit 2 instead of mixing two trees;
- it works in a **scratch folder** beside the destination (``.mlgen-<kind>-…``, with a marker naming
  the destination). While the scratch folder exists, Python's :mod:`tempfile` and ``TMPDIR`` point
  into it, so Copier, Checkov and terraform leave nothing in the system temp folder; a scratch folder
  left by a killed run is removed by the next run on the same destination;
- the user's tree changes only in a short **critical** step at the end, during which SIGINT and
  SIGTERM are held back until the step is complete;
- it records which files mlgen **generated** (``.mlgen/generated.json``: path → sha256), so later
  runs can tell generated files from the user's edits.

Tests drive the phases through :func:`phase`: ``MLGEN_TEST_PHASES`` names a folder where each phase
leaves an empty file, and ``MLGEN_TEST_PAUSE`` names a phase at which the process sleeps (so a test
can kill it there).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from mlgen.errors import DestinationError, EnvironmentProblem, InputError, Interrupted, Terminated

MARKER = ".mlgen-scratch.json"
SCRATCH_PREFIX = ".mlgen-"
MANIFEST = ".mlgen/generated.json"
ANSWERS = ".copier-answers.yml"
PHASES_ENV = "MLGEN_TEST_PHASES"
PAUSE_ENV = "MLGEN_TEST_PAUSE"

Echo = Callable[[str], None]


def phase(name: str) -> None:
    """Test hook: mark that ``name`` was reached, and pause there when asked to."""
    folder = os.environ.get(PHASES_ENV)
    if folder:
        Path(folder, name).touch()
    if os.environ.get(PAUSE_ENV) == name:
        time.sleep(float(os.environ.get("MLGEN_TEST_PAUSE_SECONDS", "60")))


def scratch_base(dest: Path) -> Path:
    """Where ``dest``'s lock and scratch folders live: beside it, or, when its parent is read-only
    (a project in a folder the user cannot write), in mlgen's own data folder."""
    if not dest.parent.exists() or os.access(dest.parent, os.W_OK | os.X_OK):
        return dest.parent
    from mlgen.render import mlgen_home

    return mlgen_home() / "scratch"


def lock_path(dest: Path) -> Path:
    """The lock file guarding ``dest`` (beside it, so it works before ``dest`` exists)."""
    base = scratch_base(dest)
    if base == dest.parent:
        return base / f".{dest.name}.mlgen-lock"
    return base / f".{hashlib.sha256(str(dest).encode()).hexdigest()[:16]}.mlgen-lock"


@contextlib.contextmanager
def dest_lock(dest: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``dest``; raise :class:`Busy` when another mlgen holds it."""
    path = lock_path(dest)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise Busy(
                f"another mlgen is already working on {dest}",
                details=[f"wait for it to finish (it holds {path}), then run this again"],
            ) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the previous holder removed the file between our open and our lock: retry
    try:
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


class Busy(InputError):
    """Another mlgen run holds the destination's lock. Exit 2."""


def clean_stale(dest: Path, echo: Echo) -> None:
    """Remove scratch folders a killed run left beside ``dest`` (call while holding its lock)."""
    with contextlib.suppress(OSError):
        for child in scratch_base(dest).iterdir():
            if not child.name.startswith(SCRATCH_PREFIX) or not child.is_dir() or child.is_symlink():
                continue
            try:
                owner = json.loads((child / MARKER).read_text(encoding="utf-8")).get("dest")
            except (OSError, ValueError, AttributeError):
                continue
            if owner == str(dest):
                shutil.rmtree(child, ignore_errors=True)
                echo(f"removed {child.name}, left beside {dest.name} by an interrupted mlgen run")


@contextlib.contextmanager
def private_tmp(folder: Path) -> Iterator[None]:
    """Point :mod:`tempfile` and ``TMPDIR`` (for subprocesses) at ``folder`` while inside."""
    folder.mkdir(parents=True, exist_ok=True)
    old_tempdir, old_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = old_tempdir
        if old_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = old_env


@contextlib.contextmanager
def scratch(dest: Path, kind: str, echo: Echo) -> Iterator[Path]:
    """Lock ``dest``, clean stale scratch folders, and yield a fresh private one beside it.

    Everything (including other libraries' temporary files) lives in it and is removed at the end.
    """
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        base = scratch_base(dest)
        base.mkdir(parents=True, exist_ok=True)
        os.close(os.open(lock_path(dest), os.O_RDWR | os.O_CREAT, 0o644))
    except EnvironmentProblem:
        raise
    except OSError as exc:
        raise EnvironmentProblem(
            f"cannot write beside {dest} (in {dest.parent}): {exc.strerror or exc}",
            details=["mlgen keeps its lock and scratch folder beside DEST; choose a folder you can write"],
        ) from exc
    with dest_lock(dest):
        clean_stale(dest, echo)
        work = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{kind}-", dir=base))
        try:
            (work / MARKER).write_text(json.dumps({"dest": str(dest), "pid": os.getpid()}), encoding="utf-8")
            with private_tmp(work / "tmp"):
                yield work
        finally:
            shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def critical() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the user's tree is being changed."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (ValueError, OSError):  # not the main thread
        yield
        return
    try:
        yield
    finally:
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)  # a held signal is handled here
        except (KeyboardInterrupt, Terminated) as exc:
            stopped = Interrupted(
                f"{'interrupted (Ctrl-C)' if isinstance(exc, KeyboardInterrupt) else 'terminated (SIGTERM)'} "
                "while the project was being changed; that change was completed first"
            )
            stopped.exit_code = 130 if isinstance(exc, KeyboardInterrupt) else 143
            raise stopped from None


def sha256(path: Path) -> str:
    """Hex digest of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_files(root: Path) -> dict[str, str]:
    """``relative path → sha256`` of every file below ``root`` but ``.git``, the manifest and the answers.

    ``.copier-answers.yml`` is left out: it is always rewritten, and it names the per-user template
    location, so its digest would differ from machine to machine.
    """
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] == ".git" or rel.as_posix() in (MANIFEST, ANSWERS):
            continue
        if path.is_file() or path.is_symlink():
            found[rel.as_posix()] = sha256(path) if path.is_file() else ""
    return found


def write_manifest(root: Path, files: dict[str, str]) -> None:
    """Record ``files`` (what mlgen generated) in ``root``'s manifest."""
    path = root / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "about": "Files mlgen generated and their sha256, so mlgen can tell them from your edits.",
        "files": files,
    }
    path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_manifest(root: Path) -> dict[str, str] | None:
    """The generated files recorded in ``root``, or None when there is no (readable) manifest."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else None


def edited(root: Path, paths: list[str], manifest: dict[str, str] | None) -> list[str]:
    """Those of ``paths`` (existing files below ``root``) whose content is not what mlgen generated."""
    out = []
    for rel in paths:
        path = root / rel
        if not path.is_file():
            continue
        if manifest is None or manifest.get(rel) != sha256(path):
            out.append(rel)
    return out


def resolve_dest(dest: Path) -> Path:
    """``dest`` made absolute with symlinks followed, or a :class:`DestinationError` in one line."""
    try:
        resolved = dest.expanduser().resolve()
    except (OSError, RuntimeError) as exc:
        raise DestinationError(f"cannot use {dest}: {exc}") from exc
    for parent in resolved.parents:
        if parent.exists() and not parent.is_dir():
            raise DestinationError(
                f"{dest} is inside {parent}, which is a file, not a folder", details=["choose another DEST"]
            )
    try:
        os.stat(resolved)
    except FileNotFoundError:
        pass
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise DestinationError(f"{dest}: the path is too long for this system") from exc
        raise DestinationError(f"cannot use {dest}: {exc.strerror}") from exc
    if len(os.fsencode(resolved.name)) > 200:  # leave room for scratch and lock names beside it
        raise DestinationError(f"{dest}: the folder name is too long (at most 200 bytes)")
    return resolved
