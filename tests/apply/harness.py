"""Apply → empty re-plan → destroy of generated roots against a local moto server.

The cycle for one root (``infra/bootstrap`` or ``infra/envs/<env>`` of a rendered example):

1. The example is rendered with ``mlgen.api.new(check=False, use_git=False)`` and its ``infra/``
   folder copied; everything below happens in the COPY, never in a generated project.
2. ``prevent_destroy = true`` is rewritten to ``false`` in the copy's modules: a lifecycle block
   cannot be overridden by a variable or an override file, and the cycle must end in a destroy.
   This is the only edit to generated files; it is counted and reported.
3. ``mlgen_apply_override.tf`` redefines every ``provider "aws"`` block of the root (aliases too):
   test keys, ``skip_*`` flags, ``s3_use_path_style``, ``max_retries = 2`` and an ``endpoints``
   entry per service pointing at the root's own moto server; and a local backend.
4. ``mlgen_apply/cycle.tftest.hcl`` holds one ``override_resource`` per resource of a type listed
   in ``stubs.yaml`` (types moto does not implement) and two runs: ``apply`` (command = apply) and
   ``replan`` (command = plan). ``terraform test -verbose -json`` prints the re-plan; every
   resource change in it must be a no-op (the equivalent of ``plan -detailed-exitcode`` = 0).
   ``terraform test`` then destroys what it applied; a destroy failure fails the cycle.

Terraform runs with ``HTTPS_PROXY``/``HTTP_PROXY`` at a dead local port and ``NO_PROXY`` for
127.0.0.1, so a missing endpoint fails fast instead of reaching AWS.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
EXAMPLES = REPO / "examples"
STUBS_FILE = HERE / "stubs.yaml"
OVERRIDE_FILE = "mlgen_apply_override.tf"
TEST_DIR = "mlgen_apply"

# Provider `endpoints` keys (aws provider 5.x) for every service a generated root may call.
ENDPOINT_SERVICES = (
    "applicationautoscaling",
    "autoscaling",
    "budgets",
    "ce",
    "cloudtrail",
    "cloudwatch",
    "cloudwatchlogs",
    "dynamodb",
    "ec2",
    "ecr",
    "efs",
    "eks",
    "elbv2",
    "eventbridge",
    "fsx",
    "iam",
    "kms",
    "lambda",
    "organizations",
    "resourcegroupstaggingapi",
    "s3",
    "sagemaker",
    "secretsmanager",
    "servicequotas",
    "sns",
    "sqs",
    "ssm",
    "sts",
)

DEAD_PROXY = "http://127.0.0.1:9"


# --------------------------------------------------------------------------- roots


@dataclass(frozen=True)
class Root:
    """One generated Terraform root of one example."""

    example: str
    path: str  # relative to infra/: "bootstrap" or "envs/<env>"

    @property
    def id(self) -> str:
        return f"{self.example}:{self.path}"


def example_names() -> list[str]:
    """Every example with an answers file."""
    return sorted(p.parent.name for p in EXAMPLES.glob("*/answers.yml"))


def roots_of(example: str, infra: Path | None = None) -> list[Root]:
    """The roots of ``example``: bootstrap, then each env (read from a render, or from its golden)."""
    infra = infra or EXAMPLES / example / "project" / "infra"
    envs = sorted(p.name for p in (infra / "envs").iterdir() if p.is_dir()) if (infra / "envs").is_dir() else []
    return [Root(example, "bootstrap"), *(Root(example, f"envs/{e}") for e in envs)]


def all_roots() -> list[Root]:
    """Every root of every example."""
    return [r for name in example_names() for r in roots_of(name)]


def render_example(example: str, dest: Path) -> Path:
    """Render ``examples/<example>/answers.yml`` into ``dest`` (no checks, no git); return ``dest``."""
    from mlgen.answers import load_answers
    from mlgen.api import new

    if not (dest / "infra").is_dir():
        new(dest, load_answers(EXAMPLES / example / "answers.yml"), check=False, use_git=False, echo=lambda _m: None)
    return dest


# --------------------------------------------------------------------------- HCL scanning


def _blocks(text: str, header: str) -> Iterator[tuple[re.Match[str], str]]:
    """Yield (header match, body) for every top-level block whose header matches ``header``."""
    for m in re.finditer(header, text, flags=re.MULTILINE):
        depth, i = 0, m.end() - 1
        assert text[i] == "{"
        for j in range(i, len(text)):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    yield m, text[i + 1 : j]
                    break


def provider_aliases(root: Path) -> list[str | None]:
    """Aliases of every ``provider "aws"`` block in ``root`` (None for the default one)."""
    aliases: list[str | None] = []
    for tf in sorted(root.glob("*.tf")):
        if tf.name.endswith("_override.tf"):
            continue
        for _m, body in _blocks(tf.read_text(encoding="utf-8"), r'^provider\s+"aws"\s*\{'):
            alias = re.search(r'^\s*alias\s*=\s*"([^"]+)"', body, flags=re.MULTILINE)
            aliases.append(alias.group(1) if alias else None)
    return aliases


def resource_addresses(root: Path) -> dict[str, list[str]]:
    """Resource type → static addresses (``module.x.aws_t.name``) in ``root`` and its local modules."""
    found: dict[str, list[str]] = {}

    def scan(folder: Path, prefix: str) -> None:
        for tf in sorted(folder.glob("*.tf")):
            text = tf.read_text(encoding="utf-8")
            for m in re.finditer(r'^resource\s+"([a-z0-9_]+)"\s+"([A-Za-z0-9_-]+)"', text, flags=re.MULTILINE):
                found.setdefault(m.group(1), []).append(f"{prefix}{m.group(1)}.{m.group(2)}")
            for m, body in _blocks(text, r'^module\s+"([A-Za-z0-9_-]+)"\s*\{'):
                src = re.search(r'^\s*source\s*=\s*"(\.{1,2}/[^"]+)"', body, flags=re.MULTILINE)
                if src:
                    scan((folder / src.group(1)).resolve(), f"{prefix}module.{m.group(1)}.")

    scan(root, "")
    return found


# --------------------------------------------------------------------------- stubs


@dataclass(frozen=True)
class Stub:
    """A resource type moto does not implement, stubbed with ``override_resource``."""

    type: str
    reason: str
    values: Mapping[str, Any] = field(default_factory=dict)


def load_stubs(path: Path = STUBS_FILE) -> dict[str, Stub]:
    """The reviewed stub list; every entry needs a type and a reason."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    stubs: dict[str, Stub] = {}
    for i, entry in enumerate(data.get("stubs") or []):
        for key in ("type", "reason"):
            if not str(entry.get(key) or "").strip():
                raise ValueError(
                    f"{path.name}: stubs[{i}].{key} is missing; every stubbed type needs a type and a reason"
                )
        if entry["type"] in stubs:
            raise ValueError(f"{path.name}: stubs[{i}].type {entry['type']!r} is listed twice")
        stubs[entry["type"]] = Stub(entry["type"], entry["reason"].strip(), dict(entry.get("values") or {}))
    return stubs


