"""Scan the *plan* of every root as well as its HCL, and report the difference.

Checkov's HCL scan follows module calls but evaluates expressions only as far as it can resolve
them statically; values passed through module variables can make a check fail (or pass) on the
HCL while the planned values say otherwise. A plan scan (``--framework terraform_plan``) sees the
values Terraform computed. It cannot see values "known after apply" (ids, ARNs of resources not
yet created), so graph checks that join resources by those values fail in the plan while the HCL
shows the connection: neither scan alone is right, and the report shows both.

How the plan is made offline, for each root of a copy of the project (the user's tree is never
touched):

* ``mlgen_plan_override.tf`` overrides every ``provider "aws"`` block (aliases too) with mock
  credentials, ``skip_credentials_validation``, ``skip_requesting_account_id``,
  ``skip_metadata_api_check`` and STS/EC2 endpoints on a local ``moto_server`` (data sources such
  as ``aws_caller_identity`` and ``aws_vpc`` call AWS even in a plan), and the backend with a local
  one; proxies point at a dead port so nothing leaves the machine.
* ``terraform init`` (provider mirror from ``MLGEN_TF_PROVIDER_MIRROR``), ``plan -refresh=false``,
  ``show -json``, then Checkov on the JSON with ``--repo-root-for-plan-enrichment`` (same launcher
  and private environment as the HCL scan).

Reconciling (:func:`reconcile`): a finding that **failed in the HCL and passed in the plan** for
the same check and resource is *resolved by the plan scan*: it becomes ``passed`` with a detail
saying so, and no longer fails the gate. Findings that fail only in the plan are listed (not
gated: most come from values known only after apply) when this module runs on its own; under
``mlgen check --plan`` (``gate_plan_only``) they are failures and gated like HCL failures.
Planning takes tens of seconds per root, so this is not part of every ``mlgen new``: run
``python -m mlgen.compliance.plan_scan PROJECT`` after
``mlgen new`` / ``mlgen check``; it rewrites ``docs/compliance/`` with the reconciled result and
writes ``plan-diff.md`` and ``plan-diff.json``. It needs terraform, the hashicorp/aws provider and
``moto`` (``pip install 'moto[server]'``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgen.compliance.scan import (
    CHECKOV_LAUNCHER,
    Finding,
    ScanError,
    ScanResult,
    ScanSettings,
    _findings_from_payload,
    checkov_environment,
    policies_dir,
)

PLAN_OVERRIDE = "mlgen_plan_override.tf"
_ALIAS = re.compile(r'provider\s+"aws"\s*\{[^}]*?alias\s*=\s*"([A-Za-z0-9_-]+)"', re.S)
_INDEX = re.compile(r"\[[^\]]*\]")
RESOLVED_DETAIL = "resolved by the plan scan: the planned values pass this check"
PLAN_ONLY_DETAIL = "failed only in the plan scan: the planned values fail this check"


@dataclass
class PlanDiff:
    """How the plan scan compares with the HCL scan, per (check, resource)."""

    resolved: list[Finding] = field(default_factory=list)
    both_failed: list[Finding] = field(default_factory=list)
    plan_only_failed: list[Finding] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)
    plan_only_gated: bool = False
    gate: Any = field(default=None, repr=False, compare=False)  # compliance.gate.GateResult after reconciling

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form, sorted."""

        def rows(items: Iterable[Finding]) -> list[dict[str, Any]]:
            return [
                {"check_id": f.check_id, "resource": f.resource, "file": f.file, "root": f.root}
                for f in sorted(items, key=lambda x: x.sort_key())
            ]

        return {
            "roots": sorted(self.roots),
            "errors": dict(sorted(self.errors.items())),
            "resolved_by_plan": rows(self.resolved),
            "failed_in_both": rows(self.both_failed),
            "failed_only_in_plan": rows(self.plan_only_failed),
            "failed_only_in_plan_gated": self.plan_only_gated,
        }

    def to_markdown(self) -> str:
        """``plan-diff.md``."""
        doc = self.to_json()
        out = ["# HCL scan vs plan scan", ""]
        plan_only = (
            "failures only in the plan are failures: they are added to the findings and gated like any other "
            "(`mlgen check --plan`)."
            if self.plan_only_gated
            else "failures only in the plan are listed, not gated: most come from values known only after apply."
        )
        out.append(
            "The plan of each root was made offline against mock AWS endpoints and scanned with Checkov's "
            "`terraform_plan` framework. Failures in the HCL that pass on the planned values are resolved "
            "(they no longer fail the gate); " + plan_only
        )
        out.append("")
        out.append("Roots planned: " + (", ".join(f"`{r}`" for r in doc["roots"]) or "none"))
        for root, error in doc["errors"].items():
            out.append(f"- `{root}`: plan scan not run: {error}")
        for title, key in (
            ("Resolved by the plan scan", "resolved_by_plan"),
            ("Failed in both scans", "failed_in_both"),
            (
                "Failed only in the plan scan" + ("" if self.plan_only_gated else " (not gated)"),
                "failed_only_in_plan",
            ),
        ):
            out += ["", f"## {title} ({len(doc[key])})", ""]
            if doc[key]:
                out += ["| Check | Resource | File | Root |", "|---|---|---|---|"]
                out += [f"| {r['check_id']} | `{r['resource']}` | {r['file']} | {r['root']} |" for r in doc[key]]
            else:
                out.append("None.")
        out.append("")
        return "\n".join(out)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def override_text(aliases: Sequence[str], endpoint: str) -> str:
    """The ``*_override.tf`` that points every AWS provider block at ``endpoint``, local backend."""
    body = (
        '  access_key                  = "mock"\n'
        '  secret_key                  = "mock"\n'
        "  skip_credentials_validation = true\n"
        "  skip_requesting_account_id  = true\n"
        "  skip_metadata_api_check     = true\n"
        "  max_retries                 = 1\n"
        "  endpoints {\n"
        f'    sts = "{endpoint}"\n'
        f'    ec2 = "{endpoint}"\n'
        "  }\n"
    )
    blocks = ['terraform {\n  backend "local" {}\n}\n', 'provider "aws" {\n' + body + "}\n"]
    blocks += [f'provider "aws" {{\n  alias = "{a}"\n{body}}}\n' for a in sorted(set(aliases))]
    return "\n".join(blocks)


