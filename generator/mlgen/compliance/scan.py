"""Run Checkov over Terraform roots and normalise what it reports.

One Checkov subprocess per root (``python -m checkov.main`` with the interpreter running mlgen),
at most two at a time. Each gets mlgen's custom policies (``--external-checks-dir``) and the
``MLGEN_*`` settings as environment variables, runs offline (``BC_SKIP_MAPPING``,
``CKV_SKIP_PACKAGE_UPDATE_CHECK``, ``--skip-download``) with its own ``XDG_CACHE_HOME``.

The JSON Checkov prints becomes a sorted tuple of :class:`Finding`. A suppression
(``#checkov:skip=ID:reason``) without a reason adds a failed ``MLGEN_WAIVER_REASON`` finding.
Root-level requirements (a budget exists, interface endpoints exist) run *inside* Checkov as
provider checks that read the root's graph (see ``policies/mlgen_root.py``), so no post-scan
pass is needed; their findings point at the root's ``provider "aws"`` block.

Example:
    >>> result = run_scan([Path("infra/prod")], repo_root=Path("."),
    ...                   settings=ScanSettings(allowed_regions=("eu-west-1",)))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mlgen.compliance.catalog import FRAMEWORK_IDS, unknown_framework_message
from mlgen.compliance.waivers import (
    WAIVER_CHECK_NAMES,
    WAIVER_EXPIRY_ID,
    WAIVER_OWNER_ID,
    WAIVER_REASON_ID,
    WAIVER_SYNTAX,
    Waiver,
    parse_waiver,
)

WAIVER_CHECK_ID = WAIVER_REASON_ID
"""Id of the finding mlgen adds for a suppression that gives no reason."""

WAIVER_CHECK_NAME = WAIVER_CHECK_NAMES[WAIVER_REASON_ID]

PARSE_ERROR_CHECK_ID = "MLGEN_PARSE_ERROR"
"""Id of the finding mlgen adds for a file Checkov could not parse (nothing in it was checked)."""

MLGEN_CHECK_IDS: tuple[str, ...] = (WAIVER_REASON_ID, WAIVER_OWNER_ID, WAIVER_EXPIRY_ID, PARSE_ERROR_CHECK_ID)
"""Check ids produced by scan.py itself (not by a Checkov policy)."""

GATING_CHECK_IDS: dict[str, str] = {
    WAIVER_REASON_ID: "a suppression must state its reason",
    WAIVER_OWNER_ID: "a suppression must name its owner",
    WAIVER_EXPIRY_ID: "a suppression must carry an expiry date that has not passed",
    PARSE_ERROR_CHECK_ID: "Checkov could not parse the file, so none of its resources were checked",
}
"""mlgen's own findings that fail the gate whatever the frameworks or severity threshold."""

_MODULE_PREFIX = re.compile(r'^(?:module\.[A-Za-z0-9_-]+(?:\[(?:"[^"]*"|[^\]]*)\])?\.)+')
_STATUS_KEYS = {"passed_checks": "passed", "failed_checks": "failed", "skipped_checks": "skipped"}

Status = Literal["passed", "failed", "skipped"]
NetworkIsolation = Literal["none", "private", "isolated"]


class ScanError(RuntimeError):
    """Checkov could not scan a root (missing directory, crash, unreadable output)."""


def policies_dir() -> Path:
    """Directory of mlgen's custom Checkov policies (for ``--external-checks-dir``)."""
    return Path(__file__).resolve().parent / "policies"


