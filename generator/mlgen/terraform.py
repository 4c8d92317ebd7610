"""A small wrapper around the terraform CLI (python-terraform is broken on Terraform 1.x).

Every call uses ``-chdir``, ``-input=false`` and ``-no-color``; ``validate`` parses ``-json``. The
provider mirror is configured by :func:`cli_config_env`: ``MLGEN_TF_PROVIDER_MIRROR`` (a folder
holding ``registry.terraform.io``) wins; otherwise a user's own ``TF_CLI_CONFIG_FILE`` is kept;
otherwise well-known mirror locations are searched; otherwise terraform uses the registry.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mlgen.errors import ToolError

MIRROR_ENV = "MLGEN_TF_PROVIDER_MIRROR"
_MIRROR_CANDIDATES = (
    "/opt/tf-plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)


# Terraform talks to each provider over a unix socket that the provider (go-plugin) creates in
# TMPDIR, and a socket path holds at most 107 bytes on Linux. mlgen points TMPDIR at its scratch
# folder beside DEST, which can be deep: every provider then fails to start ("Failed to read any
# lines from plugin's stdout"). terraform therefore gets its own short private TMPDIR.
SOCKET_TMPDIR_MAX = 64
_SHORT_TMP_BASES = ("/tmp", "/var/tmp", "/dev/shm")


def plugin_tmpdir() -> tempfile.TemporaryDirectory[str]:
    """A private temporary folder short enough for terraform's provider sockets."""
    for base in (tempfile.gettempdir(), *_SHORT_TMP_BASES):
        if len(base) <= SOCKET_TMPDIR_MAX and os.path.isdir(base) and os.access(base, os.W_OK | os.X_OK):
            return tempfile.TemporaryDirectory(prefix="mlgen-tf-", dir=base)
    raise ToolError(
        "no writable temporary folder short enough for terraform's provider sockets",
        details=[f"TMPDIR and {', '.join(_SHORT_TMP_BASES)}: over {SOCKET_TMPDIR_MAX} characters or not writable"],
    )


@dataclass(frozen=True)
class Diagnostic:
    """One ``terraform validate`` diagnostic."""

    severity: str
    summary: str
    detail: str = ""
    filename: str = ""
    line: int = 0

    def __str__(self) -> str:
        where = f"{self.filename}:{self.line}: " if self.filename else ""
        return f"{self.severity}: {where}{self.summary}" + (f" — {self.detail}" if self.detail else "")


@dataclass
class RootResult:
    """What validation found in one root."""

    root: str
    fmt_ok: bool = True
    fmt_files: list[str] = field(default_factory=list)
    init_ok: bool = True
    init_output: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def ok(self) -> bool:
        return self.fmt_ok and self.init_ok and not self.errors


def terraform_binary() -> str | None:
    """Path of terraform on PATH, or None."""
    return shutil.which("terraform")


