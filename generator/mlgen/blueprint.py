"""The blueprint: what mlgen decided, as plain data the template renders without deciding anything."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def ref(expression: str) -> dict[str, str]:
    """A Terraform expression (``module.keys.key_arns["data"]``) used as a module input."""
    return {"$ref": expression}


class Decision(_Frozen):
    """One architecture decision, with the answers that drove it."""

    id: str = Field(description="Stable identifier, e.g. 'training-platform'.")
    title: str
    choice: str
    alternatives: list[str] = Field(default_factory=list)
    rationale: str
    driven_by: list[str] = Field(default_factory=list, description="Answer paths that decided it.")


class ModuleCall(_Frozen):
    """One ``module`` block in a root."""

    name: str = Field(description="Instance name in the root (module.<name>).")
    source: str = Field(description="Module folder under infra/modules/.")
    inputs: dict[str, Any] = Field(default_factory=dict)
    dr_provider: bool = Field(False, description="Pass providers = { aws = aws, aws.dr = aws.dr }.")


StoreKind = Literal[
    "bucket", "log_group", "registry", "file_system", "volume", "tracking_server", "endpoint", "topic", "secrets"
]
FlowAction = Literal["read", "write", "list", "pull", "log", "invoke", "track", "encrypt", "publish"]
Route = Literal["gateway", "interface", "service"]


class Store(_Frozen):
    """One place data sits, and the key that encrypts it (None: the service's own encryption)."""

    id: str = Field(description="Stable id, e.g. 'artifacts' (flows name stores by it).")
    kind: StoreKind
    name: str = Field(
        description="Its name as the cloud sees it (bucket name, log group name), or a Terraform address."
    )
    address: str | None = Field(None, description="Terraform address of the resource in the root, when it is one.")
    key: str | None = Field(description="Key purpose (module.keys.key_arns[<key>]) that encrypts it.")


class Flow(_Frozen):
    """One access a workload needs: principal -> action class -> store (prefix) -> network route."""

    principal: str = Field(description="Terraform address of the role that acts (module.training.aws_iam_role.this).")
    action: FlowAction
    store: str = Field(description="Store id.")
    prefix: str = Field("", description="Object prefix inside a bucket ('' = any object).")
    route: Route = Field(description="gateway/interface endpoint from the VPC, or service (AWS calls on its side).")
    service: str = Field(description="Endpoint service the route needs (s3, ecr.dkr, logs, sagemaker.api...).")
    why: str = Field(description="What breaks without it.")


class Environment(_Frozen):
    """One Terraform root under infra/envs/<name>/."""

    name: str
    primary: bool = Field(description="The environment that runs production training/serving.")
    owns_account_layer: bool = Field(
        True,
        description="This root creates its account's singletons (management trail, AWS-services anomaly monitor, "
        "/aws/sagemaker/TrainingJobs, cost-allocation tags): every root with accounts per_environment, the "
        "primary root with a shared account.",
    )
    account_id: str | None = Field(None, description="AWS account the root must run in (provider allowed_account_ids).")
    assume_role_arn: str | None = Field(None, description="Role the root's providers assume in that account.")
    az_count: int = Field(2, description="Availability zones the root spreads its subnets over.")
    zone_instance_types: list[str] = Field(
        default_factory=list,
        description="EC2 instance types every chosen zone must offer (the root picks zone ids offering all of them).",
    )
    modules: list[ModuleCall]
    outputs: dict[str, str] = Field(description="Root output name -> Terraform expression.")
    dr_provider_region: str = Field(description="Expression for the aws.dr provider's region.")
    expect: dict[str, Any] = Field(description="What the root's shipped tests assert (subnet counts, gates).")
    stores: list[Store] = Field(default_factory=list, description="Where data sits and which key encrypts it.")
    flows: list[Flow] = Field(default_factory=list, description="Every access the workloads need (and only those).")

    def store(self, store_id: str) -> Store:
        for s in self.stores:
            if s.id == store_id:
                return s
        raise KeyError(store_id)


class CostLine(_Frozen):
    """Monthly cost of one priced item."""

    environment: str
    module: str
    item: str
    idle_usd: float
    usage_usd: float
    assumption: str


class CostEstimate(_Frozen):
    """Idle and usage monthly cost against the budget."""

    region: str
    lines: list[CostLine]
    budget_usd: float
    price_source: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def idle_usd(self) -> float:
        return round(sum(line.idle_usd for line in self.lines), 2)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def usage_usd(self) -> float:
        return round(sum(line.usage_usd for line in self.lines), 2)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_usd(self) -> float:
        return round(self.idle_usd + self.usage_usd, 2)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def over_budget(self) -> bool:
        return self.total_usd > self.budget_usd

    @computed_field  # type: ignore[prop-decorator]
    @property
    def modules(self) -> list[dict[str, Any]]:
        """Per environment and module: idle and usage, for reports."""
        return [{"environment": e, "module": m, "idle_usd": i, "usage_usd": u} for e, m, i, u in self.by_module()]

    def by_module(self) -> list[tuple[str, str, float, float]]:
        """(environment, module, idle, usage) rows, in blueprint order."""
        rows: dict[tuple[str, str], list[float]] = {}
        for line in self.lines:
            acc = rows.setdefault((line.environment, line.module), [0.0, 0.0])
            acc[0] += line.idle_usd
            acc[1] += line.usage_usd
        return [(env, mod, round(v[0], 2), round(v[1], 2)) for (env, mod), v in rows.items()]

    def drivers(self, top: int = 3) -> list[CostLine]:
        """The most expensive lines."""
        return sorted(self.lines, key=lambda x: (-(x.idle_usd + x.usage_usd), x.item))[:top]


class Blueprint(_Frozen):
    """Everything the template needs, decided from the answers."""

    mlgen_version: str
    project: dict[str, Any]
    region: str
    dr_region: str | None
    tags: dict[str, str]
    environments: list[Environment]
    bootstrap: list[ModuleCall]
    bootstrap_outputs: dict[str, str]
    module_sources: list[str] = Field(description="Module folders the roots use (copied into infra/modules/).")
    ml: dict[str, Any]
    compliance: dict[str, Any]
    decisions: list[Decision]
    cost: CostEstimate
    suggestions: list[str] = Field(default_factory=list, description="Ways to cut cost if over budget.")

    def decision(self, decision_id: str) -> Decision:
        for d in self.decisions:
            if d.id == decision_id:
                return d
        raise KeyError(decision_id)

    def env(self, name: str) -> Environment:
        for e in self.environments:
            if e.name == name:
                return e
        raise KeyError(name)