class ScanSettings(BaseModel):
    """What the custom policies enforce; handed to Checkov as ``MLGEN_*`` variables."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    allowed_regions: tuple[str, ...] = Field(
        default=(),
        description="AWS regions data may live in; empty means anywhere.",
        examples=[("eu-west-1", "eu-central-1")],
    )
    allowed_instance_types: tuple[str, ...] = Field(
        default=(),
        description="Allowed compute instance types (fnmatch patterns); empty means any.",
        examples=[("ml.g5.*", "g5.2xlarge")],
    )
    network_isolation: NetworkIsolation = Field(
        default="none",
        description="none: public subnets allowed; private: no public endpoints for ML "
        "services, interface endpoints required; isolated: also no NAT/internet gateway.",
    )
    stage: str = Field(
        default="dev",
        description="Deployment stage; 'production' turns on production-only policies.",
        examples=["dev", "production"],
    )
    frameworks: tuple[str, ...] = Field(
        default=(),
        description="Frameworks the project selected (recorded with the scan).",
        examples=[("hipaa", "gdpr")],
    )
    timeout_seconds: float = Field(default=900.0, gt=0, description="Time limit for one Checkov run.")

    @field_validator("frameworks")
    @classmethod
    def _known_frameworks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for framework in value:
            if framework not in FRAMEWORK_IDS:
                raise ValueError(unknown_framework_message(framework))
        return tuple(sorted(set(value), key=FRAMEWORK_IDS.index))

    @field_validator("allowed_regions", "allowed_instance_types")
    @classmethod
    def _clean_list(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({item.strip() for item in value if item.strip()}))

    def environment(self) -> dict[str, str]:
        """The ``MLGEN_*`` variables for the Checkov subprocess (unset ones are omitted)."""
        env = {
            "MLGEN_NETWORK_ISOLATION": self.network_isolation,
            "MLGEN_STAGE": self.stage,
        }
        if self.allowed_regions:
            env["MLGEN_ALLOWED_REGIONS"] = ",".join(self.allowed_regions)
        if self.allowed_instance_types:
            env["MLGEN_ALLOWED_INSTANCE_TYPES"] = ",".join(self.allowed_instance_types)
        if self.frameworks:
            env["MLGEN_FRAMEWORKS"] = ",".join(self.frameworks)
        return env


class Finding(BaseModel):
    """One check result on one resource, normalised."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    check_id: str = Field(examples=["CKV_AWS_18", "MLGEN_AWS_001"])
    check_name: str
    status: Status
    resource: str = Field(
        description="Terraform address as Checkov reports it.",
        examples=["module.storage.aws_s3_bucket.this", "aws.default"],
    )
    file: str = Field(description="File, relative to the repository root, posix separators.")
    line_start: int = Field(ge=0)
    line_end: int = Field(ge=0)
    root: str = Field(description="Root the finding came from (first one after dedupe).")
    roots: tuple[str, ...] = Field(description="Every root that reported this same finding.")
    suppress_reason: str | None = Field(
        default=None, description="Reason given in the suppression, without the waiver metadata (skipped only)."
    )
    waiver_owner: str | None = Field(default=None, description="Owner named in the suppression (skipped only).")
    waiver_expires: str | None = Field(
        default=None, description="Expiry date as written in the suppression (skipped only)."
    )
    details: tuple[str, ...] = Field(default=(), description="Extra text from the check.")
    guideline: str | None = None
    caller_file: str | None = Field(
        default=None, description="Root file holding the module call, for module resources."
    )
    caller_line: int | None = None

    @property
    def resource_type(self) -> str:
        """Resource type (``aws_s3_bucket``); ``provider`` for provider blocks."""
        address = _MODULE_PREFIX.sub("", self.resource)
        head, _, rest = address.partition(".")
        if head == "aws":
            return "provider"
        if head == "data":
            return "data." + rest.partition(".")[0]
        return head

    @property
    def line_range(self) -> tuple[int, int]:
        """(first line, last line) of the block."""
        return (self.line_start, self.line_end)

    @property
    def fingerprint(self) -> str:
        """Stable id of the finding across runs (check, resource, file, root)."""
        raw = f"{self.check_id}|{self.resource}|{self.file}|{self.root}"
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    def sort_key(self) -> tuple[Any, ...]:
        """Deterministic order: root, file, line, check, resource, status."""
        return (self.root, self.file, self.line_start, self.check_id, self.resource, self.status)


