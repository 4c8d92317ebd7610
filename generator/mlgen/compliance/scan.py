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

WAIVER_CHECK_ID = "MLGEN_WAIVER_REASON"
"""Id of the finding mlgen adds for a suppression that gives no reason."""

WAIVER_CHECK_NAME = "Every suppressed check states a reason"

MLGEN_CHECK_IDS: tuple[str, ...] = (WAIVER_CHECK_ID,)
"""Check ids produced by scan.py itself (not by a Checkov policy)."""

_EMPTY_REASONS = {"", "no comment provided"}
_MODULE_PREFIX = re.compile(r'^(?:module\.[A-Za-z0-9_-]+(?:\[(?:"[^"]*"|[^\]]*)\])?\.)+')
_STATUS_KEYS = {"passed_checks": "passed", "failed_checks": "failed", "skipped_checks": "skipped"}
_SCAN_ENV_VARS = (
    "MLGEN_ALLOWED_REGIONS",
    "MLGEN_ALLOWED_INSTANCE_TYPES",
    "MLGEN_NETWORK_ISOLATION",
    "MLGEN_STAGE",
    "MLGEN_FRAMEWORKS",
)

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
        default=None, description="Reason given in the suppression (skipped findings only)."
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


def checkov_command(root: Path, policies: Path) -> list[str]:
    """The Checkov command line for one root."""
    return [
        sys.executable,
        "-m",
        "checkov.main",
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


def _run_checkov(root: Path, settings: ScanSettings, policies: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in _SCAN_ENV_VARS}
    env.update(settings.environment())
    env.update({"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE"})
    with tempfile.TemporaryDirectory(prefix="mlgen-checkov-") as cache:
        env["XDG_CACHE_HOME"] = cache
        try:
            proc = subprocess.run(
                checkov_command(root, policies),
                cwd=cache,
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


def _reason(record: dict[str, Any]) -> str:
    for source in (record.get("check_result") or {}, record):
        value = source.get("suppress_comment")
        if isinstance(value, str) and value.strip().lower() not in _EMPTY_REASONS:
            return value.strip()
    return ""


def _findings_from_payload(payload: dict[str, Any], root: Path, root_rel: str, repo_root: Path) -> list[Finding]:
    findings: list[Finding] = []
    results = payload.get("results") or {}
    for key, status in _STATUS_KEYS.items():
        for record in results.get(key) or []:
            abs_path = record.get("file_abs_path") or str(root / str(record.get("file_path", "")).lstrip("/"))
            lines = record.get("file_line_range") or [0, 0]
            caller = record.get("caller_file_path")
            caller_lines = record.get("caller_file_line_range") or [None]
            reason = _reason(record) if status == "skipped" else ""
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
                    suppress_reason=reason or None,
                    details=tuple(str(d) for d in record.get("details") or ()),
                    guideline=record.get("guideline") or None,
                    caller_file=(_relative(root / str(caller).lstrip("/"), repo_root) if caller else None),
                    caller_line=int(caller_lines[0]) if caller and caller_lines[0] else None,
                )
            )
    return findings


def waiver_findings(findings: Iterable[Finding]) -> list[Finding]:
    """A failed ``MLGEN_WAIVER_REASON`` finding for every suppression without a reason."""
    out: list[Finding] = []
    for f in findings:
        if f.status != "skipped" or (f.suppress_reason or "").strip():
            continue
        out.append(
            Finding(
                check_id=WAIVER_CHECK_ID,
                check_name=WAIVER_CHECK_NAME,
                status="failed",
                resource=f.resource,
                file=f.file,
                line_start=f.line_start,
                line_end=f.line_end,
                root=f.root,
                roots=f.roots,
                details=(
                    f"{f.check_id} is suppressed without a reason; write "
                    f"#checkov:skip={f.check_id}:<why this is acceptable>",
                ),
                caller_file=f.caller_file,
                caller_line=f.caller_line,
            )
        )
    return out


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
) -> ScanResult:
    """Scan Terraform roots with Checkov and mlgen's policies.

    Args:
        roots: Root module directories (each holds a ``provider "aws"`` block).
        repo_root: Repository root; finding paths are made relative to it.
        settings: What the custom policies enforce.
        policies: Custom policy directory; defaults to :func:`policies_dir`.
        max_workers: Checkov processes run at once (each needs about 200 MB).

    Returns:
        Sorted, de-duplicated findings plus the Checkov version.

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

    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(ordered)))) as pool:
        outputs = list(pool.map(scan_one, ordered))

    findings: list[Finding] = []
    parsing_errors: set[str] = set()
    counts: dict[str, int] = {}
    versions: set[str] = set()
    for root, (root_rel, payload) in zip(ordered, outputs, strict=True):
        findings.extend(_findings_from_payload(payload, root, root_rel, repo_root))
        summary = payload.get("summary") or payload
        counts[root_rel] = int(summary.get("resource_count") or 0)
        if summary.get("checkov_version"):
            versions.add(str(summary["checkov_version"]))
        for path in (payload.get("results") or {}).get("parsing_errors") or []:
            parsing_errors.add(_relative(Path(path), repo_root))
    findings.extend(waiver_findings(findings))
    return ScanResult(
        findings=tuple(dedupe(findings)),
        roots=tuple(root_rel for root_rel, _ in outputs),
        checkov_version=", ".join(sorted(versions)) or _installed_checkov_version(),
        settings=settings,
        parsing_errors=tuple(sorted(parsing_errors)),
        resource_counts=dict(sorted(counts.items())),
    )


def _installed_checkov_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("checkov")
    except PackageNotFoundError:
        return "unknown"
