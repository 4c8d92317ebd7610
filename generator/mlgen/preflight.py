"""``mlgen preflight DEST``: check an AWS account against a generated project before the first apply.

With the caller's credentials (boto3's usual chain: environment, profile, SSO, instance role) it reads
what the project's recorded blueprint says it will create (never re-deciding) and checks:

- service quotas for the training and endpoint instance types (SageMaker per-type quotas, or EC2
  On-Demand/Spot vCPU quotas for EKS node groups), which new accounts often hold at 0;
- that the account offers the EKS instance types in at least two zones, by zone id;
- that the cost-allocation tags the budgets filter on are active;
- which account singletons already exist (the AWS-services anomaly monitor, the
  ``/aws/sagemaker/TrainingJobs`` log group, multi-region management trails): the root that owns the
  account's layer creates them, and a copy made outside this project makes that apply fail.

An answer AWS cannot give (an API the account or emulator does not serve, access denied) is shown as
``unknown`` and does not fail the run; a check that fails exits :data:`EXIT_PREFLIGHT`.

boto3 is imported inside :func:`run` so ``mlgen --help`` stays instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgen.errors import EnvironmentProblem, ToolError

# EC2 vCPU quotas by instance family (codes from the EC2 User Guide, "On-Demand Instance quotas" and
# "Spot Instance quotas", https://docs.aws.amazon.com/ec2/latest/userguide/ec2-resource-limits.html,
# read 2026-12). Families not listed fall under the standard quota.
EC2_VCPU_QUOTAS = {
    "ON_DEMAND": {"g": "L-DB2E81BA", "vt": "L-DB2E81BA", "p": "L-417A185B", "standard": "L-1216C47A"},
    "SPOT": {"g": "L-3819A6DF", "vt": "L-3819A6DF", "p": "L-7212CCBC", "standard": "L-34B43A08"},
}
TRAINING_LOG_GROUP = "/aws/sagemaker/TrainingJobs"


@dataclass(frozen=True)
class Check:
    """One row of the preflight table."""

    check: str
    subject: str
    status: str  # ok | fail | unknown
    detail: str


@dataclass(frozen=True)
class Report:
    """Every check of one run."""

    account: str
    region: str
    checks: list[Check]

    @property
    def failed(self) -> list[Check]:
        """The checks that block an apply."""
        return [c for c in self.checks if c.status == "fail"]

    def table(self) -> list[str]:
        """The checks as an aligned text table."""
        rows = [("check", "subject", "status", "detail")] + [
            (c.check, c.subject, c.status, c.detail) for c in self.checks
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        return [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip() for r in rows]


def _ec2_family(instance_type: str) -> str:
    prefix = instance_type.split(".")[0].lower()
    if prefix.startswith("vt"):
        return "vt"
    return prefix[0] if prefix[:1] in ("g", "p") else "standard"


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code") or type(exc).__name__)


def _quota_value(sq: Any, service: str, *, name: str | None = None, code: str | None = None) -> float | None:
    """The applied value of a quota (falling back to AWS's default), by name or code; None when unknown."""
    for lister in ("list_service_quotas", "list_aws_default_service_quotas"):
        paginator = sq.get_paginator(lister)
        for page in paginator.paginate(ServiceCode=service):
            for q in page.get("Quotas", []):
                if (name and q.get("QuotaName") == name) or (code and q.get("QuotaCode") == code):
                    return float(q["Value"])
    return None


def _unknown(check: str, subject: str, exc: Exception) -> Check:
    return Check(check, subject, "unknown", f"could not read it ({_error_code(exc)})")


def _sagemaker_quotas(sq: Any, ml: dict[str, Any]) -> list[Check]:
    wants: list[tuple[str, int]] = []
    if ml.get("training_platform") == "sagemaker":
        usage = "spot training job usage" if ml.get("use_spot") else "training job usage"
        wants.append((f"{ml['instance_type']} for {usage}", int(ml.get("instance_count") or 1)))
    inference = ml.get("inference") or {}
    if inference.get("instance_type") and ml.get("inference_mode") in ("online", "async"):
        need = max(int(inference.get("min_instances") or 1), int(inference.get("max_instances") or 1))
        wants.append((f"{inference['instance_type']} for endpoint usage", need))
    out = []
    for name, need in wants:
        try:
            value = _quota_value(sq, "sagemaker", name=name)
        except Exception as exc:
            out.append(_unknown("quota", name, exc))
            continue
        if value is None:
            out.append(Check("quota", name, "unknown", "quota not listed for this account and region"))
        elif value < need:
            out.append(
                Check("quota", name, "fail", f"{value:g} < {need} needed; request an increase in Service Quotas")
            )
        else:
            out.append(Check("quota", name, "ok", f"{value:g} >= {need}"))
    return out


def _eks_types(ml: dict[str, Any], bp: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(instance type, ON_DEMAND|SPOT, nodes) of the EKS node groups the blueprint creates."""
    if ml.get("training_platform") != "eks":
        return []
    out = []
    for env in bp.get("environments") or []:
        for m in env.get("modules") or []:
            if m.get("source") != "training_eks":
                continue
            inputs = m.get("inputs") or {}
            system = inputs.get("system_node_group") or {}
            if system.get("instance_type"):
                out.append((system["instance_type"], "ON_DEMAND", int(system.get("max_size") or 1)))
            for group in (inputs.get("gpu_node_groups") or {}).values():
                for t in group.get("instance_types") or []:
                    out.append((t, group.get("capacity_type") or "ON_DEMAND", int(group.get("max_size") or 1)))
    return sorted(set(out))


def _ec2_quotas(sq: Any, ec2: Any, types: list[tuple[str, str, int]]) -> list[Check]:
    out = []
    for itype, capacity, nodes in types:
        code = EC2_VCPU_QUOTAS[capacity][_ec2_family(itype)]
        subject = f"{itype} x {nodes} ({capacity.lower().replace('_', '-')} vCPUs, {code})"
        try:
            vcpus = ec2.describe_instance_types(InstanceTypes=[itype])["InstanceTypes"][0]["VCpuInfo"]["DefaultVCpus"]
            value = _quota_value(sq, "ec2", code=code)
        except Exception as exc:
            out.append(_unknown("quota", subject, exc))
            continue
        need = int(vcpus) * nodes
        if value is None:
            out.append(Check("quota", subject, "unknown", "quota not listed for this account and region"))
        elif value < need:
            out.append(Check("quota", subject, "fail", f"{value:g} vCPUs < {need} needed; request an increase"))
        else:
            out.append(Check("quota", subject, "ok", f"{value:g} vCPUs >= {need}"))
    return out


def _zones(ec2: Any, types: list[str]) -> list[Check]:
    out = []
    for itype in types:
        try:
            pages = ec2.get_paginator("describe_instance_type_offerings").paginate(
                LocationType="availability-zone-id", Filters=[{"Name": "instance-type", "Values": [itype]}]
            )
            zones = sorted({o["Location"] for p in pages for o in p.get("InstanceTypeOfferings", [])})
        except Exception as exc:
            out.append(_unknown("zones", itype, exc))
            continue
        status = "ok" if len(zones) >= 2 else "fail"
        detail = ", ".join(zones) if zones else "offered in no zone of this region"
        out.append(Check("zones", itype, status, detail + ("" if status == "ok" else " (node groups need two zones)")))
    return out


def _cost_tags(ce: Any, keys: list[str]) -> list[Check]:
    try:
        found = {
            t["TagKey"]: t["Status"] for t in ce.list_cost_allocation_tags(TagKeys=keys).get("CostAllocationTags", [])
        }
    except Exception as exc:
        return [_unknown("cost tag", k, exc) for k in keys]
    return [
        Check("cost tag", k, "ok", "active")
        if found.get(k) == "Active"
        else Check(
            "cost tag",
            k,
            "unknown",
            f"{found.get(k, 'not seen yet').lower()}: the owner root activates it (budgets read $0 until then)",
        )
        for k in keys
    ]


def _singletons(session: Any, region: str, slug: str, owner_envs: list[str]) -> list[Check]:
    ours = {f"{slug}-{e}" for e in owner_envs}
    out: list[Check] = []
    try:
        groups = session.client("logs", region_name=region).describe_log_groups(logGroupNamePrefix=TRAINING_LOG_GROUP)
        exists = any(g["logGroupName"] == TRAINING_LOG_GROUP for g in groups.get("logGroups", []))
        out.append(
            Check(
                "singleton",
                TRAINING_LOG_GROUP,
                "fail" if exists else "ok",
                "already exists: the owner root's apply fails with ResourceAlreadyExistsException; import it "
                "(terraform import 'module.training.aws_cloudwatch_log_group.this[0]' /aws/sagemaker/TrainingJobs) "
                "or delete it"
                if exists
                else "absent; the owner root creates it",
            )
        )
    except Exception as exc:
        out.append(_unknown("singleton", TRAINING_LOG_GROUP, exc))
    try:
        monitors = session.client("ce", region_name="us-east-1").get_anomaly_monitors().get("AnomalyMonitors", [])
        foreign = [
            m["MonitorName"]
            for m in monitors
            if m.get("MonitorType") == "DIMENSIONAL" and m.get("MonitorName") not in {f"{n}-services" for n in ours}
        ]
        out.append(
            Check(
                "singleton",
                "AWS-services anomaly monitor",
                "fail" if foreign else "ok",
                f"already exists ({', '.join(foreign)}): AWS allows one per account; pass its ARN as the budget "
                "module's existing_anomaly_monitor_arn"
                if foreign
                else "absent; the owner root creates it",
            )
        )
    except Exception as exc:
        out.append(_unknown("singleton", "AWS-services anomaly monitor", exc))
    try:
        trails = session.client("cloudtrail", region_name=region).describe_trails().get("trailList", [])
        foreign = [t["Name"] for t in trails if t.get("IsMultiRegionTrail") and t.get("Name") not in ours]
        out.append(
            Check(
                "singleton",
                "multi-region trail",
                "unknown" if foreign else "ok",
                f"{', '.join(foreign)} already records management events: the project's trail is a billed second "
                "copy ($2 per 100k events)"
                if foreign
                else "none; the owner root's trail is the account's first (free) copy",
            )
        )
    except Exception as exc:
        out.append(_unknown("singleton", "multi-region trail", exc))
    return out


def run(project: Path, *, env: str | None = None, endpoint_url: str | None = None) -> Report:
    """Run every check for ``env`` (default: the root that owns the account's layer) of ``project``.

    Args:
        project: a generated project's folder (its recorded blueprint says what to check).
        env: environment whose account to check; its ``assume_role_arn`` is assumed when recorded.
        endpoint_url: send every AWS call to this endpoint (a local emulator in tests).

    Raises:
        ToolError: boto3 is not installed.
        EnvironmentProblem: no AWS credentials, or the environment is unknown.
    """
    from mlgen.api import read_project

    _, bp = read_project(project)
    try:
        import boto3
        import botocore.exceptions
    except ImportError:
        raise ToolError(
            "mlgen preflight needs boto3", details=["install it with the aws extra: pip install 'mlgen-cli[aws]'"]
        ) from None
    envs = bp.get("environments") or []
    names = [e.get("name") for e in envs]
    if env is not None and env not in names:
        raise EnvironmentProblem(
            f"no environment {env!r} in this project", details=[f"choose one of {', '.join(names)}"]
        )
    owners = [e for e in envs if e.get("owns_account_layer", True)]
    chosen = next((e for e in envs if e.get("name") == env), None) or (owners or envs)[0]
    region = str(bp.get("region") or "us-east-1")
    ml = bp.get("ml") or {}
    session = boto3.session.Session(region_name=region)
    kw = {"endpoint_url": endpoint_url} if endpoint_url else {}
    try:
        account = session.client("sts", **kw).get_caller_identity()["Account"]
        role = chosen.get("assume_role_arn")
        if role:
            creds = session.client("sts", **kw).assume_role(RoleArn=role, RoleSessionName="mlgen-preflight")[
                "Credentials"
            ]
            session = boto3.session.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
                region_name=region,
            )
            account = str(chosen.get("account_id") or account)
    except (botocore.exceptions.NoCredentialsError, botocore.exceptions.ClientError) as exc:
        raise EnvironmentProblem(
            f"cannot use AWS credentials: {exc}",
            details=["set AWS_PROFILE (or run `aws sso login`) for the account of this environment"],
        ) from None

    class _Session:  # every client of this run goes to endpoint_url when one is given
        def client(self, name: str, region_name: str | None = None) -> Any:
            return session.client(name, region_name=region_name or region, **kw)  # type: ignore[call-overload]

    s = _Session()
    sq, ec2 = s.client("service-quotas"), s.client("ec2")
    eks = _eks_types(ml, bp)
    checks = [*_sagemaker_quotas(sq, ml), *_ec2_quotas(sq, ec2, eks), *_zones(ec2, sorted({t for t, _, _ in eks}))]
    if chosen.get("primary"):
        from mlgen.decide import COST_ALLOCATION_TAGS

        checks += _cost_tags(s.client("ce", region_name="us-east-1"), list(COST_ALLOCATION_TAGS))
    if chosen.get("owns_account_layer", True):
        slug = str((bp.get("project") or {}).get("slug") or "")
        checks += _singletons(s, region, slug, [str(e.get("name")) for e in owners])
    return Report(account=str(account), region=region, checks=checks)