class ScanResult(BaseModel):
    """Everything one scan found, sorted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    findings: tuple[Finding, ...]
    roots: tuple[str, ...] = Field(description="Scanned roots relative to the repository root.")
    checkov_version: str
    settings: ScanSettings
    parsing_errors: tuple[str, ...] = Field(default=(), description="Files Checkov could not parse (relative paths).")
    extra_roots: tuple[str, ...] = Field(
        default=(),
        description="Folders with Terraform outside the given roots and the modules they call, scanned as roots too.",
    )
    resource_counts: dict[str, int] = Field(default_factory=dict, description="Resources Checkov saw, per root.")

    def by_status(self, status: Status) -> tuple[Finding, ...]:
        """Findings with one status."""
        return tuple(f for f in self.findings if f.status == status)


# --------------------------------------------------------------------------------------------
# running Checkov
# --------------------------------------------------------------------------------------------
def _relative(path: Path, repo_root: Path) -> str:
    try:
        return path.resolve().relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        return Path(os.path.relpath(path.resolve(), repo_root.resolve())).as_posix()


CHECKOV_LAUNCHER = """\
import sys
import checkov.main as main
if not hasattr(main, "get_default_config_paths"):
    sys.exit("mlgen: checkov.main.get_default_config_paths is gone; refusing to scan with config discovery on")
main.get_default_config_paths = lambda argv: []
sys.argv[0] = "checkov"
sys.exit(main.Checkov().run())
"""
"""Runs Checkov with config-file discovery switched off.