def find_provider_mirror() -> Path | None:
    """The filesystem mirror root holding hashicorp/aws, if any is configured or found."""
    explicit = os.environ.get(MIRROR_ENV)
    if explicit:
        path = Path(explicit).expanduser()
        return path if (path / "registry.terraform.io").is_dir() else None
    for candidate in _MIRROR_CANDIDATES:
        path = Path(candidate).expanduser()
        if (path / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return path
    return None


def mirror_config(mirror: Path) -> str:
    """A terraform CLI config that installs hashicorp providers from ``mirror`` only."""
    return (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        '    include = ["registry.terraform.io/hashicorp/*"]\n'
        "  }\n"
        '  direct { exclude = ["registry.terraform.io/hashicorp/*"] }\n'
        "}\n"
    )


def cli_config_env(workdir: Path) -> dict[str, str]:
    """Environment for terraform: a mirror CLI config written under ``workdir`` when needed."""
    env = dict(os.environ)
    env.setdefault("CHECKPOINT_DISABLE", "1")
    env["TF_IN_AUTOMATION"] = "1"
    user_config = os.environ.get("TF_CLI_CONFIG_FILE")
    if os.environ.get(MIRROR_ENV) or not user_config or not Path(user_config).expanduser().is_file():
        mirror = find_provider_mirror()
        if mirror is not None:
            config = workdir / "terraform.rc"
            config.write_text(mirror_config(mirror), encoding="utf-8")
            env["TF_CLI_CONFIG_FILE"] = str(config)
    return env


class Terraform:
    """Runs terraform commands in roots with a shared environment."""

    def __init__(self, binary: str | None = None, env: Mapping[str, str] | None = None) -> None:
        found = binary or terraform_binary()
        if found is None:
            raise ToolError(
                "terraform is not on PATH",
                details=["install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install)"],
            )
        self.binary = found
        self._tmp = plugin_tmpdir()
        self.env = dict(env) if env is not None else cli_config_env(Path(self._tmp.name))
        self.env["TMPDIR"] = self._tmp.name

    def run(self, root: Path, *args: str, check: bool = False, timeout: int = 600) -> subprocess.CompletedProcess[str]:
        """Run ``terraform -chdir=root args…`` and capture its output."""
        cmd = [self.binary, f"-chdir={root}", *args]
        proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=timeout, check=False)
        if check and proc.returncode != 0:
            raise ToolError(
                f"terraform {' '.join(args[:1])} failed in {root}",
                details=(proc.stderr or proc.stdout).strip().splitlines()[-20:],
            )
        return proc

    def version(self) -> str:
        proc = subprocess.run(
            [self.binary, "version", "-json"], env=self.env, capture_output=True, text=True, check=False
        )
        try:
            return str(json.loads(proc.stdout)["terraform_version"])
        except (ValueError, KeyError):
            return proc.stdout.strip().splitlines()[0] if proc.stdout else "unknown"

    def fmt_check(self, root: Path) -> list[str]:
        """Files under ``root`` that ``terraform fmt`` would change (recursive)."""
        proc = self.run(root, "fmt", "-check", "-recursive", "-list=true")
        return sorted(line.strip() for line in proc.stdout.splitlines() if line.strip())

    def init(self, root: Path) -> subprocess.CompletedProcess[str]:
        return self.run(root, "init", "-backend=false", "-input=false", "-no-color")

    def validate(self, root: Path) -> list[Diagnostic]:
        proc = self.run(root, "validate", "-json", "-no-color")
        try:
            payload = json.loads(proc.stdout)
        except ValueError as exc:
            raise ToolError(f"terraform validate gave no JSON in {root}", details=[proc.stderr.strip()]) from exc
        diags = []
        for d in payload.get("diagnostics", []):
            rng = d.get("range") or {}
            diags.append(
                Diagnostic(
                    severity=d.get("severity", "error"),
                    summary=d.get("summary", ""),
                    detail=(d.get("detail") or "").strip(),
                    filename=rng.get("filename", ""),
                    line=int((rng.get("start") or {}).get("line", 0)),
                )
            )
        return diags

    def test(self, root: Path) -> subprocess.CompletedProcess[str]:
        return self.run(root, "test", "-no-color")

    def check_root(self, root: Path, *, label: str | None = None) -> RootResult:
        """fmt -check, init -backend=false and validate one root."""
        result = RootResult(root=label or str(root))
        result.fmt_files = self.fmt_check(root)
        result.fmt_ok = not result.fmt_files
        init = self.init(root)
        result.init_ok = init.returncode == 0
        result.init_output = (init.stderr or init.stdout)[-4000:]
        if result.init_ok:
            result.diagnostics = self.validate(root)
        return result

    def cleanup(self, root: Path) -> None:
        """Remove what init left in a root (``.terraform/``; the lock file is kept)."""
        shutil.rmtree(root / ".terraform", ignore_errors=True)
