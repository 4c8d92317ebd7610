"""Issue #12 item 3: every data flow the blueprint lists works on the planned values, and only those.

For every environment root of every example: render, apply under ``mock_provider`` (planned.py),
evaluate identity, key and bucket policies, VPC endpoints and security groups for each flow of the
blueprint (check.py), and list key/bucket permissions no flow needs. The mutation tests remove one
supporting grant, key-policy statement or endpoint at a time and require the affected flow to be
reported, so the check cannot pass vacuously.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from apply import harness

from mlgen.answers import load_answers
from mlgen.decide import ENDPOINT_ROLE, decide

from . import check, iam

pytestmark = [pytest.mark.terraform, pytest.mark.flows]


def _env_roots() -> list[tuple[str, str]]:
    return [(r.example, r.path) for r in harness.all_roots() if r.path.startswith("envs/")]


def _env(example: str, root: str):  # type: ignore[no-untyped-def]
    bp = decide(load_answers(harness.EXAMPLES / example / "answers.yml"))
    return bp.env(root.removeprefix("envs/"))


@pytest.mark.parametrize(("example", "root"), _env_roots(), ids=[f"{e}:{r}" for e, r in _env_roots()])
def test_every_flow_is_allowed(example: str, root: str, root_state) -> None:  # type: ignore[no-untyped-def]
    env = _env(example, root)
    assert env.flows, "the blueprint lists no flows"
    assert check.missing(root_state(example, root), env) == []


@pytest.mark.parametrize(("example", "root"), _env_roots(), ids=[f"{e}:{r}" for e, r in _env_roots()])
def test_no_key_or_bucket_permission_without_a_flow(example: str, root: str, root_state) -> None:  # type: ignore[no-untyped-def]
    assert check.excess(root_state(example, root), _env(example, root)) == []


# ----------------------------------------------------------------------------- mutations

MUTATION_ROOT = ("hipaa-medical-imaging", "envs/prod")  # async endpoint, isolated VPC, per-purpose keys


def _label(flow: Any) -> str:
    return f"{flow.principal} {flow.action} {flow.store}/{flow.prefix} ("


def _supporting(state: dict[str, Any], env: Any, flow: Any) -> list[tuple[str, int, str]]:
    """(resource address, statement index, what) of every Allow statement one request of ``flow`` rests on."""
    view = check.View.of(state)
    role = view.values(flow.principal)
    found: list[tuple[str, int, str]] = []
    for r, kind, detail in check.requests(view, env, flow):
        docs = [p for p in view.of_type("aws_iam_role_policy") if p["values"]["role"] in (role["id"], role["name"])]
        if kind == "key":
            docs += [k for k in view.of_type("aws_kms_key") if k["values"]["arn"] == detail]
        for doc in docs:
            for i, st in enumerate(iam.statements(doc["values"]["policy"])):
                resource_policy = doc["type"] == "aws_kms_key"
                if st.get("Effect") == "Allow" and iam.statement_applies(
                    st, r, resource_policy=resource_policy, account=check.ACCOUNT
                ):
                    found.append((doc["address"], i, f"{r.action} via {st.get('Sid', i)}"))
    return sorted(set(found))


def _without_statement(state: dict[str, Any], address: str, index: int) -> dict[str, Any]:
    mutated = copy.deepcopy(state)
    for r in check.resources(mutated):
        if r["address"] == address:
            doc = json.loads(r["values"]["policy"])
            statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
            del statements[index]
            doc["Statement"] = statements
            r["values"]["policy"] = json.dumps(doc)
    return mutated


def _without_resource(state: dict[str, Any], address: str) -> dict[str, Any]:
    mutated = copy.deepcopy(state)

    def prune(m: dict[str, Any]) -> None:
        m["resources"] = [r for r in m.get("resources") or [] if r["address"] != address]
        for c in m.get("child_modules") or []:
            prune(c)

    prune(mutated.get("values", mutated)["root_module"])
    return mutated


def test_every_supporting_statement_is_load_bearing(root_state) -> None:  # type: ignore[no-untyped-def]
    """Drop each Allow statement (identity or key policy) a flow rests on: that flow is reported."""
    example, root = MUTATION_ROOT
    state, env = root_state(example, root), _env(example, root)
    assert check.missing(state, env) == []
    survived, tried = [], 0
    for flow in env.flows:
        for address, index, what in _supporting(state, env, flow):
            tried += 1
            problems = check.missing(_without_statement(state, address, index), env)
            if not any(p.startswith(_label(flow)) for p in problems):
                survived.append(f"{flow.principal} {flow.action} {flow.store}: removing {address}[{index}] ({what})")
    assert tried >= len(env.flows), "every flow rests on at least one statement"
    assert survived == []


def test_removing_a_route_reports_its_flows(root_state) -> None:  # type: ignore[no-untyped-def]
    """Drop each VPC endpoint, and the endpoints' HTTPS ingress rule: the flows using them are reported."""
    example, root = MUTATION_ROOT
    state, env = root_state(example, root), _env(example, root)
    view = check.View.of(state)
    routed = {f.service for f in env.flows if f.route != "service"}
    assert routed, "the mutation root has routed flows"
    for service in sorted(routed):
        ep = next(
            r["address"]
            for r in view.of_type("aws_vpc_endpoint")
            if r["values"]["service_name"].endswith(f".{service}")
        )
        problems = check.missing(_without_resource(state, ep), env)
        for flow in (f for f in env.flows if f.service == service and f.route != "service"):
            assert any(p.startswith(_label(flow)) and "no VPC endpoint" in p for p in problems), (service, flow)
    for rule in view.of_type("aws_vpc_security_group_ingress_rule"):
        if "endpoints" in rule["address"]:
            problems = check.missing(_without_resource(state, rule["address"]), env)
            assert any("no security group admits 443" in p for p in problems), rule["address"]


