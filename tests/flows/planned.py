"""Planned values of a generated root, offline: ``terraform test`` under ``mock_provider``.

A plain ``terraform plan`` leaves every policy that names a new resource's ARN "known after apply",
so nothing could be evaluated. Under ``mock_provider`` with ``override_during = plan`` every value is
known at plan time (no AWS, no emulator, no simulated apply); computed attributes are random
strings, so two passes:

1. ``command = plan`` (values unknown): the instance addresses and their configured values.
2. ``command = plan`` with ``override_during = plan`` and one ``override_resource`` per instance
   giving it a realistic, unique ``arn`` (``arn:aws:s3:::<bucket>``, ``arn:aws:iam::<account>:role/
   <name>``, ``.../key/<address>``) so the provider's ARN checks pass and policies resolve to the ARNs
   they would have on AWS. Its resource changes' ``after`` values are returned as a state-shaped tree.

Variable ``validation`` blocks are removed in the copy (mock ids are not ARN-shaped where no
override applies); the generated files are untouched, the copy is the harness's, like
``tests/apply``'s ``prevent_destroy`` rewrite.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apply import harness

ACCOUNT = "123456789012"
REGION = "us-east-1"
TEST_DIR = "mlgen_flows"


def strip_validations(text: str) -> str:
    """``text`` without its ``validation { ... }`` blocks."""
    out: list[str] = []
    i = 0
    for m in re.finditer(r"^[ \t]*validation\s*\{", text, flags=re.MULTILINE):
        if m.start() < i:
            continue
        depth = 0
        for j in range(m.end() - 1, len(text)):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
        out.append(text[i : m.start()])
        i = j + 1
    out.append(text[i:])
    return "".join(out)


def _mock_blocks(root: Path, *, values_at_plan: bool = False) -> str:
    during = "  override_during = plan\n" if values_at_plan else ""
    return "\n".join(
        'mock_provider "aws" {\n' + (f'  alias = "{a}"\n' if a else "") + during + harness._MOCKS + "}\n"
        for a in harness.provider_aliases(root)
    )


def _slug(address: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", address).strip("-")


def mock_arn(rtype: str, address: str, values: Mapping[str, Any]) -> str:
    """A realistic, unique ARN for one resource instance (what AWS would return, near enough)."""
    region, acct = REGION, ACCOUNT
    name = values.get("name") or values.get("bucket") or _slug(address)
    table = {
        "aws_s3_bucket": f"arn:aws:s3:::{values.get('bucket')}",
        "aws_iam_role": f"arn:aws:iam::{acct}:role/{name}",
        "aws_iam_policy": f"arn:aws:iam::{acct}:policy/{name}",
        "aws_iam_openid_connect_provider": f"arn:aws:iam::{acct}:oidc-provider/{_slug(address)}",
        "aws_kms_key": f"arn:aws:kms:{region}:{acct}:key/{_slug(address)}",
        "aws_sns_topic": f"arn:aws:sns:{region}:{acct}:{name}",
        "aws_cloudwatch_log_group": f"arn:aws:logs:{region}:{acct}:log-group:{name}",
        "aws_ecr_repository": f"arn:aws:ecr:{region}:{acct}:repository/{name}",
        "aws_sagemaker_endpoint": f"arn:aws:sagemaker:{region}:{acct}:endpoint/{name}",
        "aws_sagemaker_mlflow_tracking_server": f"arn:aws:sagemaker:{region}:{acct}:mlflow-tracking-server/"
        + str(values.get("tracking_server_name") or name),
        "aws_eks_cluster": f"arn:aws:eks:{region}:{acct}:cluster/{name}",
        "aws_fsx_lustre_file_system": f"arn:aws:fsx:{region}:{acct}:file-system/fs-{_slug(address)}",
    }
    if rtype in table:
        return table[rtype]
    svc = rtype.split("_")[1]
    return f"arn:aws:{svc}:{region}:{acct}:{rtype}/{_slug(address)}"


def _extra_values(rtype: str, address: str) -> dict[str, Any]:
    """Values beyond ``arn`` that provider checks or outputs need in a realistic shape."""
    digest = hashlib.sha1(address.encode()).hexdigest()[:17]
    if rtype == "aws_launch_template":
        return {"id": f"lt-{digest}"}
    if rtype == "aws_eks_cluster":
        return {
            "certificate_authority": [{"data": "bW9jaw=="}],
            "identity": [{"oidc": [{"issuer": f"https://oidc.eks.{REGION}.amazonaws.com/id/{digest.upper()}"}]}],
        }
    if rtype == "aws_eks_node_group":
        return {
            "resources": [{"autoscaling_groups": [{"name": f"eks-{digest}"}], "remote_access_security_group_id": ""}]
        }
    return {}


def _run_test(root: Path, body: str, env: Mapping[str, str]) -> list[dict[str, Any]]:
    folder = root / TEST_DIR
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    (folder / "flows.tftest.hcl").write_text(body, encoding="utf-8")
    tf = shutil.which("terraform") or "terraform"
    proc = subprocess.run(
        [tf, f"-chdir={root}", "test", "-no-color", "-json", "-verbose", f"-test-directory={TEST_DIR}"],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    msgs = harness._messages(proc.stdout)
    if proc.returncode != 0:
        errors = [m["diagnostic"] for m in msgs if m.get("type") == "diagnostic"]
        raise RuntimeError(f"terraform test in {root} failed: {json.dumps(errors[:5], indent=1)[:4000]}")
    return msgs


def planned_state(infra_src: Path, root_rel: str, work: Path, env: Mapping[str, str]) -> dict[str, Any]:
    """One root's planned values, every one known: ``{"values": {"root_module": {"resources": [...]}}}``."""
    infra = work / "infra"
    if infra.exists():
        shutil.rmtree(infra)
    shutil.copytree(infra_src, infra, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "tests"))
    for tf in infra.rglob("variables.tf"):
        tf.write_text(strip_validations(tf.read_text(encoding="utf-8")), encoding="utf-8")
    harness.rewrite_prevent_destroy(infra)  # the mocked apply is destroyed at the end of the test
    root = infra / root_rel
    tf = shutil.which("terraform") or "terraform"
    subprocess.run(
        [tf, f"-chdir={root}", "init", "-backend=false", "-input=false", "-no-color"],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    mocks = _mock_blocks(root)
    planned: dict[str, tuple[str, dict[str, Any]]] = {}
    for m in _run_test(root, mocks + '\nrun "plan" {\n  command = plan\n}\n', env):
        if m.get("type") == "test_plan":
            for rc in m["test_plan"].get("resource_changes") or []:
                if rc.get("mode") == "managed":
                    planned[rc["address"]] = (rc["type"], rc["change"].get("after") or {})
    overrides = []
    for address, (rtype, values) in sorted(planned.items()):
        arn = mock_arn(rtype, address, values)
        values = {"arn": arn, **_extra_values(rtype, address)}
        overrides.append(
            f"override_resource {{\n  target = {address}\n  override_during = plan\n"
            f"  values = {harness.hcl_value(values)}\n}}\n"
        )
    # override_during = plan: mocked and overridden values are known at plan time, so a plan (no
    # simulated apply, no destroy) already holds every policy in full.
    body = _mock_blocks(root, values_at_plan=True) + "\n".join(overrides) + '\nrun "values" {\n  command = plan\n}\n'
    msgs = _run_test(root, body, env)
    for m in msgs:
        if m.get("type") == "test_plan" and m.get("@testrun") == "values":
            changes = m["test_plan"].get("resource_changes") or []
            resources = [
                {"address": rc["address"], "mode": rc["mode"], "type": rc["type"], "values": rc["change"]["after"]}
                for rc in changes
                if rc["mode"] == "managed"
            ]
            return {"values": {"root_module": {"resources": resources}}}
    raise RuntimeError(f"no state in the output of {root}: {[m.get('type') for m in msgs]}")