def _aliases(root: Path) -> list[str]:
    return [m for p in sorted(root.glob("*.tf")) for m in _ALIAS.findall(p.read_text(encoding="utf-8"))]


def _tf_env(private: Path) -> dict[str, str]:
    from mlgen.terraform import find_provider_mirror

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
    env.update(
        {
            "CHECKPOINT_DISABLE": "1",
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "HTTP_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
            "TF_IN_AUTOMATION": "1",
            "TF_DATA_DIR": str(private / "tfdata"),
        }
    )
    mirror = find_provider_mirror()
    if mirror is not None:
        rc = private / "terraformrc"
        rc.write_text(
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
            '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
            '  direct { exclude = ["registry.terraform.io/hashicorp/*"] }\n}\n',
            encoding="utf-8",
        )
        env["TF_CLI_CONFIG_FILE"] = str(rc)
    return env


def plan_json(root: Path, endpoint: str, private: Path, timeout: float = 900) -> Path:
    """Plan ``root`` (a folder of a throw-away copy) offline and return the plan JSON path."""
    from mlgen.terraform import plugin_tmpdir

    terraform = shutil.which("terraform")
    if terraform is None:
        raise ScanError("terraform is not on PATH")
    (root / PLAN_OVERRIDE).write_text(override_text(_aliases(root), endpoint), encoding="utf-8")
    env = _tf_env(private)
    plan = private / "plan.tfplan"
    with plugin_tmpdir() as sockets:  # provider sockets need a short TMPDIR (see mlgen.terraform)
        env["TMPDIR"] = sockets
        return _plan_json(terraform, root, env, plan, private, timeout)


