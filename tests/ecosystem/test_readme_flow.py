"""The README's two commands, in order, in one fresh venv — then `mlgen new --defaults` still works.

This is the newcomer's first hour: `pip install . && mlgen new demo-ml --defaults`, then
`pip install -e '.[test]' && python -m pytest -n 2`. A test extra that shadows a package Checkov
needs (python-hcl2 over bc-python-hcl2's `hcl2`) breaks Checkov only on the *second* install, which
a single `pip install -e '.[test]'` hides; so the commands run exactly as the README writes them,
one after the other, in a venv of their own. The only change: the second command's pytest collects
the suite (`--collect-only`, every test module imports with the test extra) instead of running it,
since this test is part of that suite. Then no two installed distributions may claim the same file
(pip installs the clashing pair in either order — on this machine bc-python-hcl2 happened to land
last, hiding the break), and `mlgen new --defaults` must pass again, with the Checkov scan, and with
terraform when it is on PATH.

The first command runs with terraform hidden from PATH (the README promises it works without
terraform) and the last with terraform when the machine has it (and its provider mirror, through
mlgen's own CLI config). pip's cache is reused, so a warm run takes 2-4 minutes.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlgen.terraform import cli_config_env

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.checkov]

# A checkout: everything at the top of the repository but git's own data and local caches.
_SKIP = {".git", ".venv", "venv", ".pytest_cache", ".ruff_cache", ".hypothesis", "build", "dist", "demo-ml"}
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".terraform", "*.egg-info", ".pytest_cache", ".hypothesis")


def readme_commands(readme: Path) -> list[str]:
    """The commands of the README's first bash block, one per non-empty line."""
    match = re.search(r"```bash\n(.*?)```", readme.read_text(encoding="utf-8"), re.S)
    assert match, "README.md has no ```bash block"
    return [line.strip() for line in match.group(1).splitlines() if line.strip()]


def _steps(command: str) -> list[list[str]]:
    """A `a && b` command line as argument lists (the README uses nothing but `&&`)."""
    assert not re.search(r"[|;<>`$]", command), f"unexpected shell syntax in README command: {command}"
    return [shlex.split(part) for part in command.split("&&")]


# Files that two installed distributions both claim: the later install silently replaced the
# earlier one's (python-hcl2 and Checkov's bc-python-hcl2 both ship `hcl2/`). Whether Checkov then
# breaks depends on the order pip happens to install them in; the clash itself does not.
_CLASHES = """
import importlib.metadata as md
from collections import defaultdict
owners = defaultdict(set)
for dist in md.distributions():
    for f in dist.files or ():
        p = str(f)
        if "__pycache__" not in p and ".dist-info/" not in p and not p.startswith(".."):
            owners[p].add(dist.metadata["Name"])
for p, names in sorted(owners.items()):
    if len(names) > 1:
        print(p + ": " + ", ".join(sorted(names)))
"""


def _path_without(tool: str) -> str:
    """PATH with every directory that holds ``tool`` removed."""
    return os.pathsep.join(
        d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not (Path(d) / tool).exists()
    )


def _run(argv: list[str], cwd: Path, env: dict[str, str], timeout: int) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, (
        f"`{shlex.join(argv)}` exited {proc.returncode}:\n{(proc.stdout + proc.stderr)[-4000:]}"
    )
    return proc


def test_readme_commands_in_order_in_one_fresh_venv(tmp_path: Path) -> None:
    commands = readme_commands(REPO / "README.md")
    assert len(commands) == 2, commands
    assert commands[0].startswith("pip install . ") and "mlgen new demo-ml --defaults" in commands[0]
    assert commands[1].startswith("pip install -e '.[test]'") and commands[1].endswith("python -m pytest -n 2")

    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for src in sorted(REPO.iterdir()):
        name = src.name
        if name in _SKIP or name.endswith(".egg-info"):
            continue
        if src.is_dir():
            shutil.copytree(src, checkout / name, ignore=_IGNORE)
        else:
            shutil.copy2(src, checkout / name)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    (tmp_path / "tf").mkdir()
    env = {
        k: v
        for k, v in cli_config_env(tmp_path / "tf").items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PIP_NO_CACHE_DIR")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["MLGEN_HOME"] = str(tmp_path / "mlgen-home")
    env["XDG_CACHE_HOME"] = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")  # pip's cache
    env.setdefault("BC_SKIP_MAPPING", "TRUE")
    env.setdefault("CKV_SKIP_PACKAGE_UPDATE_CHECK", "TRUE")
    no_terraform = {**env, "PATH": _path_without("terraform")}

    # 1. `pip install . && mlgen new demo-ml --defaults`, on a machine without terraform.
    for argv in _steps(commands[0]):
        _run(argv, checkout, no_terraform, timeout=900)
    report = (checkout / "demo-ml" / "docs" / "compliance" / "report.md").read_text(encoding="utf-8")
    assert "**Gate: PASS**" in report
    assert "not run (terraform not on PATH)" in report

    # 2. `pip install -e '.[test]' && python -m pytest -n 2`: the install as written, then the suite
    #    collected (running it would run this test again).
    *installs, pytest_step = _steps(commands[1])
    for argv in installs:
        _run(argv, checkout, env, timeout=900)
    assert pytest_step[:3] == ["python", "-m", "pytest"], pytest_step
    collected = _run([*pytest_step, "--collect-only", "-q"], checkout, env, timeout=600)
    assert re.search(r"\d+ tests? collected", collected.stdout), collected.stdout[-2000:]

    clashes = _run([str(venv / "bin" / "python"), "-c", _CLASHES], checkout, env, 120).stdout.strip()
    assert clashes == "", f"installed packages overwrite each other's files:\n{clashes}"

    # 3. mlgen still works after the test install: a fresh project, validated and scanned.
    mlgen = venv / "bin" / "mlgen"
    imported = _run([str(venv / "bin" / "python"), "-c", "import mlgen; print(mlgen.__file__)"], checkout, env, 60)
    assert str(checkout / "generator") in imported.stdout, "the editable install is not the one imported"
    has_terraform = shutil.which("terraform", path=env["PATH"]) is not None
    _run([str(mlgen), "new", "after-test-install", "--defaults"], tmp_path, env, timeout=900)
    report = (tmp_path / "after-test-install" / "docs" / "compliance" / "report.md").read_text(encoding="utf-8")
    assert "**Gate: PASS**" in report
    if has_terraform:
        assert "0 errors" in report  # terraform validated every root
    else:
        assert "not run (terraform not on PATH)" in report
