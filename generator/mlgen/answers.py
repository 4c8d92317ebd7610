"""The questionnaire: what a team tells mlgen about compliance, budget and scale.

Every field has a description, a secure and cheap default, and constraints in its type; rules
that span fields live in ``model_validator(mode="after")``. ``load_answers`` turns files, ``--set``
overrides and defaults into a validated :class:`Answers`, or raises :class:`AnswersError` whose
details are ``path: message`` lines.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import typing
import unicodedata
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from mlgen.errors import AnswersError
from mlgen.escape import TEXT_RULE, bad_text_char
from mlgen.frameworks import FRAMEWORKS
from mlgen.resources import data_file

Framework = Literal[FRAMEWORKS]  # the ids live in mlgen.frameworks
Classification = Literal["public", "internal", "confidential", "restricted"]
Isolation = Literal["none", "private", "isolated"]
Gpu = Literal["auto", "t4", "a10g", "l4", "a100", "h100"]
InferenceMode = Literal["none", "auto", "online", "serverless", "async", "batch"]
Stage = Literal["prototype", "pilot", "production"]

CLASSIFICATION_ORDER: tuple[Classification, ...] = ("public", "internal", "confidential", "restricted")
# Minimum audit-log retention in days each regime asks for (HIPAA 45 CFR 164.316(b)(2)(i): 6 years;
# PCI DSS v4.0 req. 10.5.1: 12 months).
MIN_RETENTION_DAYS: dict[str, int] = {"hipaa": 2190, "pci_dss": 365}
# Regimes under which keys must be customer-managed and data at least confidential.
STRICT_FRAMEWORKS = ("hipaa", "pci_dss")

_SLUG = r"^[a-z][a-z0-9-]{1,22}[a-z0-9]$"
_ENV = r"^[a-z][a-z0-9]{1,9}$"

# Limits on what an answers file (or a --set value) may make mlgen parse.
MAX_ANSWERS_BYTES = 1_048_576
MAX_YAML_ALIASES = 50
MAX_YAML_NODES = 5_000
MAX_YAML_DEPTH = 32


def _char_name(ch: str) -> str:
    names = {"\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\t": "TAB", "\0": "NUL", "\x7f": "DELETE"}
    kinds = {"Cc": "a control character", "Cf": "a format character", "Cs": "a surrogate", "Co": "private use"}
    name = names.get(ch) or unicodedata.name(ch, "") or kinds.get(unicodedata.category(ch), "unassigned")
    return f"U+{ord(ch):04X} ({name})"


def _text(value: str) -> str:
    bad = bad_text_char(value)
    if bad is not None:
        pos, ch = bad
        raise ValueError(f"character {_char_name(ch)} at position {pos + 1} is not allowed; allowed are {TEXT_RULE}")
    return value


def _email(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email  # ~80 ms: only when validating

    try:
        return validate_email(value, check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"{_short(value)} is not a valid e-mail address: {exc}") from None


_EMAIL_RULE = (
    "An ASCII e-mail address (checked with email-validator: no display name, no quoted local part, "
    "no IP-address domain), at most 254 characters."
)
# Printable text for people (names): see mlgen.escape.TEXT_RULE.
FreeText = Annotated[str, AfterValidator(_text)]
Email = Annotated[
    str,
    Field(min_length=3, max_length=254),
    AfterValidator(_email),
    WithJsonSchema({"type": "string", "format": "email", "minLength": 3, "maxLength": 254, "description": _EMAIL_RULE}),
]
# A CODEOWNERS owner: a GitHub handle (@user or @org/team) or a plain ASCII e-mail address.
_GITHUB_HANDLE = re.compile(r"^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?$")
_PLAIN_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$")
_CODE_OWNER_RULE = (
    "A GitHub handle (@user or @org/team: ASCII letters, digits and '-', a team also _ and .) or an "
    "ASCII e-mail address of letters, digits and . _ % + - (a GitHub account's verified e-mail)."
)


def _code_owner(value: str) -> str:
    if value.startswith("@"):
        if not _GITHUB_HANDLE.match(value):
            raise ValueError(f"{_short(value)} is not a GitHub handle (@user or @org/team)")
        return value
    normalized = _email(value)
    if not _PLAIN_EMAIL.match(normalized):
        raise ValueError(
            f"{_short(value)} cannot be a CODEOWNERS owner: use letters, digits and . _ % + - before the @"
        )
    return normalized


CodeOwner = Annotated[
    str,
    Field(min_length=2, max_length=254),
    AfterValidator(_code_owner),
    WithJsonSchema({"type": "string", "minLength": 2, "maxLength": 254, "description": _CODE_OWNER_RULE}),
]
# Names checked against a list (regions, jurisdictions): short ASCII words.
_NameWord = Annotated[str, Field(min_length=2, max_length=32)]


@cache
def aws_regions() -> dict[str, dict[str, str]]:
    """Known AWS regions → ``{jurisdiction, location}``."""
    with data_file("regions_aws.yaml").open(encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh)["regions"])


@cache
def priced_regions() -> tuple[str, ...]:
    """Regions for which mlgen ships price data (a blueprint must be costed)."""
    with data_file("prices_aws.yaml").open(encoding="utf-8") as fh:
        return tuple(sorted(yaml.safe_load(fh)["meta"]["regions"]))


def residency_regions(residency: tuple[str, ...] | list[str]) -> set[str] | None:
    """Regions allowed by ``compliance.data_residency`` (``None`` = anywhere)."""
    if not residency:
        return None
    regions = aws_regions()
    allowed: set[str] = set()
    for item in residency:
        if item in regions:
            allowed.add(item)
        else:
            allowed.update(r for r, meta in regions.items() if meta["jurisdiction"] == item)
    return allowed


class _Section(BaseModel):
    # allow_inf_nan=False: `.inf`/`.nan` are refused with the field's path (budgets must be finite).
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=False, allow_inf_nan=False)


class Project(_Section):
    """Who owns the project and how resources are named."""

    name: FreeText = Field(
        "Demo ML",
        min_length=1,
        max_length=80,
        description=f"Human-readable project name, 1-80 characters: {TEXT_RULE}.",
        examples=["Fraud Scoring"],
    )
    slug: str | None = Field(
        None,
        pattern=_SLUG,
        description="Short lowercase name used in every resource name (derived from name when empty): "
        "lowercase ASCII letters, digits and '-', 3-24 characters, starting with a letter.",
        examples=["fraud-scoring"],
    )
    owner: Email = Field(
        "ml-platform@example.com",
        description=f"Owning team's e-mail; tagged on resources and default budget alert recipient. {_EMAIL_RULE}",
    )
    cost_center: str = Field(
        "CC-0000",
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9_.:/=+@-]+$",
        description="Cost-allocation tag value for finance: ASCII letters, digits and _ . : / = + @ -, "
        "1-40 characters.",
        examples=["CC-1234"],
    )
    github_repository: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
        description="owner/repo on GitHub; when set, OIDC roles for CI plan/apply are created. "
        "ASCII letters, digits and _ . - on either side of one '/'.",
        max_length=140,
        examples=["acme/fraud-scoring"],
    )
    needs_internet: bool = Field(
        False,
        description="Jobs or notebooks download from the public internet (pip, Hugging Face Hub).",
    )
    domain: Literal["tabular", "vision", "text"] = Field(
        "tabular",
        description=(
            "What the model learns from; picks the example model, data loader, serving container and "
            "tests: tabular (CSV, logistic regression, standard library only) | vision (images, a small "
            "PyTorch CNN) | text (a Hugging Face transformers causal language model fine-tune, served "
            "as text generation)."
        ),
        examples=["vision"],
    )
    platform_owners: list[CodeOwner] = Field(
        default_factory=list,
        max_length=20,
        description="CODEOWNERS of the infrastructure (infra/, workflows, Makefile): GitHub handles such as "
        "@acme/platform or e-mails (empty: project.owner, plus @<org>/platform when github_repository is "
        f"set). Each: {_CODE_OWNER_RULE}",
        examples=[["@acme/platform"]],
    )
    compliance_owners: list[CodeOwner] = Field(
        default_factory=list,
        max_length=20,
        description="CODEOWNERS of the compliance report, the recorded answers and every file with a "
        "Checkov suppression (empty: @<org>/compliance when github_repository is set, else "
        f"project.owner). Each: {_CODE_OWNER_RULE}",
        examples=[["@acme/compliance", "security@acme.example"]],
    )

    @model_validator(mode="after")
    def _derive_slug(self) -> Project:
        if self.slug is None:
            slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:24].strip("-")
            if not re.match(_SLUG, slug):
                raise ValueError(
                    f"cannot derive a slug from name {self.name!r}; set project.slug "
                    "(lowercase letters, digits and '-', 3-24 characters, starting with a letter)"
                )
            object.__setattr__(self, "slug", slug)
        return self

    @property
    def package(self) -> str:
        """Python package name of the ML code."""
        assert self.slug is not None
        return self.slug.replace("-", "_")


class Cloud(_Section):
    """Where the infrastructure runs."""

    provider: Literal["aws"] = Field("aws", description="Cloud provider (AWS today; GCP and Azure later).")
    region: _NameWord = Field(
        "us-east-1", description="Primary AWS region: one mlgen has prices for.", examples=["eu-west-1"]
    )
    dr_region: _NameWord | None = Field(
        None,
        description="Disaster-recovery region (one mlgen has prices for): data is replicated there when set.",
        examples=["eu-central-1"],
    )
    environments: list[Annotated[str, Field(pattern=_ENV)]] = Field(
        default_factory=lambda: ["dev"],
        min_length=1,
        max_length=5,
        description="Environments, each its own Terraform root (and ideally its own AWS account): "
        "lowercase ASCII letters and digits, 2-10 characters, starting with a letter.",
        examples=[["dev", "prod"]],
    )

    accounts: Literal["shared", "per_environment"] = Field(
        "shared",
        description="How environments map to AWS accounts: shared (every environment in one account; the last "
        "environment's root owns the account-level singletons: management trail, AWS-services cost anomaly "
        "monitor, /aws/sagemaker/TrainingJobs log group, cost-allocation tags) | per_environment (recommended "
        "for production: one account per environment, each root owns its own account's singletons).",
        examples=["per_environment"],
    )
    account_ids: dict[str, Annotated[str, Field(pattern=r"^[0-9]{12}$")]] = Field(
        default_factory=dict,
        description="Optional AWS account id (12 digits) per environment name. Each listed environment's "
        "provider refuses any other account (allowed_account_ids); with accounts: per_environment it also "
        "assumes cloud.deploy_role_name in that account. Keys must be names from cloud.environments.",
        examples=[{"dev": "111111111111", "prod": "222222222222"}],
    )
    deploy_role_name: str = Field(
        "OrganizationAccountAccessRole",
        pattern=r"^[A-Za-z0-9+=,.@_-]{1,64}$",
        description="IAM role each environment's provider assumes in its own account when accounts is "
        "per_environment and the environment has an account id (AWS Organizations creates "
        "OrganizationAccountAccessRole in accounts it creates). IAM role-name characters, 1-64.",
        examples=["mlgen-deploy"],
    )

    @field_validator("environments")
    @classmethod
    def _unique_envs(cls, value: list[str]) -> list[str]:
        dupes = sorted({v for v in value if value.count(v) > 1})
        if dupes:
            raise ValueError(f"environment names must be unique; repeated: {', '.join(dupes)}")
        return value

    @field_validator("region", "dr_region")
    @classmethod
    def _known_region(cls, value: str | None) -> str | None:
        if value is None:
            return value
        priced = priced_regions()
        if value not in priced:
            # Never suggest a region mlgen cannot price, and prefer one in the same jurisdiction
            # (eu-west-3 -> eu-west-1, not eu-west-2, which is the UK).
            home = aws_regions().get(value, {}).get("jurisdiction")
            near = [r for r in priced if aws_regions()[r]["jurisdiction"] == home]
            hint = _did_you_mean(value, near or list(priced), cutoff=0.0 if near else 0.6)
            raise ValueError(f"mlgen has price data for {', '.join(priced)} only; {value!r} is not one of them" + hint)
        return value


class Compliance(_Section):
    """Regimes, data sensitivity and network posture."""

    frameworks: list[Framework] = Field(
        default_factory=list,
        description="Frameworks the project must satisfy.",
        examples=[["gdpr", "pci_dss"]],
    )
    data_classification: Classification = Field(
        "confidential", description="Sensitivity of the most sensitive data the project holds."
    )
    data_residency: list[_NameWord] = Field(
        default_factory=list,
        description="Jurisdictions (eu, us, uk, ca, au, …) or explicit regions data must stay in; empty = anywhere.",
        examples=[["eu"]],
    )
    network_isolation: Isolation = Field(
        "private",
        description="none: public subnets allowed; private: no public endpoints, egress through NAT; "
        "isolated: no internet egress at all (VPC endpoints only).",
    )
    audit_retention_days: int = Field(
        365, ge=90, le=3650, description="How long audit logs (CloudTrail, flow logs) are kept."
    )
    customer_managed_keys: bool = Field(
        True, description="Encrypt with customer-managed KMS keys (one per purpose) instead of AWS-managed keys."
    )

    @field_validator("frameworks")
    @classmethod
    def _unique_frameworks(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    @field_validator("data_residency")
    @classmethod
    def _known_residency(cls, value: list[str]) -> list[str]:
        regions = aws_regions()
        jurisdictions = sorted({m["jurisdiction"] for m in regions.values()})
        for item in value:
            if item not in regions and item not in jurisdictions:
                raise ValueError(
                    f"unknown jurisdiction or region {item!r}"
                    + _did_you_mean(item, [*jurisdictions, *regions])
                    + f"; jurisdictions are {', '.join(jurisdictions)}"
                )
        return sorted(set(value))


class Budget(_Section):
    """What the project may spend."""

    monthly_usd: float = Field(1500, gt=0, description="Monthly budget for all environments, in USD.")
    allow_spot: bool = Field(True, description="Allow spot capacity for training (checkpointing is generated).")
    alert_emails: list[Email] = Field(
        default_factory=list,
        max_length=20,
        description="Who gets budget alerts (defaults to project.owner); each an ASCII e-mail address.",
    )
    alert_thresholds_pct: list[Annotated[int, Field(ge=1, le=1000)]] = Field(
        default_factory=lambda: [50, 80, 100],
        min_length=1,
        max_length=10,
        description="Alert at these percentages of the budget (actual and forecast).",
    )

    @field_validator("alert_thresholds_pct")
    @classmethod
    def _increasing(cls, value: list[int]) -> list[int]:
        if value != sorted(set(value)):
            raise ValueError("thresholds must be strictly increasing, e.g. [50, 80, 100]")
        return value


class Training(_Section):
    """Model training workload."""

    gpus_per_job: int = Field(
        1, ge=0, le=256, description="GPUs for one training job, spread evenly over its nodes; 0 = CPU."
    )
    nodes_per_job: int = Field(1, ge=1, le=32, description="Nodes per job (>1 = distributed training).")
    jobs_per_month: int = Field(10, ge=0, le=10000, description="Training jobs per month.")
    hours_per_job: float = Field(2, gt=0, le=720, description="Wall-clock hours per training job.")
    gpu: Gpu = Field("auto", description="GPU model; auto picks the cheapest that fits the model and data.")

    @model_validator(mode="after")
    def _gpu_needs_gpus(self) -> Training:
        if self.gpus_per_job % self.nodes_per_job:
            raise ValueError(
                f"gpus_per_job ({self.gpus_per_job}) must split evenly over nodes_per_job ({self.nodes_per_job})"
            )
        if self.gpus_per_job == 0 and self.gpu != "auto":
            raise ValueError(f"gpu is {self.gpu!r} but gpus_per_job is 0; set gpus_per_job > 0 or gpu: auto")
        return self


class Traffic(_Section):
    """Daily shape of the inference traffic, used to cost scale-out and per-request billing."""

    peak_hours_per_day: float = Field(
        8, ge=0, le=24, description="Hours a day the traffic runs at peak_rps (the rest is off-peak).", examples=[8]
    )
    off_peak_share: float = Field(
        0.1, ge=0, le=1, description="Off-peak request rate as a share of peak_rps (0 = no traffic).", examples=[0.1]
    )
    mean_latency_ms: int | None = Field(
        None,
        ge=1,
        le=3_600_000,
        description="Average time a request takes to serve (billed duration of serverless requests); "
        "empty = one eighth of p95_latency_ms.",
        examples=[150],
    )


class Inference(_Section):
    """Model serving workload."""

    mode: InferenceMode = Field(
        "auto", description="none | auto (mlgen chooses) | online | serverless | async | batch."
    )
    peak_rps: float = Field(5, ge=0, le=100000, description="Peak requests per second.")
    p95_latency_ms: int = Field(500, ge=10, le=3_600_000, description="Target 95th-percentile latency.")
    model_size_gb: float = Field(1, gt=0, le=1000, description="Size of the model artefact in GB.")
    gpu: bool = Field(False, description="The model needs a GPU to serve.")
    traffic: Traffic = Field(default_factory=Traffic)  # type: ignore[arg-type]

    @model_validator(mode="after")
    def _serverless_has_no_gpu(self) -> Inference:
        if self.mode == "serverless" and self.gpu:
            raise ValueError("serverless inference has no GPUs; use mode online or async, or gpu: false")
        from mlgen.sizing import HOST_MEMORY_HEADROOM, SERVERLESS_MAX_MEMORY_MB, serverless_fits

        if self.mode == "serverless" and not serverless_fits(self.model_size_gb):
            raise ValueError(
                f"serverless endpoints offer at most {SERVERLESS_MAX_MEMORY_MB} MB, which holds a model up to "
                f"{SERVERLESS_MAX_MEMORY_MB / 1024 / HOST_MEMORY_HEADROOM:g} GB ({HOST_MEMORY_HEADROOM:g}x headroom); "
                "use mode online or async"
            )
        return self


class Scale(_Section):
    """How big the data, team and workloads are."""

    dataset_size_gb: float = Field(50, ge=0, le=10_000_000, description="Training dataset size in GB.")
    team_size: int = Field(3, ge=0, le=1000, description="People who need a workspace (0 = no Studio).")
    training: Training = Field(default_factory=Training)  # type: ignore[arg-type]
    inference: Inference = Field(default_factory=Inference)  # type: ignore[arg-type]


class Answers(_Section):
    """Everything mlgen needs to know; ``mlgen new --defaults`` uses the defaults."""

    project: Project = Field(default_factory=Project)  # type: ignore[arg-type]
    cloud: Cloud = Field(default_factory=Cloud)  # type: ignore[arg-type]
    compliance: Compliance = Field(default_factory=Compliance)  # type: ignore[arg-type]
    budget: Budget = Field(default_factory=Budget)  # type: ignore[arg-type]
    scale: Scale = Field(default_factory=Scale)  # type: ignore[arg-type]
    stage: Stage = Field("prototype", description="prototype | pilot | production.")

    @model_validator(mode="after")
    def _cross_field_rules(self) -> Answers:
        errors: list[tuple[str, str]] = []
        c, cl = self.compliance, self.cloud
        if cl.dr_region is not None and cl.dr_region == cl.region:
            errors.append(("cloud.dr_region", "must differ from cloud.region (or be left empty)"))
        for env in cl.account_ids:
            if env not in cl.environments:
                errors.append(
                    (
                        f"cloud.account_ids.{env}",
                        f"{env!r} is not an environment; cloud.environments are {', '.join(cl.environments)}",
                    )
                )
        ids = list(cl.account_ids.values())
        if cl.accounts == "shared" and len(set(ids)) > 1:
            errors.append(
                (
                    "cloud.account_ids",
                    "accounts: shared puts every environment in one account, but the ids differ; "
                    "give one id, or set accounts: per_environment",
                )
            )
        if cl.accounts == "per_environment" and len(set(ids)) < len(ids):
            errors.append(
                (
                    "cloud.account_ids",
                    "accounts: per_environment needs a different account per environment; "
                    "set accounts: shared if they share one",
                )
            )
        allowed = residency_regions(c.data_residency)
        if allowed is not None:
            shown = ", ".join(sorted(r for r in allowed if r in priced_regions())) or "none mlgen prices"
            for path, region in (("cloud.region", cl.region), ("cloud.dr_region", cl.dr_region)):
                if region is not None and region not in allowed:
                    errors.append(
                        (
                            path,
                            f"{region!r} is outside compliance.data_residency={c.data_residency}; "
                            f"allowed regions are {shown}",
                        )
                    )
        for fw in c.frameworks:
            if fw in STRICT_FRAMEWORKS:
                label = fw.upper().replace("_", " ")
                if CLASSIFICATION_ORDER.index(c.data_classification) < 2:
                    errors.append(
                        (
                            "compliance.data_classification",
                            f"{label} data is at least 'confidential'; got {c.data_classification!r}",
                        )
                    )
                if not c.customer_managed_keys:
                    errors.append(("compliance.customer_managed_keys", f"{label} requires customer-managed keys"))
            minimum = MIN_RETENTION_DAYS.get(fw)
            if minimum and c.audit_retention_days < minimum:
                errors.append(
                    (
                        "compliance.audit_retention_days",
                        f"{fw} requires at least {minimum} days; got {c.audit_retention_days}",
                    )
                )
        if c.network_isolation == "isolated" and self.project.needs_internet:
            errors.append(
                (
                    "project.needs_internet",
                    "isolated networks have no internet egress; set network_isolation: private, "
                    "or mirror packages/models into S3/ECR and set needs_internet: false",
                )
            )
        train = self.scale.training
        if train.gpus_per_job > 0 and train.gpu != "auto":
            from mlgen.catalog import gpu_available

            per_node = -(-train.gpus_per_job // train.nodes_per_job)
            if not gpu_available(train.gpu, cl.region, per_node):
                errors.append(
                    (
                        "scale.training.gpu",
                        f"no SageMaker training instance with {per_node} x {train.gpu} per node in "
                        f"{cl.region}; choose another gpu or region, or gpu: auto",
                    )
                )
        inf = self.scale.inference
        if inf.mode != "none":
            from mlgen import sizing

            mode = sizing.inference_mode(inf)
            if mode in ("online", "async", "batch"):
                sharded = self.project.domain == "text"
                if sizing.hosting_instance(inf.model_size_gb, gpu=inf.gpu, sharded=sharded, region=cl.region) is None:
                    errors.extend(sizing.refusal(inf.model_size_gb, gpu=inf.gpu, sharded=sharded, region=cl.region))
        if errors:
            raise _CrossFieldErrors(errors)
        return self


class _CrossFieldErrors(ValueError):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p}: {m}" for p, m in errors))
        self.errors = errors


def _short(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters (hostile inputs can be megabytes long)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + "…" + text[-4:]


def _did_you_mean(value: str, choices: list[str], cutoff: float = 0.6) -> str:
    if len(str(value)) > 64:
        return ""
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=cutoff)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _loc(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or "answers"


def format_validation_error(exc: ValidationError) -> list[str]:
    """Turn a pydantic error into ``path: message`` lines a user can act on."""
    lines: list[str] = []
    for err in exc.errors(include_url=False):
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, _CrossFieldErrors):
            lines.extend(f"{p}: {m}" for p, m in ctx_error.errors)
            continue
        loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "literal_error":
            expected = [c.strip().strip("'") for c in re.findall(r"'([^']*)'", err["msg"])]
            msg = f"unknown value {_short(err['input'])}{_did_you_mean(str(err['input']), expected)}; " + (
                f"choose one of {', '.join(expected)}"
            )
        elif err["type"] == "extra_forbidden":
            parent = _model_at(loc[:-1])
            known = sorted(parent.model_fields) if parent else []
            msg = f"unknown field{_did_you_mean(str(loc[-1]), known)}" + (
                f"; known fields: {', '.join(known)}" if known else ""
            )
        elif err["type"] == "string_pattern_mismatch":
            msg = f"{_short(err['input'])} does not match the expected format {err['ctx']['pattern']}"
        lines.append(f"{_loc(loc)}: {msg}")
    return lines


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] = Answers
    for part in loc:
        field = model.model_fields.get(str(part))
        ann = getattr(field, "annotation", None)
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return None
        model = ann
    return model


def _is_text_field(key: str) -> bool:
    """Whether ``key`` names a free-form string field (not a list, number, flag or choice)."""
    parts = key.split(".")
    model = _model_at(tuple(parts[:-1]))
    field = model.model_fields.get(parts[-1]) if model else None
    if field is None:
        return False
    args = [a for a in typing.get_args(field.annotation) if a is not type(None)] or [field.annotation]
    return all(a is str for a in args)


def _set_text(raw: str) -> str | None:
    """A ``--set`` value for a text field: the text as typed (``Acme #1``, ``[ML] Team``).

    A quoted YAML scalar is unquoted, and ``null``/``~`` mean "not set", as in an answers file.
    """
    text = raw.strip()
    if text in ("null", "~"):
        return None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        try:
            value = safe_yaml(text)
        except (yaml.YAMLError, _LoadLimit):
            return raw
        return value if isinstance(value, str) else raw
    return raw


def parse_set(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Parse ``--set a.b.c=value`` overrides into a nested dict.

    Text fields (``project.name``, ``project.owner``, …) take the value as typed; every other field
    takes a YAML scalar or list (``budget.monthly_usd=2000``, ``compliance.frameworks=[gdpr]``).
    """
    nested: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key or not re.match(r"^[a-z_]+(\.[a-z_0-9]+)*$", key):
            raise AnswersError(
                "bad --set value", details=[f"--set {item}: expected section.field=value, e.g. budget.monthly_usd=2000"]
            )
        if len(raw.encode("utf-8", "surrogatepass")) > MAX_ANSWERS_BYTES:
            raise AnswersError("bad --set value", details=[f"{key}: longer than {MAX_ANSWERS_BYTES} bytes"])
        if _is_text_field(key):
            value = _set_text(raw)
        else:
            try:
                value = safe_yaml(raw) if raw != "" else ""
            except (yaml.YAMLError, _LoadLimit) as exc:
                raise AnswersError("bad --set value", details=[f"{key}: cannot parse {_short(raw)}: {exc}"]) from exc
        node = nested
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise AnswersError("bad --set value", details=[f"{key}: conflicts with another --set"])
        node[parts[-1]] = value
    return nested


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base`` (dicts recursively, everything else replaced)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class _LoadLimit(ValueError):
    """An answers document breaks one of the parsing limits (aliases, size, depth, duplicates)."""


class _HardenedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a cap on aliases and nesting depth."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                mark = self.peek_event().start_mark
                raise _LoadLimit(f"more than {MAX_YAML_ALIASES} aliases (line {mark.line + 1}); write the values out")
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise _LoadLimit(f"nested deeper than {MAX_YAML_DEPTH} levels (line {mark.line + 1})")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_nodes(node: yaml.Node, path: str, sizes: dict[int, int]) -> int:
    """Refuse duplicate keys; return the node count with aliases expanded (memoised, bounded)."""
    key = id(node)
    if key in sizes:
        if sizes[key] < 0:
            raise _LoadLimit(f"{path or 'answers'}: an alias refers to itself")
        return sizes[key]
    sizes[key] = -1
    size = 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for k, v in node.value:
            name = k.value if isinstance(k, yaml.ScalarNode) else "?"
            child = f"{path}.{name}" if path else name
            if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                if name in seen:
                    raise _LoadLimit(
                        f"{child}: duplicate key on line {k.start_mark.line + 1} (first on line {seen[name]}); keep one"
                    )
                seen[name] = k.start_mark.line + 1
            size += _check_nodes(k, child, sizes) + _check_nodes(v, child, sizes)
    elif isinstance(node, yaml.SequenceNode):
        size += sum(_check_nodes(x, f"{path}[{i}]", sizes) for i, x in enumerate(node.value))
    if size > MAX_YAML_NODES:
        raise _LoadLimit(f"{path or 'answers'}: expands to more than {MAX_YAML_NODES} values (alias bomb?)")
    sizes[key] = size
    return size


def safe_yaml(text: str) -> Any:
    """Parse YAML like ``yaml.safe_load``, refusing duplicate keys, alias bombs and deep nesting.

    Raises ``yaml.YAMLError`` for syntax errors and a ``ValueError`` subclass for broken limits.
    """
    loader = _HardenedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, "", {})
        return loader.construct_document(node)
    except RecursionError:
        raise _LoadLimit(f"nested deeper than {MAX_YAML_DEPTH} levels") from None
    finally:
        loader.dispose()


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _LoadLimit(f"{k}: duplicate key; keep one")
        out[k] = v
    return out