def _data_bucket(env):  # type: ignore[no-untyped-def]
    return next(s.address for s in env.stores if s.id == "data")


def test_an_extra_grant_is_reported(root_state) -> None:  # type: ignore[no-untyped-def]
    """The converse check is not vacuous: give the endpoint role the logs key for S3 use and it is named."""
    example, root = MUTATION_ROOT
    state, env = root_state(example, root), _env(example, root)
    mutated = copy.deepcopy(state)
    view = check.View.of(mutated)
    role = view.values(ENDPOINT_ROLE)
    data_key = view.key_arn("data")
    for p in view.of_type("aws_iam_role_policy"):
        if p["values"]["role"] in (role["id"], role["name"]):
            doc = json.loads(p["values"]["policy"])
            doc["Statement"].append(
                {
                    "Effect": "Allow",
                    "Action": ["s3:DeleteObject"],
                    "Resource": [f"{view.values(_data_bucket(env))['arn']}/*"],
                }
            )
            doc["Statement"].append({"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [view.key_arn("logs")]})
            p["values"]["policy"] = json.dumps(doc)
            break
    problems = check.excess(mutated, env)
    assert any("module.endpoint.aws_iam_role.this may s3:DeleteObject in the data bucket" in p for p in problems)
    assert data_key  # the data key is the artifacts bucket's key here: it must stay allowed


# ----------------------------------------------------------------------------- CI apply role


def _ci_examples() -> list[str]:
    return [
        n
        for n in harness.example_names()
        if load_answers(harness.EXAMPLES / n / "answers.yml").project.github_repository
    ]


@pytest.mark.parametrize("example", _ci_examples())
def test_ci_apply_role_can_deploy_the_project_and_nothing_else(example: str, root_state) -> None:  # type: ignore[no-untyped-def]
    """Every CI apply used to fail with AccessDenied: the role had the state and nothing else."""
    state = root_state(example, "bootstrap")
    view = check.View.of(state)
    role = view.values("module.ci.aws_iam_role.apply")
    identity = view.identity("module.ci.aws_iam_role.apply")
    bp = decide(load_answers(harness.EXAMPLES / example / "answers.yml"))
    acct, slug = check.ACCOUNT, bp.project["slug"]

    def may(action: str, resource: str) -> bool:
        r = iam.Request(role["arn"], action, resource, check.CONTEXT)
        return iam.allowed(r, identity=identity, account=acct)

    env = bp.environments[-1].name
    for action, resource in [
        ("s3:CreateBucket", f"arn:aws:s3:::{slug}-{env}-data-{acct}"),
        ("kms:CreateKey", "*"),
        ("ec2:CreateVpc", "*"),
        ("sagemaker:CreateEndpointConfig", f"arn:aws:sagemaker:{check.REGION}:{acct}:endpoint-config/{slug}-{env}"),
        ("iam:CreateRole", f"arn:aws:iam::{acct}:role/{slug}-{env}-sagemaker-training"),
        ("iam:PutRolePolicy", f"arn:aws:iam::{acct}:role/{slug}-{env}-sagemaker-training"),
        ("iam:PassRole", f"arn:aws:iam::{acct}:role/{slug}-{env}-sagemaker-training"),
        ("iam:CreateServiceLinkedRole", f"arn:aws:iam::{acct}:role/aws-service-role/eks.amazonaws.com/x"),
    ]:
        assert may(action, resource), f"CI apply cannot {action} on {resource}"
    for action, resource in [
        ("iam:CreateRole", f"arn:aws:iam::{acct}:role/admin"),
        ("iam:AttachRolePolicy", f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole"),
        ("iam:CreateUser", f"arn:aws:iam::{acct}:user/{slug}-x"),
        ("organizations:LeaveOrganization", "*"),
    ]:
        assert not may(action, resource), f"CI apply may {action} on {resource}"


# ----------------------------------------------------------------------------- MLflow, wired on


def test_mlflow_flows_when_the_template_wires_it(monkeypatch, flow_work, terraform_env) -> None:  # type: ignore[no-untyped-def]
    """MLflow is off by default (TEMPLATE_WIRES_MLFLOW); forced on, its flows must hold: the server's role
    uses the artifacts bucket's key (not the ECR key), training jobs may call the tracking server, and an
    isolated VPC has the experiments endpoint."""
    from mlgen import decide as decide_module
    from mlgen.api import new

    from . import planned

    monkeypatch.setattr(decide_module, "TEMPLATE_WIRES_MLFLOW", True)
    example = "hipaa-medical-imaging"
    answers = load_answers(harness.EXAMPLES / example / "answers.yml")
    env = decide(answers).environments[0]
    assert any(f.store == "tracking" for f in env.flows), "MLflow is not affordable in this example any more"
    dest = flow_work / "render-mlflow"
    new(dest, answers, check=False, use_git=False, echo=lambda _m: None)
    state = planned.planned_state(dest / "infra", f"envs/{env.name}", flow_work / "state-mlflow", terraform_env)
    assert check.missing(state, env) == []
    assert check.excess(state, env) == []