# --------------------------------------------------------------------------- files written into the copy


def hcl_value(value: Any) -> str:
    """A JSON-compatible Python value as HCL (JSON syntax is valid HCL for these)."""
    return json.dumps(value)


def override_tf(aliases: list[str | None], endpoint: str) -> str:
    """Provider and backend overrides pointing every aws provider block at ``endpoint``."""
    out = ["# Written by tests/apply (mlgen's apply cycle): every aws provider talks to a local moto server.\n"]
    for alias in aliases:
        lines = ['provider "aws" {']
        if alias:
            lines.append(f'  alias                       = "{alias}"')
        lines += [
            '  access_key                  = "test"',
            '  secret_key                  = "test"',
            "  skip_credentials_validation = true",
            "  skip_metadata_api_check     = true",
            "  skip_region_validation      = true",
            "  s3_use_path_style           = true",
            "  max_retries                 = 2",
            "",
            "  endpoints {",
            *(f'    {svc} = "{endpoint}"' for svc in ENDPOINT_SERVICES),
            "  }",
            "}",
            "",
        ]
        out.append("\n".join(lines))
    out.append('terraform {\n  backend "local" {}\n}\n')
    return "\n".join(out)


def cycle_test_hcl(addresses: Mapping[str, list[str]], stubs: Mapping[str, Stub]) -> tuple[str, list[str]]:
    """The ``terraform test`` file of the cycle and the addresses it stubs."""
    parts = ["# Written by tests/apply: apply, then a re-plan that must be empty (checked from -verbose -json).\n"]
    stubbed: list[str] = []
    for rtype in sorted(addresses):
        stub = stubs.get(rtype)
        if stub is None:
            continue
        for address in addresses[rtype]:
            stubbed.append(address)
            parts.append(
                f"# {rtype}: {stub.reason.splitlines()[0]}\n"
                f"override_resource {{\n  target = {address}\n  values = {hcl_value(dict(stub.values))}\n}}\n"
            )
    parts.append('run "apply" {\n  command = apply\n}\n')
    parts.append('run "replan" {\n  command = plan\n}\n')
    return "\n".join(parts), stubbed