Checkov reads ``.checkov.yaml``/``.checkov.yml`` from every ``-d`` directory, the working directory
and ``$HOME`` (``checkov.common.util.config_utils.get_default_config_paths``, looked up by
``checkov.main.Checkov.parse_config``); any of them can carry ``skip-check`` or ``skip-path``. The
launcher replaces that lookup with an empty list, and fails closed if Checkov renames it.
"""

_PASSED_ENV = (
    *("PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "LC_ALL", "LC_CTYPE", "TZ"),
    *("SYSTEMROOT", "PATHEXT", "COMSPEC"),
)
"""The only variables of the caller's environment a Checkov run sees; everything else (``CKV_*``,
``BC_*``, ``CHECKOV_*``, ``PRISMA_*``, ``LOG_LEVEL``, proxies, ...) is dropped."""


def checkov_command(root: Path, policies: Path) -> list[str]:
    """The Checkov command line for one root (config discovery off, see :data:`CHECKOV_LAUNCHER`)."""
    return [
        sys.executable,
        "-c",
        CHECKOV_LAUNCHER,
        "--framework",
        "terraform",
        "-o",
        "json",
        "--skip-download",
        "--external-checks-dir",
        str(policies),
        "-d",
        str(root),
    ]


def checkov_environment(settings: ScanSettings, private: Path) -> dict[str, str]:
    """The whole environment of a Checkov run: an allow-list of the caller's plus mlgen's settings.

    ``HOME``, the XDG directories and ``TMPDIR`` point into ``private`` (so ``~/.checkov.yaml`` of
    the user is never read); hidden directories are scanned (a ``.tf`` there is Terraform too).
    """
    import site

    env = {k: v for k, v in os.environ.items() if k in _PASSED_ENV}
    # a `pip install --user` Checkov lives under the caller's user base, not the private HOME
    env["PYTHONUSERBASE"] = site.getuserbase()
    env.update(settings.environment())
    for name in ("home", "config", "cache", "data", "tmp"):
        (private / name).mkdir(exist_ok=True)
    env.update(
        {
            "BC_SKIP_MAPPING": "TRUE",
            "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
            "CKV_IGNORE_HIDDEN_DIRECTORIES": "FALSE",
            "CKV_IGNORED_DIRECTORIES": ".terraform,.git",
            "HOME": str(private / "home"),
            "XDG_CONFIG_HOME": str(private / "config"),
            "XDG_CACHE_HOME": str(private / "cache"),
            "XDG_DATA_HOME": str(private / "data"),
            "TMPDIR": str(private / "tmp"),
        }
    )
    return env


def _run_checkov(root: Path, settings: ScanSettings, policies: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mlgen-checkov-") as tmp:
        private = Path(tmp)
        env = checkov_environment(settings, private)
        (private / "cwd").mkdir()
        try:
            proc = subprocess.run(
                checkov_command(root, policies),
                cwd=private / "cwd",
                env=env,
                capture_output=True,
                text=True,
                timeout=settings.timeout_seconds,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ScanError(
                f"checkov did not finish scanning {root} within {settings.timeout_seconds:.0f}s; "
                "raise ScanSettings.timeout_seconds or scan fewer roots"
            ) from exc
    stderr_tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
    if proc.returncode not in (0, 1):
        raise ScanError(f"checkov exited {proc.returncode} on {root}:\n{stderr_tail}")
    try:
        payload = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise ScanError(f"checkov printed no JSON for {root} (exit {proc.returncode}):\n{stderr_tail}") from exc
    if isinstance(payload, list):  # several frameworks: keep terraform
        payload = next((p for p in payload if p.get("check_type") == "terraform"), {})
    if not isinstance(payload, dict):
        raise ScanError(f"unexpected checkov output for {root}: {type(payload).__name__}")
    return payload


def _waiver(record: dict[str, Any]) -> Waiver:
    for source in (record.get("check_result") or {}, record):
        value = source.get("suppress_comment")
        if isinstance(value, str):
            waiver = parse_waiver(value)
            if waiver.reason or waiver.owner or waiver.expires or waiver.expires_text:
                return waiver
    return Waiver(reason="")


def _findings_from_payload(payload: dict[str, Any], root: Path, root_rel: str, repo_root: Path) -> list[Finding]:
    findings: list[Finding] = []
    results = payload.get("results") or {}
    for key, status in _STATUS_KEYS.items():
        for record in results.get(key) or []:
            abs_path = record.get("file_abs_path") or str(root / str(record.get("file_path", "")).lstrip("/"))
            lines = record.get("file_line_range") or [0, 0]
            caller = record.get("caller_file_path")
            caller_lines = record.get("caller_file_line_range") or [None]
            waiver = _waiver(record) if status == "skipped" else Waiver(reason="")
            findings.append(
                Finding(
                    check_id=str(record["check_id"]),
                    check_name=str(record.get("check_name") or record["check_id"]),
                    status=status,  # type: ignore[arg-type]
                    resource=str(record.get("resource") or ""),
                    file=_relative(Path(abs_path), repo_root),
                    line_start=int(lines[0] or 0),
                    line_end=int(lines[-1] or 0),
                    root=root_rel,
                    roots=(root_rel,),
                    suppress_reason=waiver.reason or None,
                    waiver_owner=waiver.owner,
                    waiver_expires=(waiver.expires.isoformat() if waiver.expires else waiver.expires_text),
                    details=tuple(str(d) for d in record.get("details") or ()),
                    guideline=record.get("guideline") or None,
                    caller_file=(_relative(root / str(caller).lstrip("/"), repo_root) if caller else None),
                    caller_line=int(caller_lines[0]) if caller and caller_lines[0] else None,
                )
            )
    return findings


def _waiver_of(f: Finding) -> Waiver:
    expires: dt.date | None = None
    text = f.waiver_expires
    if text:
        try:
            expires = dt.date.fromisoformat(text)
        except ValueError:
            expires = None
    return Waiver(
        reason=f.suppress_reason or "",
        owner=f.waiver_owner,
        expires=expires,
        expires_text=text if expires is None else None,
    )


def waiver_findings(findings: Iterable[Finding], today: dt.date | None = None) -> list[Finding]:
    """Failed ``MLGEN_WAIVER_*`` findings for suppressions without reason, owner or a valid expiry.

    Args:
        findings: Findings of one scan.
        today: Date the expiry is judged against (defaults to today, UTC).
    """
    day = today or dt.datetime.now(dt.UTC).date()
    out: list[Finding] = []
    for f in findings:
        if f.status != "skipped":
            continue
        for check_id, problem in _waiver_of(f).problems(day).items():
            out.append(
                Finding(
                    check_id=check_id,
                    check_name=WAIVER_CHECK_NAMES[check_id],
                    status="failed",
                    resource=f.resource,
                    file=f.file,
                    line_start=f.line_start,
                    line_end=f.line_end,
                    root=f.root,
                    roots=f.roots,
                    details=(f"{f.check_id} {problem}; write {WAIVER_SYNTAX.replace('<ID>', f.check_id)}",),
                    caller_file=f.caller_file,
                    caller_line=f.caller_line,
                )
            )
    return out


def parse_error_findings(parsing_errors: Iterable[str], root: str) -> list[Finding]:
    """A failed ``MLGEN_PARSE_ERROR`` finding per file Checkov could not parse."""
    return [
        Finding(
            check_id=PARSE_ERROR_CHECK_ID,
            check_name="Every Terraform file can be parsed by the scanner",
            status="failed",
            resource=path,
            file=path,
            line_start=0,
            line_end=0,
            root=root,
            roots=(root,),
            details=(
                f"Checkov could not parse {path}; its resources were not checked. Simplify the "
                "expression it trips on (e.g. a %{for} template inside a quoted string: use a "
                "heredoc, join() or templatefile()) and run mlgen check again",
            ),
        )
        for path in sorted(set(parsing_errors))
    ]


def terraform_files(repo_root: Path) -> list[Path]:
    """Every ``*.tf`` / ``*.tf.json`` below ``repo_root`` except in ``.terraform`` and ``.git``."""
    out = []
    for path in sorted(repo_root.rglob("*")):
        rel = path.relative_to(repo_root).parts
        if ".terraform" in rel or ".git" in rel or not path.is_file():
            continue
        if path.name.endswith((".tf", ".tf.json")):
            out.append(path)
    return out


def uncovered_terraform_dirs(repo_root: Path, roots: Sequence[Path], covered_files: Iterable[str]) -> list[Path]:
    """Folders holding Terraform that a scan of ``roots`` did not reach.

    A folder is covered when it is a scanned root or below one (Checkov scans ``-d`` recursively)
    or when a finding or parse error of the scan points into it (a called module).
    """
    resolved = [Path(r).resolve() for r in roots]
    covered = {(repo_root / f).resolve().parent for f in covered_files}
    out: set[Path] = set()
    for path in terraform_files(repo_root):
        folder = path.resolve().parent
        if folder in covered or any(folder == r or r in folder.parents for r in resolved):
            continue
        out.add(folder)
    return sorted(out)


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """Merge findings that differ only in the root (and module call site) reporting them.

    A module called from several roots is reported once per root; when everything else is
    identical the copies become one finding that lists all roots (``root`` is the first).
    """
    merged: dict[tuple[Any, ...], Finding] = {}
    for f in sorted(findings, key=lambda x: x.sort_key()):
        key = (
            f.check_id,
            f.check_name,
            f.status,
            f.resource,
            f.file,
            f.line_start,
            f.line_end,
            f.suppress_reason,
            f.waiver_owner,
            f.waiver_expires,
            f.details,
        )
        seen = merged.get(key)
        if seen is None:
            merged[key] = f
        else:
            roots = tuple(sorted(set(seen.roots) | set(f.roots)))
            merged[key] = seen.model_copy(update={"roots": roots, "root": roots[0]})
    return sorted(merged.values(), key=lambda x: x.sort_key())


def run_scan(
    roots: Sequence[Path],
    *,
    repo_root: Path,
    settings: ScanSettings,
    policies: Path | None = None,
    max_workers: int = 2,
    scan_strays: bool = False,
    today: dt.date | None = None,
) -> ScanResult:
    """Scan Terraform roots with Checkov and mlgen's policies.

    Args:
        roots: Root module directories (each holds a ``provider "aws"`` block).
        repo_root: Repository root; finding paths are made relative to it.
        settings: What the custom policies enforce.
        policies: Custom policy directory; defaults to :func:`policies_dir`.
        max_workers: Checkov processes run at once (each needs about 200 MB).
        scan_strays: Also scan, as extra roots, every folder below ``repo_root`` holding Terraform
            that neither the roots nor the modules they call reach (recorded in ``extra_roots``).
        today: Date waiver expiries are judged against (defaults to today, UTC).

    Returns:
        Sorted, de-duplicated findings plus the Checkov version. Files Checkov could not parse
        become failed ``MLGEN_PARSE_ERROR`` findings; incomplete waivers ``MLGEN_WAIVER_*`` ones.

    Raises:
        ScanError: a root does not exist or Checkov failed on it.
    """
    if not roots:
        raise ScanError("no Terraform roots to scan")
    for root in roots:
        if not Path(root).is_dir():
            raise ScanError(f"Terraform root {root} is not a directory")
    policy_dir = policies or policies_dir()
    ordered = sorted({Path(r).resolve() for r in roots}, key=lambda p: _relative(p, repo_root))

    def scan_one(root: Path) -> tuple[str, dict[str, Any]]:
        return _relative(root, repo_root), _run_checkov(root, settings, policy_dir)

    def scan_all(dirs: Sequence[Path]) -> list[tuple[str, dict[str, Any]]]:
        if not dirs:
            return []
        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(dirs)))) as pool:
            return list(pool.map(scan_one, dirs))

    outputs = list(zip(ordered, scan_all(ordered), strict=True))
    extra: list[Path] = []
    if scan_strays:
        covered = [
            f.file for root, (rel, payload) in outputs for f in _findings_from_payload(payload, root, rel, repo_root)
        ]
        covered += [
            _relative(Path(p), repo_root)
            for _, (_, payload) in outputs
            for p in (payload.get("results") or {}).get("parsing_errors") or []
        ]
        extra = uncovered_terraform_dirs(repo_root, ordered, covered)
        outputs += list(zip(extra, scan_all(extra), strict=True))

    findings: list[Finding] = []
    parsing_errors: set[str] = set()
    counts: dict[str, int] = {}
    versions: set[str] = set()
    for root, (root_rel, payload) in outputs:
        findings.extend(_findings_from_payload(payload, root, root_rel, repo_root))
        summary = payload.get("summary") or payload
        counts[root_rel] = int(summary.get("resource_count") or 0)
        if summary.get("checkov_version"):
            versions.add(str(summary["checkov_version"]))
        errors = [_relative(Path(p), repo_root) for p in (payload.get("results") or {}).get("parsing_errors") or []]
        parsing_errors.update(errors)
        findings.extend(parse_error_findings(errors, root_rel))
    findings.extend(waiver_findings(findings, today))
    return ScanResult(
        findings=tuple(dedupe(findings)),
        roots=tuple(root_rel for _, (root_rel, _) in outputs),
        checkov_version=", ".join(sorted(versions)) or _installed_checkov_version(),
        settings=settings,
        parsing_errors=tuple(sorted(parsing_errors)),
        resource_counts=dict(sorted(counts.items())),
        extra_roots=tuple(_relative(p, repo_root) for p in extra),
    )


def _installed_checkov_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("checkov")
    except PackageNotFoundError:
        return "unknown"