def _json_constant(name: str) -> Any:
    raise _LoadLimit(f"{name} is not a number mlgen accepts (numbers must be finite)")


def _find_non_finite(data: Any, path: str = "") -> str | None:
    if isinstance(data, float) and not math.isfinite(data):
        return path or "answers"
    if isinstance(data, dict):
        for k, v in data.items():
            found = _find_non_finite(v, f"{path}.{k}" if path else str(k))
            if found:
                return found
    if isinstance(data, list):
        for i, v in enumerate(data):
            found = _find_non_finite(v, f"{path}[{i}]")
            if found:
                return found
    return None


def read_answers_file(path: Path) -> dict[str, Any]:
    """Read a YAML or JSON answers file into a dict (raises :class:`AnswersError`).

    The file must be UTF-8, at most :data:`MAX_ANSWERS_BYTES`, without duplicate keys, with at most
    :data:`MAX_YAML_ALIASES` aliases expanding to at most :data:`MAX_YAML_NODES` values, and with
    finite numbers only.
    """
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_ANSWERS_BYTES + 1)
    except OSError as exc:
        raise AnswersError(
            f"cannot read answers file {path}: {exc.strerror}", details=[f"--answers: {path} is not readable"]
        ) from exc
    if len(raw) > MAX_ANSWERS_BYTES:
        raise AnswersError(
            f"answers file {path} is too large",
            details=[f"--answers: {path} is over {MAX_ANSWERS_BYTES} bytes; an answers file is a few hundred"],
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AnswersError(
            f"answers file {path} is not UTF-8 text",
            details=[f"--answers: {path}: invalid UTF-8 byte {raw[exc.start]:#04x} at offset {exc.start}"],
        ) from None
    try:
        if path.suffix == ".json":
            data = json.loads(text, object_pairs_hook=_json_pairs, parse_constant=_json_constant)
        else:
            data = safe_yaml(text)
    except (yaml.YAMLError, json.JSONDecodeError, _LoadLimit) as exc:
        raise AnswersError(f"answers file {path} is not valid YAML/JSON", details=[f"{path}: {exc}"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AnswersError(
            f"answers file {path} must hold a mapping",
            details=["answers: expected sections project, cloud, compliance, budget, scale, stage"],
        )
    bad = _find_non_finite(data)
    if bad is not None:
        raise AnswersError("the answers are not valid", details=[f"{bad}: must be a finite number, not inf or nan"])
    return data


def build_answers(data: dict[str, Any]) -> Answers:
    """Validate raw data into :class:`Answers` (raises :class:`AnswersError` with path lines)."""
    try:
        return Answers.model_validate(data)
    except ValidationError as exc:
        raise AnswersError("the answers are not valid", details=format_validation_error(exc)) from exc


def load_answers(path: Path | None = None, overrides: list[str] | tuple[str, ...] = ()) -> Answers:
    """Answers from an optional file plus ``--set`` overrides, on top of the defaults."""
    data = read_answers_file(path) if path is not None else {}
    return build_answers(deep_merge(data, parse_set(overrides)))


def answers_to_data(answers: Answers) -> dict[str, Any]:
    """The answers as plain, JSON-compatible data (what gets recorded in a generated project)."""
    return answers.model_dump(mode="json")


def json_schema() -> str:
    """The JSON schema of the answers file, as committed at ``docs/answers.schema.json``."""
    schema = Answers.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mlgen answers"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