def rewrite_prevent_destroy(infra: Path) -> int:
    """Flip ``prevent_destroy = true`` in the copy's modules; return how many were flipped."""
    flipped = 0
    for tf in sorted((infra / "modules").rglob("*.tf")):
        text = tf.read_text(encoding="utf-8")
        new, n = re.subn(r"(prevent_destroy\s*=\s*)true", r"\1false", text)
        if n:
            tf.write_text(new, encoding="utf-8")
            flipped += n
    return flipped


# --------------------------------------------------------------------------- moto


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MotoServer:
    """A patched moto server in a subprocess (``moto_server.py``)."""

    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_moto(log: Path, *, patched: bool = True, timeout: float = 60.0) -> MotoServer:
    """Start moto on a free port and wait until it answers."""
    import urllib.request

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    cmd = [sys.executable, str(HERE / "moto_server.py"), "--port", str(port), *([] if patched else ["--no-patches"])]
    fh = log.open("wb")
    proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
    server = MotoServer(port, proc, log)
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"moto server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            opener.open(f"{server.endpoint}/moto-api/data.json", timeout=2).read()
            return server
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"moto server did not answer on {server.endpoint} within {timeout:.0f} s") from None
            time.sleep(0.3)


# --------------------------------------------------------------------------- the cycle


@dataclass
class CycleResult:
    """What one apply → re-plan → destroy cycle did."""

    root: str
    ok: bool
    applied_types: list[str]
    stubbed: list[str]
    prevent_destroy_flipped: int
    replan_changes: list[str]
    diagnostics: list[str]
    seconds: dict[str, float]
    resources: int = 0

    def summary(self) -> str:
        t = self.seconds
        return (
            f"{self.root}: {'ok' if self.ok else 'FAILED'}; {self.resources} resources, {len(self.stubbed)} stubbed; "
            f"init {t.get('init', 0):.0f} s, apply {t.get('apply', 0):.0f} s, re-plan {t.get('replan', 0):.0f} s, "
            f"destroy {t.get('destroy', 0):.0f} s, total {t.get('total', 0):.0f} s"
        )


def terraform_env(base: Mapping[str, str]) -> dict[str, str]:
    """Terraform's environment: offline CLI config from ``base``, test keys, dead proxy."""
    env = {k: v for k, v in base.items() if not k.startswith("AWS_")}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_EC2_METADATA_DISABLED": "true",
            "HTTPS_PROXY": DEAD_PROXY,
            "HTTP_PROXY": DEAD_PROXY,
            "https_proxy": DEAD_PROXY,
            "http_proxy": DEAD_PROXY,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "CHECKPOINT_DISABLE": "1",
            "TF_IN_AUTOMATION": "1",
        }
    )
    env.pop("TF_LOG", None)
    return env


