"""Evaluate a root's planned values against the flows its blueprint environment lists.

``missing(state, env)`` lists every flow the policies, key policies, bucket policies, endpoints
and security groups do not allow; ``excess(state, env)`` every key or bucket permission a role
holds that no flow needs. Both return human-readable lines (empty = good).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mlgen.blueprint import Environment, Flow, Store

from . import iam

ACCOUNT = "123456789012"
REGION = "us-east-1"
CONTEXT = {
    "aws:RequestedRegion": REGION,
    "aws:SecureTransport": "true",
    "aws:PrincipalAccount": ACCOUNT,
    "kms:CallerAccount": ACCOUNT,
}
S3_VIA = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}

# arn:aws:iam::aws:policy/PowerUserAccess v12, from AWS's managed policy reference
# (docs.aws.amazon.com/aws-managed-policy/latest/reference/PowerUserAccess.html, edited 2026-02-12,
# read 2026-12-02). AWS-managed documents are not in the planned values, so the check reads it here.
POWER_USER_ACCESS = [
    {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
    {
        "Effect": "Allow",
        "Action": [
            "account:GetAccountInformation",
            "account:GetGovCloudAccountInformation",
            "account:GetPrimaryEmail",
            "account:ListRegions",
            "iam:CreateServiceLinkedRole",
            "iam:DeleteServiceLinkedRole",
            "iam:ListRoles",
            "organizations:DescribeEffectivePolicy",
            "organizations:DescribeOrganization",
        ],
        "Resource": "*",
    },
]
# arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly v1 (created and edited 2024-10-04, same
# reference, read 2026-12-02): the pull actions the flows use (the document lists more, none wider).
REGISTRY_PULL_ONLY = [
    {
        "Effect": "Allow",
        "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Resource": "*",
    }
]
MANAGED = {
    "arn:aws:iam::aws:policy/PowerUserAccess": POWER_USER_ACCESS,
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly": REGISTRY_PULL_ONLY,
}

# Roles outside the workload flows model, each with why it may hold bucket or key permissions.
# Everything else that holds one without a flow is reported by excess().
SERVICE_ROLES = {
    "module.storage.aws_iam_role.replication[0]": "S3 replication copies every bucket to the DR region",
}


def resources(state: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    def walk(m: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        yield from m.get("resources") or []
        for c in m.get("child_modules") or []:
            yield from walk(c)

    yield from walk(state.get("values", state).get("root_module") or {})


@dataclass
class View:
    """The parts of a state the checks read, indexed."""

    by_address: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, state: Mapping[str, Any]) -> View:
        return cls({r["address"]: r for r in resources(state) if r.get("mode", "managed") == "managed"})

    def of_type(self, rtype: str) -> list[dict[str, Any]]:
        return [r for r in self.by_address.values() if r["type"] == rtype]

    def values(self, address: str) -> dict[str, Any]:
        return self.by_address[address]["values"]

    def identity(self, role_address: str) -> list[list[dict[str, Any]]]:
        role = self.values(role_address)
        out = [
            iam.statements(p["values"]["policy"])
            for p in self.of_type("aws_iam_role_policy")
            if p["values"]["role"] in (role["id"], role["name"])
        ]
        customer = {p["values"]["arn"]: p["values"]["policy"] for p in self.of_type("aws_iam_policy")}
        for att in self.of_type("aws_iam_role_policy_attachment"):
            if att["values"]["role"] not in (role["id"], role["name"]):
                continue
            arn = att["values"]["policy_arn"]
            if arn in customer:
                out.append(iam.statements(customer[arn]))
            elif arn in MANAGED:  # AWS managed documents are not in the state: the recorded copies
                out.append(MANAGED[arn])
        return out

    def key_arn(self, purpose: str) -> str:
        return self.values(f'module.keys.aws_kms_key.this["{purpose}"]')["arn"]

    def key_policy(self, key_arn: str) -> list[dict[str, Any]]:
        for k in self.of_type("aws_kms_key"):
            if k["values"]["arn"] == key_arn:
                return iam.statements(k["values"].get("policy"))
        raise KeyError(key_arn)

    def bucket_policy(self, bucket: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for p in self.of_type("aws_s3_bucket_policy"):
            if p["values"]["bucket"] == bucket:
                out += iam.statements(p["values"]["policy"])
        return out


def requests(view: View, env: Environment, flow: Flow) -> list[tuple[iam.Request, str, Any]]:
    """The AWS calls one flow makes: (request, resource kind, resource detail)."""
    store = env.store(flow.store)
    principal = view.values(flow.principal)["arn"]
    out: list[tuple[iam.Request, str, Any]] = []

    def req(action: str, resource: str, extra: Mapping[str, Any] | None = None) -> iam.Request:
        return iam.Request(principal, action, resource, {**CONTEXT, **(extra or {})})

    if store.kind == "bucket":
        assert store.address
        bucket = view.values(store.address)["bucket"]
        arn = view.values(store.address)["arn"]
        obj = f"{arn}/{flow.prefix}mlgen-flow-object"
        key = view.key_arn(store.key) if store.key else None
        if flow.action == "list":
            out.append((req("s3:ListBucket", arn, {"s3:prefix": flow.prefix}), "bucket", bucket))
        elif flow.action == "read":
            out.append((req("s3:GetObject", obj), "bucket", bucket))
            if key:
                out.append((req("kms:Decrypt", key, S3_VIA), "key", key))
        elif flow.action == "write":
            out.append((req("s3:PutObject", obj), "bucket", bucket))
            if key:
                out += [
                    (req("kms:GenerateDataKey", key, S3_VIA), "key", key),
                    (req("kms:Decrypt", key, S3_VIA), "key", key),
                ]
    elif store.kind == "registry":
        assert store.address
        repo = view.values(store.address)["arn"]
        out += [
            (req("ecr:GetAuthorizationToken", "*"), "identity", None),
            (req("ecr:BatchGetImage", repo), "identity", None),
            (req("ecr:GetDownloadUrlForLayer", repo), "identity", None),
        ]
    elif store.kind == "log_group":
        stream = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{store.name}:log-stream:mlgen-flow"
        out += [
            (req("logs:CreateLogStream", stream), "identity", None),
            (req("logs:PutLogEvents", stream), "identity", None),
        ]
    elif store.kind == "tracking_server":
        assert store.address
        server = view.values(store.address)["arn"]
        out += [
            (req("sagemaker-mlflow:LogMetric", server), "identity", None),
            (req("sagemaker-mlflow:CreateRun", server), "identity", None),
        ]
    elif store.kind == "topic":
        assert store.address
        topic = view.values(store.address)["arn"]
        out.append((req("sns:Publish", topic), "identity", None))
        if store.key:
            key = view.key_arn(store.key)
            via = {"kms:ViaService": f"sns.{REGION}.amazonaws.com"}
            out += [(req("kms:GenerateDataKey", key, via), "key", key), (req("kms:Decrypt", key, via), "key", key)]
    elif store.kind == "secrets":
        key = view.key_arn(store.key or "")
        out += [(req("kms:Encrypt", key), "key", key), (req("kms:Decrypt", key), "key", key)]
    elif store.kind == "volume":
        key = view.key_arn(store.key or "")
        grant = {"kms:GrantIsForAWSResource": "true", "kms:ViaService": f"sagemaker.{REGION}.amazonaws.com"}
        out += [(req("kms:CreateGrant", key, grant), "key", key), (req("kms:GenerateDataKey", key, grant), "key", key)]
    else:
        raise NotImplementedError(f"flows on {store.kind} stores")
    return out


def _allowed(view: View, flow_principal: str, r: iam.Request, kind: str, detail: Any) -> bool:
    identity = view.identity(flow_principal)
    if kind == "key":
        return iam.allowed(r, identity=identity, resource=view.key_policy(detail), key_policy=True, account=ACCOUNT)
    if kind == "bucket":
        return iam.allowed(r, identity=identity, resource=view.bucket_policy(detail), account=ACCOUNT)
    return iam.allowed(r, identity=identity, account=ACCOUNT)


def _isolated(view: View) -> bool:
    return any(e["values"]["vpc_endpoint_type"] == "Interface" for e in view.of_type("aws_vpc_endpoint"))


def _endpoint(view: View, service: str) -> dict[str, Any] | None:
    for e in view.of_type("aws_vpc_endpoint"):
        name = e["values"]["service_name"]
        short = name.split(f".{REGION}.", 1)[-1]
        sagemaker_owned = f"aws.sagemaker.{REGION}.{service.removeprefix('sagemaker.')}"  # AWS's own form
        if short == service or name.endswith(f".{service}") or name == sagemaker_owned:
            return e["values"]
    return None


def _ingress_443(view: View, sg_id: str) -> list[dict[str, Any]]:
    return [
        r["values"]
        for r in view.of_type("aws_vpc_security_group_ingress_rule")
        if r["values"]["security_group_id"] == sg_id
        and (
            r["values"]["ip_protocol"] == "-1"
            or (r["values"]["from_port"] or 0) <= 443 <= (r["values"]["to_port"] or 0)
        )
    ]


def route_problem(view: View, flow: Flow) -> str | None:
    """Why the network path of ``flow`` is missing (None when it exists or is not in the VPC)."""
    if flow.route == "service" or not _isolated(view):
        return None
    ep = _endpoint(view, flow.service)
    if ep is None:
        return f"no VPC endpoint for {flow.service}"
    if flow.route == "gateway":
        return None if ep.get("route_table_ids") else f"gateway endpoint {flow.service} is on no route table"
    if not ep.get("private_dns_enabled"):
        return f"interface endpoint {flow.service} has no private DNS"
    cidrs = {v["values"]["cidr_block"] for v in view.of_type("aws_vpc")}
    for sg in ep.get("security_group_ids") or []:
        for rule in _ingress_443(view, sg):
            if rule.get("cidr_ipv4") in cidrs or rule.get("referenced_security_group_id"):
                return None
    return f"interface endpoint {flow.service}: no security group admits 443 from the VPC"


def missing(state: Mapping[str, Any], env: Environment) -> list[str]:
    """Every listed flow that the planned values do not allow, as '<flow>: <call>' lines."""
    view = View.of(state)
    problems: list[str] = []
    for flow in env.flows:
        label = f"{flow.principal} {flow.action} {flow.store}/{flow.prefix} ({flow.why})"
        for r, kind, detail in requests(view, env, flow):
            if not _allowed(view, flow.principal, r, kind, detail):
                problems.append(f"{label}: {r.action} on {r.resource} denied")
        route = route_problem(view, flow)
        if route:
            problems.append(f"{label}: {route}")
    return problems


def excess(state: Mapping[str, Any], env: Environment) -> list[str]:
    """Key and bucket permissions a role holds that no flow of that role needs."""
    view = View.of(state)
    buckets = {s.address: s for s in env.stores if s.kind == "bucket" and s.address}
    problems: list[str] = []
    for role in view.of_type("aws_iam_role"):
        address = role["address"]
        if address in SERVICE_ROLES:
            continue
        flows = [f for f in env.flows if f.principal == address]
        identity = view.identity(address)
        needed_keys = {
            view.key_arn(env.store(f.store).key or "")
            for f in flows
            if env.store(f.store).kind in ("bucket", "volume", "topic", "secrets") and env.store(f.store).key
        }
        for key in view.of_type("aws_kms_key"):
            arn = key["values"]["arn"]
            if arn in needed_keys:
                continue
            for action in ("kms:Decrypt", "kms:GenerateDataKey"):
                r = iam.Request(role["values"]["arn"], action, arn, {**CONTEXT, **S3_VIA})
                if iam.allowed(r, identity=identity, resource=view.key_policy(arn), key_policy=True, account=ACCOUNT):
                    problems.append(f"{address} may {action} with {key['address']} but no flow needs it")
        for b_address, store in buckets.items():
            b = view.values(b_address)
            used = {f.action for f in flows if f.store == store.id}
            for action, cls in (("s3:GetObject", "read"), ("s3:PutObject", "write"), ("s3:DeleteObject", "write")):
                if cls in used:
                    continue
                r = iam.Request(role["values"]["arn"], action, f"{b['arn']}/any/object", CONTEXT)
                if iam.allowed(r, identity=identity, resource=view.bucket_policy(b["bucket"]), account=ACCOUNT):
                    problems.append(f"{address} may {action} in the {store.id} bucket but no flow needs it")
    return problems


__all__ = ["Store", "excess", "missing"]