def _plan_json(terraform: str, root: Path, env: dict[str, str], plan: Path, private: Path, timeout: float) -> Path:
    for args in (
        ["init", "-input=false", "-no-color"],
        ["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", f"-out={plan}"],
    ):
        proc = subprocess.run(
            [terraform, f"-chdir={root}", *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if proc.returncode != 0:
            tail = " / ".join(line.strip() for line in (proc.stderr or proc.stdout).splitlines()[-4:] if line.strip())
            raise ScanError(f"terraform {args[0]} failed: {tail}")
    shown = subprocess.run(
        [terraform, f"-chdir={root}", "show", "-json", str(plan)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if shown.returncode != 0:
        raise ScanError(f"terraform show failed: {shown.stderr.strip()[-300:]}")
    out = private / "plan.json"
    out.write_text(shown.stdout, encoding="utf-8")
    return out


def scan_plan(plan: Path, root: Path, settings: ScanSettings, private: Path) -> dict[str, Any]:
    """Checkov on one plan JSON, offline and with mlgen's policies and private environment."""
    env = checkov_environment(settings, private)
    (private / "cwd").mkdir(exist_ok=True)
    cmd = [
        sys.executable,
        "-c",
        CHECKOV_LAUNCHER,
        "--framework",
        "terraform_plan",
        "-o",
        "json",
        "--skip-download",
        "--external-checks-dir",
        str(policies_dir()),
        "-f",
        str(plan),
        "--repo-root-for-plan-enrichment",
        str(root),
    ]
    proc = subprocess.run(
        cmd, cwd=private / "cwd", env=env, capture_output=True, text=True, timeout=settings.timeout_seconds, check=False
    )
    if proc.returncode not in (0, 1):
        raise ScanError(f"checkov exited {proc.returncode} on the plan of {root}: {proc.stderr.strip()[-300:]}")
    payload = json.loads(proc.stdout or "{}")
    if isinstance(payload, list):
        payload = next((p for p in payload if p.get("check_type") == "terraform_plan"), {})
    if not isinstance(payload, dict):
        return {}
    return locate_in_sources(payload, root)


def locate_in_sources(payload: dict[str, Any], root: Path) -> dict[str, Any]:
    """Point plan findings at the ``.tf`` file the enrichment found, not at the plan JSON.

    With ``--repo-root-for-plan-enrichment`` Checkov sets ``file_path`` to the source file relative
    to the root (``../../modules/storage/buckets.tf``) but ``file_abs_path`` to the plan JSON.
    """
    for records in (payload.get("results") or {}).values():
        for record in records if isinstance(records, list) else ():
            if not isinstance(record, dict):
                continue
            path = str(record.get("file_path") or "")
            if path and not path.endswith(".json"):
                record["file_abs_path"] = os.path.normpath(root / path.lstrip("/"))
    return payload


def _key(f: Finding) -> tuple[str, str]:
    return (f.check_id, _INDEX.sub("", f.resource))


def reconcile(
    result: ScanResult, plan_findings: Sequence[Finding], roots: Sequence[str], *, gate_plan_only: bool = False
) -> tuple[ScanResult, PlanDiff]:
    """Resolve HCL failures that pass in the plan; list the rest of the difference.

    Args:
        result: The HCL scan.
        plan_findings: Findings of the plan scans (``root`` set to the HCL root they came from).
        roots: Roots whose plan was scanned (others are left alone).
        gate_plan_only: Add failures found only in the plan to the findings (with
            :data:`PLAN_ONLY_DETAIL`), so they fail the gate like HCL failures (``mlgen check --plan``).
    """
    diff = PlanDiff(roots=list(roots), plan_only_gated=gate_plan_only)
    by_root: dict[str, dict[tuple[str, str], set[str]]] = {}
    for f in plan_findings:
        by_root.setdefault(f.root, {}).setdefault(_key(f), set()).add(f.status)
    hcl_failed = {(f.root, _key(f)) for f in result.findings if f.status == "failed"}
    out: list[Finding] = []
    for f in result.findings:
        statuses = by_root.get(f.root, {}).get(_key(f), set())
        if f.status == "failed" and f.root in roots and statuses == {"passed"}:
            diff.resolved.append(f)
            out.append(f.model_copy(update={"status": "passed", "details": (*f.details, RESOLVED_DETAIL)}))
            continue
        if f.status == "failed" and "failed" in statuses:
            diff.both_failed.append(f)
        out.append(f)
    for f in plan_findings:
        if f.status == "failed" and (f.root, _key(f)) not in hcl_failed:
            diff.plan_only_failed.append(f)
            if gate_plan_only:
                out.append(f.model_copy(update={"details": (*f.details, PLAN_ONLY_DETAIL)}))
    return result.model_copy(update={"findings": tuple(out)}), diff


def _finding_from_doc(item: dict[str, Any]) -> Finding:
    fields = set(Finding.model_fields)
    return Finding(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in item.items() if k in fields})


def run(project: Path, *, gate_plan_only: bool = False) -> PlanDiff:
    """Plan-scan every root of a generated project and rewrite its reports with the result.

    ``gate_plan_only`` (``mlgen check --plan``): failures found only in the plan fail the gate too.
    The reconciled gate is on the returned diff's ``gate``.
    """
    from mlgen.compliance.gate import evaluate_gate
    from mlgen.compliance.report import FORMATS, write_reports

    project = project.resolve()
    reports = project / "docs" / "compliance"
    doc = json.loads((reports / "results.json").read_text(encoding="utf-8"))
    settings = ScanSettings(**doc["scan"]["settings"])
    hcl = ScanResult(
        findings=tuple(_finding_from_doc(f) for f in doc["findings"]),
        roots=tuple(doc["scan"]["roots"]),
        checkov_version=doc["scanner"]["version"],
        settings=settings,
        parsing_errors=tuple(doc["scan"]["parsing_errors"]),
        resource_counts=doc["scan"]["resource_counts"],
        extra_roots=tuple(doc["scan"].get("extra_roots") or ()),
    )
    plan_findings: list[Finding] = []
    planned: list[str] = []
    errors: dict[str, str] = {}
    moto = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    port = _free_port()
    server = subprocess.Popen(
        [moto, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        time.sleep(2)
        for root_rel in doc["scan"]["roots"]:
            with tempfile.TemporaryDirectory(prefix="mlgen-plan-") as tmp:
                private = Path(tmp)
                copy = private / "project"
                shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".git", ".terraform", "*.tfstate*"))
                try:
                    plan = plan_json(copy / root_rel, f"http://127.0.0.1:{port}", private)
                    payload = scan_plan(plan, copy / root_rel, settings, private)
                except (ScanError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
                    errors[root_rel] = str(exc)
                    continue
                planned.append(root_rel)
                plan_findings += _findings_from_payload(payload, copy / root_rel, root_rel, copy)
    finally:
        server.terminate()
        server.wait(timeout=10)
    reconciled, diff = reconcile(hcl, plan_findings, planned, gate_plan_only=gate_plan_only)
    diff.errors = errors
    frameworks = list(doc["gate"]["frameworks"])
    gate = evaluate_gate(reconciled, frameworks=frameworks, fail_on=doc["gate"]["fail_on"])
    meta = dict(doc["metadata"])
    meta["plan_scan"] = (
        f"{len(planned)}/{len(doc['scan']['roots'])} roots planned; {len(diff.resolved)} HCL failures resolved, "
        f"{len(diff.plan_only_failed)} failures only in the plan" + ("" if gate_plan_only else " (not gated)")
    )
    diff.gate = gate
    present = {name for name, file in FORMATS.items() if (reports / file).is_file()}
    write_reports(reconciled, gate, reports, formats=present or {"json"}, metadata=meta)
    (reports / "plan-diff.json").write_text(
        json.dumps(diff.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    (reports / "plan-diff.md").write_text(diff.to_markdown(), encoding="utf-8")
    return diff


def main(argv: list[str] | None = None) -> int:
    """``python -m mlgen.compliance.plan_scan [PROJECT]``; exit 3 when the reconciled gate fails."""
    args = sys.argv[1:] if argv is None else argv
    project = Path(args[0] if args else ".")
    diff = run(project)
    doc = json.loads((project / "docs" / "compliance" / "results.json").read_text(encoding="utf-8"))
    print(doc["metadata"]["plan_scan"] + f"; gate {doc['gate']['verdict']}; see docs/compliance/plan-diff.md")
    for root, error in diff.errors.items():
        print(f"{root}: {error}")
    return 0 if doc["gate"]["passed"] else 3


if __name__ == "__main__":
    raise SystemExit(main())