def prepare_copy(
    project: Path, root: Root, work: Path, endpoint: str, stubs: Mapping[str, Stub]
) -> tuple[Path, int, list[str]]:
    """Copy ``project/infra`` to ``work`` and write the overrides; return (root dir, flipped, stubbed)."""
    infra = work / "infra"
    if infra.exists():
        shutil.rmtree(infra)
    shutil.copytree(project / "infra", infra, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
    flipped = rewrite_prevent_destroy(infra)
    root_dir = infra / root.path
    (root_dir / OVERRIDE_FILE).write_text(override_tf(provider_aliases(root_dir), endpoint), encoding="utf-8")
    text, stubbed = cycle_test_hcl(resource_addresses(root_dir), stubs)
    (root_dir / TEST_DIR).mkdir(exist_ok=True)
    (root_dir / TEST_DIR / "cycle.tftest.hcl").write_text(text, encoding="utf-8")
    return root_dir, flipped, stubbed


def _messages(stdout: str) -> list[dict[str, Any]]:
    out = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
    return out


def _ts(msg: Mapping[str, Any]) -> float:
    from datetime import datetime

    return datetime.fromisoformat(str(msg["@timestamp"]).replace("Z", "+00:00")).timestamp()


def parse_test_output(stdout: str) -> dict[str, Any]:
    """Status, re-plan changes, applied types, diagnostics and phase times from ``terraform test -json``."""
    msgs = _messages(stdout)
    status = None
    diagnostics: list[str] = []
    changes: list[str] = []
    applied: set[str] = set()
    resources = 0
    starts: dict[str, float] = {}
    seconds: dict[str, float] = {}
    last_run_end = None
    for m in msgs:
        kind = m.get("type")
        if kind == "test_summary":
            status = m["test_summary"].get("status")
        elif kind == "diagnostic":
            d = m.get("diagnostic", {})
            if d.get("severity") == "error":
                where = d.get("address") or (d.get("range") or {}).get("filename") or ""
                diagnostics.append(f"{where}: {d.get('summary')}: {d.get('detail', '')}".strip())
        elif kind == "test_run":
            run = m["test_run"]
            if run.get("progress") == "starting":
                starts[run["run"]] = _ts(m)
            elif run.get("progress") == "complete":
                seconds[run["run"]] = _ts(m) - starts.get(run["run"], _ts(m))
                last_run_end = _ts(m)
                if run.get("status") not in (None, "pass"):
                    diagnostics.append(f"run {run['run']}: {run.get('status')}")
        elif kind == "test_plan" and m.get("@testrun") == "replan":
            for rc in m["test_plan"].get("resource_changes") or []:
                actions = rc.get("change", {}).get("actions") or []
                if actions not in (["no-op"], ["read"]):
                    changes.append(f"{rc.get('address')}: {'/'.join(actions)}")
        elif kind == "test_state" and m.get("@testrun") == "apply":
            state = m["test_state"]
            stack = [(state.get("values") or state).get("root_module") or {}]
            while stack:
                mod = stack.pop()
                for r in mod.get("resources") or []:
                    if r.get("mode") == "managed":
                        applied.add(r["type"])
                        resources += 1
                stack.extend(mod.get("child_modules") or [])
        elif kind == "test_file" and m["test_file"].get("progress") == "complete" and last_run_end is not None:
            # terraform test destroys what the runs applied between the last run and file completion.
            seconds["destroy"] = _ts(m) - last_run_end
    return {
        "status": status,
        "changes": changes,
        "diagnostics": diagnostics,
        "applied_types": sorted(applied),
        "resources": resources,
        "seconds": seconds,
    }


def run_cycle(
    project: Path, root: Root, work: Path, endpoint: str, base_env: Mapping[str, str], *, timeout: int = 900
) -> CycleResult:
    """Run the whole cycle for ``root`` of the rendered ``project`` in ``work``."""
    stubs = load_stubs()
    t0 = time.monotonic()
    root_dir, flipped, stubbed = prepare_copy(project, root, work, endpoint, stubs)
    env = terraform_env(base_env)
    tf = shutil.which("terraform") or "terraform"
    init = subprocess.run(
        [tf, f"-chdir={root_dir}", "init", "-input=false", "-no-color"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    t_init = time.monotonic() - t0
    if init.returncode != 0:
        return CycleResult(root.id, False, [], stubbed, flipped, [], [init.stderr or init.stdout], {"init": t_init})
    log = work / f"terraform-test-{root.path.replace('/', '-')}.jsonl"
    with log.open("w", encoding="utf-8") as out:  # streamed, so a slow cycle can be watched
        proc = subprocess.run(
            [tf, f"-chdir={root_dir}", "test", "-no-color", "-json", "-verbose", f"-test-directory={TEST_DIR}"],
            env=env,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=timeout,
            check=False,
        )
    stdout = log.read_text(encoding="utf-8")
    parsed = parse_test_output(stdout)
    seconds = {"init": t_init, **parsed["seconds"], "total": time.monotonic() - t0}
    diagnostics = parsed["diagnostics"] + ([proc.stderr.strip()] if proc.stderr.strip() else [])
    ok = proc.returncode == 0 and parsed["status"] == "pass" and not parsed["changes"] and not diagnostics
    return CycleResult(
        root.id,
        ok,
        parsed["applied_types"],
        stubbed,
        flipped,
        parsed["changes"],
        diagnostics,
        seconds,
        parsed["resources"],
    )


# --------------------------------------------------------------------------- which types a root creates

_MOCKS = """  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[]}" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:root" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1", id = "us-east-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_availability_zones" {
    defaults = { names = ["us-east-1a", "us-east-1b", "us-east-1c"], zone_ids = ["use1-az1", "use1-az2", "use1-az4"] }
  }
  mock_data "aws_ec2_instance_type_offerings" {
    defaults = { locations = ["use1-az1", "use1-az2", "use1-az4"] }
  }
"""


def planned_types(project: Path, root: Root, work: Path, base_env: Mapping[str, str]) -> list[str]:
    """Resource types a root creates, from an offline plan under ``mock_provider`` (no emulator)."""
    infra = work / "infra"
    if infra.exists():
        shutil.rmtree(infra)
    shutil.copytree(project / "infra", infra, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
    root_dir = infra / root.path
    blocks = [
        'mock_provider "aws" {\n' + (f'  alias = "{a}"\n' if a else "") + _MOCKS + "}\n"
        for a in provider_aliases(root_dir)
    ]
    (root_dir / "mlgen_types").mkdir()
    (root_dir / "mlgen_types" / "plan.tftest.hcl").write_text(
        "\n".join(blocks) + '\nrun "plan" {\n  command = plan\n}\n', encoding="utf-8"
    )
    tf = shutil.which("terraform") or "terraform"
    env = dict(base_env)
    subprocess.run(
        [tf, f"-chdir={root_dir}", "init", "-backend=false", "-input=false", "-no-color"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    proc = subprocess.run(
        [tf, f"-chdir={root_dir}", "test", "-no-color", "-json", "-verbose", "-test-directory=mlgen_types"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    types: set[str] = set()
    for m in _messages(proc.stdout):
        if m.get("type") == "test_plan":
            for rc in m["test_plan"].get("resource_changes") or []:
                if rc.get("mode") == "managed" and "create" in (rc.get("change", {}).get("actions") or []):
                    types.add(rc["type"])
    if proc.returncode != 0 or not types:
        raise RuntimeError(f"offline plan of {root.id} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    return sorted(types)


def greedy_cover(types_by_root: Mapping[str, list[str]]) -> list[str]:
    """Few roots whose types together cover every type (greedy set cover, ties by name)."""
    left = set().union(*map(set, types_by_root.values())) if types_by_root else set()
    chosen: list[str] = []
    while left:
        best = max(sorted(types_by_root), key=lambda r: len(left & set(types_by_root[r])))
        chosen.append(best)
        left -= set(types_by_root[best])
    return sorted(chosen)


SUBSET_FILE = HERE / "subset.yaml"


def load_subset(path: Path = SUBSET_FILE) -> dict[str, Any]:
    """The committed subset: ``roots`` (ids) and ``types`` (every type the examples create)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        "roots": list(data.get("roots") or {}),
        "types_by_root": dict(data.get("roots") or {}),
        "types": list(data.get("types") or []),
    }
