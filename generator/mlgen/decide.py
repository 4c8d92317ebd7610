"""``decide(answers) -> Blueprint``: the rules that turn requirements into an architecture.

Pure: reads only the answers and mlgen's bundled data tables (prices, GPU catalog), never the
user's files. Every choice is recorded as a :class:`Decision` naming the answers that drove it.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from mlgen import __version__, sizing
from mlgen.answers import CLASSIFICATION_ORDER, MIN_RETENTION_DAYS, STRICT_FRAMEWORKS, Answers, residency_regions
from mlgen.blueprint import Blueprint, Decision, Environment, Flow, ModuleCall, Store, ref
from mlgen.catalog import Instance, efa_supported, gpu_shapes, hosting_price, hosting_source, mlflow_price, price
from mlgen.cost import HOURS, SECURITY_ALARMS, eks_cluster_monthly, estimate

# EKS is worth running only when a team can operate it; below this size SageMaker jobs win.
EKS_MIN_TEAM = 5
# Operating a cluster costs people time; count its fixed cost this many times over.
EKS_OPS_FACTOR = 2.0
# Training memory per GPU ~ 8x the weights (weights, gradients, Adam states, activations), sharded.
TRAINING_MEMORY_FACTOR = 8.0
# Throughput one inference instance sustains (assumption, stated in the decision record).
RPS_PER_CPU_INSTANCE = 25.0
RPS_PER_GPU_INSTANCE = 50.0
FSX_MIN_DATASET_GB = 500
FSX_SETUP_HOURS = 0.5  # creating a SCRATCH_2 file system and lazy-loading it from S3, per run
FSX_ALWAYS_ON_UTILISATION = 0.5  # keep one always on only when jobs would use it half the month or more
# What the generated project wires up. A resource that costs at rest is created only when the generated
# code uses it: today's training code logs to CloudWatch/SageMaker Experiments (not MLflow) and reads
# its data from S3 (no Lustre mount in the launchers or manifests).
TEMPLATE_WIRES_MLFLOW = False
TEMPLATE_WIRES_FSX = False
# FSx for Lustre SCRATCH_2 sizes: 1200 GB, then multiples of 2400 GB.
FSX_MIN_CAPACITY_GB = 1200
FSX_CAPACITY_STEP_GB = 2400


def fsx_capacity(dataset_gb: float) -> int:
    """The smallest FSx for Lustre (SCRATCH_2) capacity that holds the dataset."""
    if dataset_gb <= FSX_MIN_CAPACITY_GB:
        return FSX_MIN_CAPACITY_GB
    return FSX_CAPACITY_STEP_GB * math.ceil(dataset_gb / FSX_CAPACITY_STEP_GB)


# Every env's jobs pull images (ECR), write logs, use KMS keys and assume roles (STS).
BASE_ENDPOINTS = ("ecr.api", "ecr.dkr", "kms", "logs", "sts")
# EKS nodes call EC2 (VPC CNI), EKS (node bootstrap) and EKS Auth (pod identity). Nothing creates load
# balancers, so no elasticloadbalancing endpoint.
# The Cluster Autoscaler calls Auto Scaling (and EC2, EKS); `make kube-tunnel` reaches the private
# API through SSM Session Manager on a system node (ssm, ssmmessages).
EKS_ENDPOINTS = ("autoscaling", "ec2", "eks", "eks-auth", "ssm", "ssmmessages")
# Kubernetes minor version of new EKS clusters: the newest in EKS standard support. 1.35 is in
# standard support until 2027-03-27 (1.34 ends 2026-12-02, 1.33 ended 2026-07-29). Source: Amazon
# EKS Kubernetes release calendar (docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html,
# dates as listed on endoflife.date/amazon-eks), read 2026-12-02. The Cluster Autoscaler release
# follows the Kubernetes minor version (kubernetes/autoscaler README, "Releases").
EKS_KUBERNETES_VERSION = "1.35"
EKS_STANDARD_SUPPORT_ENDS = "2027-03-27"
CLUSTER_AUTOSCALER_VERSION = "1.35.0"
STUDIO_ENDPOINTS = ("sagemaker.studio",)
MLFLOW_BUDGET_SHARE = 0.2
EKS_SYSTEM_INSTANCE = "m6i.large"  # the EKS system node group (CoreDNS, add-ons)
PER_AZ_NAT_MIN_BUDGET = 5000
# Share of requests captured for model monitoring: enough for drift statistics, not a copy of traffic.
DATA_CAPTURE_PERCENT = 10
DATA_CAPTURE_DAYS = 90  # captured requests expire after this many days (artifacts bucket lifecycle)
COST_ALLOCATION_TAGS = ("environment", "project")
CHECKPOINT_NONCURRENT_DAYS = 7  # overwritten checkpoint versions are kept a week


# Retention periods CloudWatch Logs accepts (days); log groups round the answer up to one of them.
CLOUDWATCH_RETENTION = (365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)


def log_retention(days: int) -> int:
    """The shortest CloudWatch Logs retention that keeps logs at least ``days`` (and >= 365)."""
    return next((r for r in CLOUDWATCH_RETENTION if r >= days), CLOUDWATCH_RETENTION[-1])


def _is_primary(answers: Answers, env: str) -> bool:
    return env == answers.cloud.environments[-1]


def owns_account_layer(answers: Answers, env: str) -> bool:
    """Whether ``env``'s root creates its account's singletons (trail, anomaly monitor, service log groups).

    Each account holds them once: with one account per environment every root owns its own; in a shared
    account the primary (last, production) root does, so destroying a dev or staging root never removes
    the account's audit trail or production's training logs.
    """
    return answers.cloud.accounts == "per_environment" or _is_primary(answers, env)


def destroyable(answers: Answers, env: str) -> bool:
    """Whether ``terraform destroy`` of ``env`` must succeed: every environment but the primary one."""
    return not _is_primary(answers, env)


def audit_destroyable(answers: Answers, env: str) -> bool:
    """A sandbox's trail bucket may go with it unless a framework sets a minimum audit-log retention."""
    return destroyable(answers, env) and not any(f in MIN_RETENTION_DAYS for f in answers.compliance.frameworks)


def choose_teardown(answers: Answers) -> Decision:
    """Which environments destroy cleanly, and which keep their protections."""
    envs = answers.cloud.environments
    primary, others = envs[-1], envs[:-1]
    kept = [f for f in answers.compliance.frameworks if f in MIN_RETENTION_DAYS]
    return Decision(
        id="teardown",
        title="Teardown",
        choice=(f"{', '.join(others)} destroyable; " if others else "")
        + f"{primary} protected (prevent_destroy, object lock where decided, retained Studio EFS)",
        alternatives=["every environment protected"],
        rationale=(
            f"`make destroy ENV=<env>` runs terraform destroy; in {', '.join(others) or 'no other environment'} "
            "the data bucket has no prevent_destroy and, like the versioned artifacts and log buckets, "
            "force_destroy; ECR repositories force_delete their images; the Studio domain deletes its EFS home "
            "file system (a retained one keeps ENIs in the subnets and blocks the VPC's destroy); no object lock. "
            f"The primary environment {primary} keeps all of them: destroying it needs the protections removed in "
            "code, on purpose. "
            + (
                f"{', '.join(k.upper() for k in kept)} require audit-log retention, so every trail bucket keeps "
                "prevent_destroy; move its logs to a log-archive account before deleting it by hand."
                if kept
                else "No framework requires audit-log retention, so sandbox trail buckets go with their environment."
            )
        ),
        driven_by=["cloud.environments", "compliance.frameworks"],
    )


def choose_accounts(answers: Answers) -> Decision:
    """The account model: which root owns which account's singletons, and which role each root assumes."""
    cl = answers.cloud
    owner = cl.environments[-1]
    ids = ", ".join(f"{e}={i}" for e, i in cl.account_ids.items()) or "none given"
    copy_price = price("cloudtrail_management_events_additional_copy_100k", cl.region)
    if cl.accounts == "shared":
        choice = f"one shared account; the {owner} root owns the account layer"
        why = (
            f"cloud.accounts is shared: every environment runs in one account with one set of credentials, the "
            f"simplest first apply. AWS allows one AWS-services cost anomaly monitor per account, SageMaker writes "
            f"every job's logs to the one /aws/sagemaker/TrainingJobs group per account and region, and a second "
            f"management trail bills every event again (${copy_price:.2f} "
            f"per 100k): so only the {owner} root creates them (apply it first). Other roots keep data-event "
            f"trails where the frameworks ask for them; destroying them leaves the account's trail and logs. "
            f"accounts: per_environment (recommended for production) isolates the environments instead."
        )
    else:
        choice = "one account per environment; each root owns its account's layer"
        why = (
            "cloud.accounts is per_environment: each account gets its own management trail (the first copy is "
            "free), AWS-services anomaly monitor (free) and TrainingJobs log group; an environment's blast "
            "radius, quotas and bill stay in its account. Roots with an account id pin the provider to it "
            f"(allowed_account_ids) and assume {cl.deploy_role_name} there; roots without one use the "
            "credentials you run Terraform with. The state bucket stays in the account you bootstrap from."
        )
    return Decision(
        id="accounts",
        title="Account model",
        choice=choice,
        alternatives=["per_environment" if cl.accounts == "shared" else "shared"],
        rationale=why + f" Account ids: {ids}.",
        driven_by=["cloud.accounts", "cloud.account_ids", "cloud.deploy_role_name", "cloud.environments"],
    )


def _classification_at_least(answers: Answers, level: str) -> bool:
    return CLASSIFICATION_ORDER.index(answers.compliance.data_classification) >= CLASSIFICATION_ORDER.index(level)  # type: ignore[arg-type]


def choose_gpu(answers: Answers) -> tuple[Instance | None, int, Decision]:
    """GPU instance type and node count for training: the fewest nodes that give the GPUs asked.

    Among the shapes sold in the region (of the asked GPU model, or all with ``gpu: auto``) whose
    GPU memory fits, take the one needing the fewest nodes to reach ``gpus_per_job``; ties go to
    the cheapest per job-hour. What is provisioned (nodes x GPUs per node) is what is billed and
    what the generated launchers and manifests request.
    """
    t = answers.scale.training
    region = answers.cloud.region
    if t.gpus_per_job == 0:
        return (
            None,
            t.nodes_per_job,
            Decision(
                id="training-instance",
                title="Training instance type",
                choice="CPU (ml.m5.4xlarge)",
                alternatives=["GPU instances"],
                rationale="gpus_per_job is 0: the model trains on CPU; no GPU capacity is reserved or paid for.",
                driven_by=["scale.training.gpus_per_job"],
            ),
        )
    asked_per_node = math.ceil(t.gpus_per_job / t.nodes_per_job)
    need_gb = answers.scale.inference.model_size_gb * TRAINING_MEMORY_FACTOR / t.gpus_per_job
    wanted = None if t.gpu == "auto" else t.gpu
    shapes = gpu_shapes(region, gpu=wanted)
    fitting = [o for o in shapes if o.gpu_memory_gb >= need_gb]
    if not shapes:
        raise ValueError(f"no GPU training instance in {region}")  # answers validation prevents this
    memory_note = ""
    if not fitting:
        fitting = shapes
        memory_note = (
            f" No shape has {need_gb:.1f} GB per GPU: the largest memory is used; shard the model further "
            "(more GPUs per job) or pick a larger GPU. "
        )

    def nodes_for(o: Instance) -> int:
        return math.ceil(t.gpus_per_job / o.gpus)

    best = min(fitting, key=lambda o: (nodes_for(o), nodes_for(o) * o.sagemaker_price, o.sagemaker_type))
    nodes = nodes_for(best)
    label = wanted.upper() if wanted else "GPU"
    asked_exists = any(o.gpus == asked_per_node for o in fitting)
    sizes = ", ".join(str(n) for n in sorted({o.gpus for o in fitting}))
    if nodes == t.nodes_per_job and best.gpus == asked_per_node:
        shape_note = (
            f"the asked shape, {t.nodes_per_job} node(s) x {asked_per_node} GPU(s), is sold and is the fewest nodes"
        )
    elif not asked_exists:
        shape_note = (
            f"the asked shape, {t.nodes_per_job} node(s) x {asked_per_node} {label}(s), does not exist in {region} "
            f"(GPUs per node sold: {sizes}); the cheapest valid shape with the fewest nodes is used instead"
        )
    else:
        shape_note = (
            f"the asked shape, {t.nodes_per_job} node(s) x {asked_per_node} GPU(s), exists, but {nodes} node(s) x "
            f"{best.gpus} give the same GPUs on fewer nodes (less inter-node traffic, no multi-node networking)"
        )
    others = sorted({o.sagemaker_type for o in fitting} - {best.sagemaker_type})
    why = (
        f"{t.gpus_per_job} GPU(s) asked; {shape_note}. Memory need ≈ model "
        f"{answers.scale.inference.model_size_gb:g} GB x {TRAINING_MEMORY_FACTOR:g} / {t.gpus_per_job} GPUs = "
        f"{need_gb:.1f} GB per GPU.{memory_note} "
        + (f"gpu={t.gpu} was asked for; " if wanted else "gpu=auto picks among all GPU models; ")
        + f"{nodes} x {best.sagemaker_type} ({best.gpus} x {best.gpu.upper()} {best.gpu_memory_gb:g} GB each, "
        f"{nodes * best.gpus} GPUs provisioned and billed) at ${best.sagemaker_price:.2f}/h per node in {region}."
    )
    return (
        best,
        nodes,
        Decision(
            id="training-instance",
            title="Training instance type",
            choice=best.sagemaker_type if nodes == 1 else f"{best.sagemaker_type} x {nodes}",
            alternatives=others[:6],
            rationale=why,
            driven_by=[
                "scale.training.gpus_per_job",
                "scale.training.nodes_per_job",
                "scale.training.gpu",
                "scale.inference.model_size_gb",
                "cloud.region",
            ],
        ),
    )


def choose_platform(answers: Answers, inst: Instance | None, nodes: int) -> Decision:
    """SageMaker training jobs (pay per job) or an EKS GPU cluster (steady, large teams)."""
    t, region = answers.scale.training, answers.cloud.region
    node_hours = t.jobs_per_month * t.hours_per_job * nodes
    eks_fixed = eks_cluster_monthly(region, EKS_SYSTEM_INSTANCE)
    premium = 0.0 if inst is None or inst.ec2_price is None else inst.sagemaker_price - inst.ec2_price
    crossover = (eks_fixed * EKS_OPS_FACTOR / premium) if premium > 0 else math.inf
    saved = node_hours * premium
    eks = inst is not None and answers.scale.team_size >= EKS_MIN_TEAM and premium > 0 and node_hours >= crossover
    crossover_txt = "never (no GPU premium)" if math.isinf(crossover) else f"{crossover:,.0f} node-hours/month"
    why = (
        f"{t.jobs_per_month} jobs x {t.hours_per_job:g} h x {nodes} node(s) = {node_hours:,.0f} "
        f"node-hours/month. SageMaker charges ${premium:.2f}/node-hour over EC2 "
        f"(≈ ${saved:,.0f}/month); an EKS cluster costs ≈ ${eks_fixed:,.0f}/month before a GPU runs, "
        f"counted x{EKS_OPS_FACTOR:g} for the people who operate it. Crossover: {crossover_txt}, "
        f"and a team of at least {EKS_MIN_TEAM}. "
        + (
            "Above both: EKS with GPU node groups that scale from zero."
            if eks
            else "Below: SageMaker training jobs, nothing idle between jobs."
        )
    )
    return Decision(
        id="training-platform",
        title="Training platform",
        choice="eks" if eks else "sagemaker",
        alternatives=["sagemaker" if eks else "eks"],
        rationale=why,
        driven_by=[
            "scale.training.jobs_per_month",
            "scale.training.hours_per_job",
            "scale.training.nodes_per_job",
            "scale.team_size",
            "scale.training.gpus_per_job",
        ],
    )


# Always-on minimum of an online endpoint in the production environment, by stage.
ONLINE_MIN_BY_STAGE = {"production": 2, "pilot": 1, "prototype": 0}
# Serverless memory holds HOST_MEMORY_HEADROOM x the model, and serverless offers at most 6 GB (mlgen.sizing).
SERVERLESS_MAX_MODEL_GB = sizing.SERVERLESS_MAX_MODEL_GB


def _serverless_fits(inf: Any) -> bool:
    return not inf.gpu and sizing.serverless_fits(inf.model_size_gb)


def _serverless_spec(inf: Any) -> dict[str, Any]:
    memory = sizing.serverless_memory_mb(inf.model_size_gb)
    concurrency = max(1, min(200, math.ceil(inf.peak_rps * inf.p95_latency_ms / 1000)))
    return {"memory_mb": memory, "max_concurrency": concurrency}


def _sharded(answers: Answers) -> bool:
    """Whether the serving container splits a model over an instance's GPUs (LMI/vLLM, text only)."""
    return answers.project.domain == "text"


def _scale_to_zero_mode(mode: str, inf: Any) -> str:
    """The mode an endpoint takes where nothing may idle: serverless for a CPU model that fits, else async."""
    if mode in ("serverless", "async"):
        return mode
    return "serverless" if _serverless_fits(inf) else "async"


def _endpoint_always_on(answers: Answers, env: str, spec: dict[str, Any]) -> bool:
    """Only the production environment keeps an always-on minimum (online, stage pilot/production)."""
    return spec["mode"] == "online" and _is_primary(answers, env) and spec.get("min_instances", 0) > 0


def endpoint_mode(answers: Answers, env: str, spec: dict[str, Any]) -> str:
    """The endpoint mode in ``env``: the decided mode where it may idle, else its scale-to-zero mode."""
    if _endpoint_always_on(answers, env, spec):
        return str(spec["mode"])
    return str(spec.get("scale_to_zero_mode", spec["mode"]))


def choose_inference(answers: Answers) -> tuple[dict[str, Any], Decision]:
    """Serving mode and capacity."""
    inf, region = answers.scale.inference, answers.cloud.region
    mode = sizing.inference_mode(inf)
    if inf.mode != "auto":
        reasons = [f"mode {mode} was asked for"]
    else:
        reasons = [
            {
                "batch": "no live traffic or latency target >= 15 min: scheduled batch scoring",
                "async": "latency target >= 60 s or a large model with little traffic: "
                "queued async inference that scales to zero",
                "serverless": f"CPU model <= {SERVERLESS_MAX_MODEL_GB:g} GB, <= 20 rps and latency >= 1 s tolerates "
                "cold starts: serverless, no cost when idle",
                "online": "steady traffic or tight latency: always-on real-time endpoint with target-tracking "
                "autoscaling",
            }[mode]
        ]
    spec: dict[str, Any] = {"mode": mode}
    if mode in ("online", "async", "batch"):
        gpu = inf.gpu
        inst = sizing.hosting_instance(inf.model_size_gb, gpu=gpu, sharded=_sharded(answers), region=region)
        if inst is None:  # the answers' cross-field rule refuses these; a direct caller gets the same words
            raise ValueError(
                "; ".join(
                    f"{p}: {m}"
                    for p, m in sizing.refusal(inf.model_size_gb, gpu=gpu, sharded=_sharded(answers), region=region)
                )
            )
        ram, gpu_mem = sizing.needs(inf.model_size_gb)
        reasons.append(
            f"{inst.instance_type} holds the {inf.model_size_gb:g} GB model: {inst.memory_gib:g} GiB RAM >= "
            f"{ram:.1f} GiB"
            + (
                f", {inst.gpus} x {inst.gpu_memory_gib:g} GiB GPU >= {gpu_mem:.1f} GiB"
                + (" (sharded by the LMI container)" if _sharded(answers) and inst.gpus > 1 else "")
                if gpu
                else ""
            )
            + f" (cheapest that fits; {sizing.HEADROOM_RULE}; {hosting_source()})"
        )
    if mode in ("online", "async"):
        itype = inst.instance_type
        per_instance = RPS_PER_GPU_INSTANCE if inf.gpu else RPS_PER_CPU_INSTANCE
        max_n = max(1, math.ceil(inf.peak_rps * 1.3 / per_instance))
        min_n = ONLINE_MIN_BY_STAGE.get(answers.stage, 0) if mode == "online" else 0
        spec.update(
            instance_type=itype,
            min_instances=min_n,
            # A scaling policy is attached: max must exceed an always-on min or the policy can never act.
            max_instances=max(max_n, min_n + 1 if min_n else 1),
            target_invocations_per_instance=int(per_instance * 60 * 0.7),
            hourly_usd=hosting_price(itype, region),
        )
        reasons.append(
            f"{itype} sustains ≈ {per_instance:g} rps (assumption); peak {inf.peak_rps:g} rps + 30% headroom "
            f"→ max {spec['max_instances']}"
            + (
                f", min {min_n} always on in the production environment at stage {answers.stage}"
                + (" (two for availability)" if min_n == 2 else "")
                if min_n
                else ", min 0 (scales to zero)"
            )
        )
    if mode == "serverless" or (mode == "online" and _serverless_fits(inf)):
        spec.update(_serverless_spec(inf))
        reasons.append(
            f"serverless memory {spec['memory_mb']} MB (2x the model), concurrency {spec['max_concurrency']} "
            "= peak rps x latency"
        )
    elif mode == "batch":
        spec.update(instance_type=inst.instance_type, hourly_usd=inst.hourly_usd)
    if mode in ("online", "async", "serverless"):
        spec["scale_to_zero_mode"] = _scale_to_zero_mode(mode, inf)
        always_on = [e for e in answers.cloud.environments if _endpoint_always_on(answers, e, spec)]
        idle = [e for e in answers.cloud.environments if e not in always_on]
        if always_on:
            reasons.append(
                f"{', '.join(always_on)}: {mode}, idle ≈ ${min_n * spec['hourly_usd'] * HOURS:,.0f}/month "
                f"(min {min_n}; stage prototype, or mode serverless/async, would remove it)"
            )
        if idle:
            reasons.append(
                f"{', '.join(idle)}: {spec['scale_to_zero_mode']}, scales to zero, $0 idle"
                + (" (no always-on capacity outside the production environment)" if mode == "online" else "")
            )
    alternatives = sorted({"online", "serverless", "async", "batch", "none"} - {mode})
    return spec, Decision(
        id="inference-mode",
        title="Inference",
        choice=mode
        if mode == "none"
        else f"{mode}" + (f" on {spec['instance_type']}" if "instance_type" in spec else ""),
        alternatives=alternatives,
        rationale="; ".join(reasons) + ".",
        driven_by=[
            "scale.inference.mode",
            "scale.inference.peak_rps",
            "scale.inference.p95_latency_ms",
            "scale.inference.model_size_gb",
            "scale.inference.gpu",
            "scale.inference.traffic",
            "cloud.environments",
            "stage",
        ],
    )


# Example model per project.domain: its framework, the serving container and the extra runtime
# dependencies of the generated package (tabular needs none: it is standard library only).
SCAFFOLDS: dict[str, dict[str, Any]] = {
    "tabular": {"framework": "stdlib", "dependencies": []},
    "vision": {"framework": "torch", "dependencies": ["torch>=2.5,<3"]},
    "text": {
        "framework": "torch",
        "dependencies": ["torch>=2.5,<3", "transformers>=4.46,<6", "tokenizers>=0.20,<1"],
    },
}


def choose_scaffold(answers: Answers, mode: str) -> tuple[dict[str, Any], Decision]:
    """The example model, data loader and serving container for ``project.domain``.

    Text generation is served by the SageMaker Large Model Inference container (vLLM) when an
    endpoint with a GPU stays up (online or async); it needs a GPU. Everything else, and text on a
    CPU, serverless or in batch scoring, runs the package's own server or batch job.
    """
    domain = answers.project.domain
    scaffold = SCAFFOLDS[domain]
    lmi = domain == "text" and mode in ("online", "async") and answers.scale.inference.gpu
    serving = "lmi" if lmi else "package"
    model = {
        "tabular": "logistic regression on CSV features (standard library)",
        "vision": "small PyTorch CNN on images (PGM files listed in a CSV manifest)",
        "text": "Hugging Face transformers causal language model fine-tune on a CSV text corpus",
    }[domain]
    if domain != "text":
        why = "the package's server speaks the SageMaker inference contract itself"
    elif lmi:
        why = "text generation on a GPU endpoint: the SageMaker LMI container (vLLM) serves the trained model"
    elif mode in ("none", "batch", "serverless"):
        why = f"inference mode {mode}: the package's own text generation (LMI serves online or async endpoints)"
    else:
        why = "no GPU to serve with: the package's own text-generation server (the LMI container needs a GPU)"
    spec = {
        "domain": domain,
        "framework": scaffold["framework"],
        "serving": serving,
        "dependencies": list(scaffold["dependencies"]),
    }
    return spec, Decision(
        id="ml-scaffold",
        title="Example model and serving container",
        choice=f"{domain}: {model}; served by " + ("the LMI container" if lmi else "the package's server"),
        alternatives=sorted({"tabular", "vision", "text"} - {domain}),
        rationale=f"project.domain is {domain}; {why}. Synthetic data makes every step run locally on a CPU.",
        driven_by=["project.domain", "scale.inference.mode", "scale.inference.gpu"],
    )


def _endpoint_azs(answers: Answers, env: str) -> int:
    """Interface endpoints sit in every AZ of the production environment, in one AZ elsewhere."""
    return AZ_COUNT if (_is_primary(answers, env) and answers.stage == "production") else 1


AZ_COUNT = 2  # availability zones per environment (subnets, NAT per AZ, endpoints in production)


def _egress_reasons(answers: Answers, platform: str) -> list[str]:
    """Workloads that must reach the public internet (and so need a NAT gateway)."""
    reasons = []
    if answers.project.needs_internet:
        reasons.append("project.needs_internet: jobs or notebooks download from the internet")
    if platform == "eks" and answers.compliance.network_isolation != "isolated":
        reasons.append("EKS nodes pull public images (training operator, add-ons)")
    return reasons


def _nat_mode(answers: Answers, platform: str) -> tuple[str, str]:
    """NAT only when a workload must reach the internet; one per AZ only in production with budget."""
    iso = answers.compliance.network_isolation
    nat_hour = price("nat_gateway_hour", answers.cloud.region) * HOURS
    if iso == "isolated":
        return "none", "isolated: no NAT gateway, no internet gateway; AWS services through VPC endpoints only"
    reasons = _egress_reasons(answers, platform)
    if not reasons:
        return "none", (
            "no workload must reach the internet (project.needs_internet is false, no public images): no NAT "
            f"gateway (≈ ${nat_hour:,.0f}/month each saved); S3 through the free gateway endpoint"
            + ("" if iso == "none" else ", AWS APIs through interface endpoints")
            + "; project.needs_internet: true would add one"
        )
    why = "; ".join(reasons)
    if answers.stage == "production" and answers.budget.monthly_usd >= PER_AZ_NAT_MIN_BUDGET:
        return "per_az", (
            f"{why}: NAT egress; production with a budget >= ${PER_AZ_NAT_MIN_BUDGET}: one NAT per AZ in the "
            f"production environment (≈ ${nat_hour:,.0f}/month each), so an AZ outage does not cut egress; "
            "one shared NAT elsewhere"
        )
    return "single", (
        f"{why}: one shared NAT gateway (≈ ${nat_hour:,.0f}/month idle; an AZ outage would cut egress); "
        "project.needs_internet: false" + (" and SageMaker training" if platform == "eks" else "") + " would remove it"
    )


def _env_endpoints(answers: Answers, *, platform: str, workspace: bool, mlflow: bool) -> list[str]:
    """Interface endpoints one environment's workloads call (empty when isolation is none)."""
    if answers.compliance.network_isolation == "none":
        return []
    # SageMaker API and runtime always: the private-network policy (MLGEN_AWS_010) requires them in
    # every private root, and make deploy / batch scoring call them from inside the VPC.
    services = set(BASE_ENDPOINTS) | {"sagemaker.api", "sagemaker.runtime"}
    if platform == "eks":
        services |= set(EKS_ENDPOINTS)
    if workspace:
        services |= set(STUDIO_ENDPOINTS)
    if mlflow:
        services.add("sagemaker.experiments")  # the managed MLflow tracking server, privately
    return sorted(services)


def decide(answers: Answers) -> Blueprint:
    """Turn validated answers into a blueprint (pure)."""
    a = answers
    p, c, region = a.project, a.compliance, a.cloud.region
    slug = p.slug or ""
    decisions: list[Decision] = []

    inst, nodes, d_inst = choose_gpu(a)
    d_platform = choose_platform(a, inst, nodes)
    platform = d_platform.choice
    if platform == "eks" and inst is not None and inst.ec2_type:
        d_inst = d_inst.model_copy(
            update={
                "choice": inst.ec2_type if nodes == 1 else f"{inst.ec2_type} x {nodes}",
                "rationale": d_inst.rationale + f" On EKS the nodes are the EC2 equivalent, {inst.ec2_type}, at "
                f"${inst.ec2_price:.2f}/h.",
            }
        )
    decisions += [d_platform, d_inst, choose_accounts(a), choose_teardown(a)]
    t = a.scale.training
    use_spot = a.budget.allow_spot and t.jobs_per_month > 0
    decisions.append(
        Decision(
            id="training-capacity",
            title="Spot or on-demand training capacity",
            choice="spot with checkpointing" if use_spot else "on-demand",
            alternatives=["on-demand" if use_spot else "spot with checkpointing"],
            rationale=(
                "budget.allow_spot is true: training runs on spot capacity (typically 60-70% cheaper); "
                "the generated training code checkpoints to S3 and resumes after an interruption."
                if use_spot
                else "budget.allow_spot is false: on-demand capacity, no interruptions."
            ),
            driven_by=["budget.allow_spot"],
        )
    )

    # Keys
    strict = any(fw in STRICT_FRAMEWORKS for fw in c.frameworks)
    per_purpose = c.customer_managed_keys and (
        strict or _classification_at_least(a, "confidential") or bool(c.frameworks)
    )
    purposes = ["data", "logs", "artifacts"] if per_purpose else ["data", "logs"]
    inference_spec, d_inf = choose_inference(a)
    mode = inference_spec["mode"]
    if platform == "eks" and per_purpose:
        purposes.append("eks")
    if mode in ("online", "serverless", "async") and per_purpose:
        purposes.append("endpoints")
    purposes = sorted(purposes)
    key_of = {
        p_: (p_ if p_ in purposes else ("logs" if p_ == "logs" else "data"))
        for p_ in ("data", "logs", "artifacts", "eks", "endpoints")
    }
    decisions.append(
        Decision(
            id="encryption-keys",
            title="Encryption keys",
            choice=f"{len(purposes)} customer-managed KMS keys ({', '.join(purposes)})",
            alternatives=["one shared key", "AWS-managed keys"],
            rationale=(
                "one key per purpose limits the blast radius of a key grant and lets auditors see who used which data"
                if per_purpose
                else "no regime or sensitivity asks for per-purpose keys: a data key and a logs key"
            )
            + f"; rotation yearly, 30-day deletion window; ≈ ${price('kms_key_month', region):,.2f}/month per key and "
            "environment"
            + (
                " (compliance.customer_managed_keys: false, or no framework and data below confidential, "
                "would leave two)"
                if per_purpose
                else ""
            )
            + ".",
            driven_by=["compliance.customer_managed_keys", "compliance.frameworks", "compliance.data_classification"],
        )
    )

    # Network
    nat, nat_why = _nat_mode(a, platform)
    studio = a.scale.team_size > 0
    mlflow_hourly = mlflow_price("small", region)
    mlflow_affordable = a.stage != "prototype" and mlflow_hourly * HOURS <= MLFLOW_BUDGET_SHARE * a.budget.monthly_usd
    mlflow = TEMPLATE_WIRES_MLFLOW and mlflow_affordable
    first_env = a.cloud.environments[0]
    env_endpoints = {
        env: _env_endpoints(
            a,
            platform=platform,
            workspace=studio and env == first_env,
            mlflow=mlflow and env == first_env,
        )
        for env in a.cloud.environments
    }
    endpoint_hour = price("vpc_interface_endpoint_az_hour", region) * HOURS
    per_env = "; ".join(
        f"{env}: {len(eps)} x {_endpoint_azs(a, env)} AZ ({', '.join(eps)})" for env, eps in env_endpoints.items()
    )
    decisions.append(
        Decision(
            id="network",
            title="Network isolation",
            choice=f"{c.network_isolation}: NAT {nat}, interface endpoints "
            + ", ".join(f"{env} {len(eps)}" for env, eps in env_endpoints.items()),
            alternatives=[m for m in ("none", "private", "isolated") if m != c.network_isolation],
            rationale=nat_why
            + (
                "; interface endpoints are the union of what each environment's workloads call, in every AZ of "
                f"the production environment and one AZ elsewhere (≈ ${endpoint_hour:,.2f}/month per endpoint "
                f"and AZ): {per_env}; network_isolation: none would remove them"
                if any(env_endpoints.values())
                else "; network_isolation none: no interface endpoints (S3 gateway endpoint is free)"
            )
            + ". Two AZs of subnets; flow logs to a KMS-encrypted log group.",
            driven_by=[
                "compliance.network_isolation",
                "project.needs_internet",
                "stage",
                "budget.monthly_usd",
                "scale.team_size",
                "scale.inference.mode",
            ],
        )
    )

    # Storage
    fsx_gb = fsx_capacity(a.scale.dataset_size_gb)
    fsx_useful = nodes > 1 and a.scale.dataset_size_gb >= FSX_MIN_DATASET_GB and inst is not None
    fsx_month = fsx_gb * price("fsx_lustre_scratch2_gb_month", region)
    fsx_hours = t.jobs_per_month * (t.hours_per_job + FSX_SETUP_HOURS)
    fsx_always_on = fsx_hours >= FSX_ALWAYS_ON_UTILISATION * HOURS
    fsx = TEMPLATE_WIRES_FSX and fsx_useful and fsx_always_on
    fsx_note = (
        (
            f"; FSx for Lustre ({fsx_gb} GB) would cost ≈ ${fsx_month:,.0f}/month always on or "
            f"≈ ${fsx_month * min(1.0, fsx_hours / HOURS):,.0f}/month created per run ({fsx_hours:,.0f} h/month "
            f"of jobs incl. {FSX_SETUP_HOURS:g} h to create and load each): "
            + ("always on would pay off" if fsx_always_on else "per run is cheaper")
            + ", but the generated jobs read from S3 and no node mounts a file system, so none is created"
        )
        if fsx_useful and not fsx
        else ""
    )
    object_lock = strict
    replication = a.cloud.dr_region is not None
    # Standard-IA only pays when the data is not read back every month (each read is billed per GB).
    ia_days = 60 if a.scale.dataset_size_gb >= 100 and t.jobs_per_month == 0 else 0
    decisions.append(
        Decision(
            id="storage",
            title="Data storage",
            choice="S3 (data, artifacts, access logs)"
            + (f" + FSx for Lustre {fsx_gb} GB" if fsx else "")
            + (" + object lock" if object_lock else "")
            + (f" + replication to {a.cloud.dr_region}" if replication else ""),
            alternatives=["FSx for Lustre", "EFS"] if not fsx else ["S3 streaming only"],
            rationale=(
                (
                    f"multi-node jobs over {a.scale.dataset_size_gb:g} GB read faster from FSx for Lustre linked "
                    "to the "
                    f"data bucket ({fsx_gb} GB, primary environment only)"
                    if fsx
                    else f"{a.scale.dataset_size_gb:g} GB with {nodes} node(s) per job: S3 streaming"
                    + (fsx_note or f"; FSx for Lustre only pays off from {FSX_MIN_DATASET_GB} GB with multi-node jobs")
                )
                + (
                    "; HIPAA/PCI DSS: object lock (GOVERNANCE) protects data integrity; privileged users can still "
                    "erase personal data under GDPR"
                    if object_lock
                    else ""
                )
                + (
                    f"; cross-region replication to {a.cloud.dr_region} for disaster recovery"
                    if replication
                    else "; no DR region: no replication"
                )
                + (
                    f"; objects move to Standard-IA after {ia_days} days"
                    if ia_days
                    else (
                        f"; objects stay in S3 Standard: {t.jobs_per_month} jobs a month read the data, and "
                        "Standard-IA bills every GB read back"
                        if a.scale.dataset_size_gb >= 100
                        else ""
                    )
                )
                + ". Versioning, SSE-KMS, TLS-only and access logging always; prevent_destroy and object lock in "
                f"the primary environment ({a.cloud.environments[-1]}) only (docs/decisions: teardown)."
            ),
            driven_by=[
                "scale.dataset_size_gb",
                "scale.training.nodes_per_job",
                "scale.training.jobs_per_month",
                "scale.training.hours_per_job",
                "compliance.frameworks",
                "cloud.dr_region",
            ],
        )
    )

    # Registry and MLflow (decided with the network above: the tracking server needs its endpoint)
    mlflow_idle = mlflow_hourly * HOURS
    if mlflow:
        mlflow_why = (
            f"Managed MLflow costs ≈ ${mlflow_idle:,.0f}/month idle, within {MLFLOW_BUDGET_SHARE:.0%} of the "
            f"budget at stage {a.stage}: created in the first environment; stage prototype would remove it."
        )
    elif mlflow_affordable:
        mlflow_why = (
            f"Managed MLflow (≈ ${mlflow_idle:,.0f}/month idle) would fit the budget, but nothing in the generated "
            "code logs to it and no generated role may call it, so it is not created; jobs log metrics to "
            "CloudWatch and SageMaker Experiments."
        )
    else:
        mlflow_why = (
            f"Managed MLflow (≈ ${mlflow_idle:,.0f}/month idle) is left out at stage {a.stage} or above "
            f"{MLFLOW_BUDGET_SHARE:.0%} of the budget; track experiments in SageMaker Experiments."
        )
    decisions.append(
        Decision(
            id="registries",
            title="Registries and experiment tracking",
            choice="ECR (training, serving) + SageMaker model registry"
            + (" + managed MLflow (Small)" if mlflow else ""),
            alternatives=["self-hosted MLflow", "managed MLflow"] if not mlflow else ["no tracking server"],
            rationale="ECR repositories (immutable tags, scan on push, KMS) and a model package group always. "
            + mlflow_why,
            driven_by=["stage", "budget.monthly_usd"],
        )
    )
    decisions.append(
        Decision(
            id="workspace",
            title="Developer workspace",
            choice=("SageMaker Studio (VPC only)" if c.network_isolation != "none" else "SageMaker Studio")
            if studio
            else "none",
            alternatives=["notebook instances", "local only"],
            rationale=(
                f"team of {a.scale.team_size}: a Studio domain in the first environment, apps shut down after "
                "60 idle minutes; VPC-only when the network is private or isolated"
                if studio
                else "team_size is 0: no workspace"
            ),
            driven_by=["scale.team_size", "compliance.network_isolation"],
        )
    )
    decisions.append(d_inf)
    data_events = bool(c.frameworks) or _classification_at_least(a, "confidential")
    alarms_month = SECURITY_ALARMS * (
        price("cloudwatch_alarm_month", region) + price("cloudwatch_custom_metric_month", region)
    )
    decisions.append(
        Decision(
            id="audit",
            title="Audit logging",
            choice=f"CloudTrail multi-region, {c.audit_retention_days} days"
            + (" + S3 data events on the data buckets" if data_events else "")
            + (" + CIS security alarms" if data_events else ""),
            alternatives=["management events only"] if data_events else ["S3 data events"],
            rationale=(
                f"retention {c.audit_retention_days} days from compliance.audit_retention_days; "
                + (
                    "data events record who read which object, which the selected frameworks and the data "
                    "classification ask for"
                    if data_events
                    else "public/internal data without a framework: management events suffice"
                )
                + (
                    f"; {SECURITY_ALARMS} CIS CloudTrail alarms with their metric filters (≈ "
                    f"${alarms_month:,.2f}"
                    "/month per environment); no framework and data below confidential would remove them"
                    if data_events
                    else "; no CIS security alarms (they would add ≈ "
                    f"${alarms_month:,.2f}"
                    "/month): no framework asks for them and the data is below confidential"
                )
            ),
            driven_by=["compliance.audit_retention_days", "compliance.frameworks", "compliance.data_classification"],
        )
    )
    # SageMaker serverless endpoints do not support data capture.
    capture = a.stage == "production" and mode in ("online", "async")
    decisions.append(
        Decision(
            id="monitoring",
            title="Model monitoring",
            choice=("endpoint alarms + data capture" if capture else "endpoint alarms") if mode != "none" else "none",
            alternatives=["data capture"] if not capture else ["alarms only"],
            rationale=(
                "CloudWatch alarms on 5xx errors and p95 latency to the owners; "
                + (
                    f"production stage: {DATA_CAPTURE_PERCENT}% of requests/responses captured to S3 for model "
                    f"monitoring in the production environment, expiring after {DATA_CAPTURE_DAYS} days"
                    if capture
                    else "serverless endpoints cannot capture data"
                    if mode == "serverless" and a.stage == "production"
                    else "data capture starts at stage production"
                )
            ),
            driven_by=["stage", "scale.inference.mode"],
        )
    )

    emails = a.budget.alert_emails or [p.owner]
    decisions.append(
        Decision(
            id="budget",
            title="Budget guardrails",
            choice=f"${a.budget.monthly_usd:,.0f}/month across {len(a.cloud.environments)} environment(s), "
            f"alerts at {', '.join(str(x) + '%' for x in a.budget.alert_thresholds_pct)}",
            alternatives=["no budget"],
            rationale="one AWS budget per environment filtered by its environment tag (its share of the budget, by "
            "estimated cost), plus the project total on the project tag in the "
            f"{a.cloud.environments[-1]} root, which also activates the {' and '.join(COST_ALLOCATION_TAGS)} "
            "cost-allocation tags (budgets read $0 until they are active; in a member account of an AWS "
            "Organization activate them in the management account instead); actual and forecast alerts to "
            + ", ".join(emails)
            + "; cost anomaly detection on top. Notification-only budgets carry no charge.",
            driven_by=["budget.monthly_usd", "budget.alert_thresholds_pct", "budget.alert_emails"],
        )
    )

    tags = {
        "project": slug,
        "cost-center": p.cost_center,
        "data-classification": c.data_classification,
        "owner": p.owner,
        "managed-by": "mlgen",
    }
    allowed = residency_regions(c.data_residency)
    training_type = (
        (inst.sagemaker_type if inst else "ml.m5.4xlarge")
        if platform == "sagemaker"
        else (inst.ec2_type if inst and inst.ec2_type else "m6i.xlarge")
    )
    scaffold, scaffold_decision = choose_scaffold(a, mode)
    decisions.append(scaffold_decision)
    if platform == "eks":
        decisions.append(_eks_access_decision(a))
    ml = {
        "training_platform": platform,
        "instance_type": training_type,
        "instance_count": nodes,
        "gpus_per_instance": inst.gpus if inst else 0,
        "use_spot": use_spot,
        "distribution": "torchrun" if nodes > 1 or (inst is not None and inst.gpus > 1) else "none",
        "max_run_seconds": math.ceil(t.hours_per_job * 3600 * 1.5),
        "max_wait_seconds": math.ceil(t.hours_per_job * 3600 * 3),
        "inference_mode": mode,
        "inference_gpu": a.scale.inference.gpu,
        "inference": inference_spec,
        "python_version": "3.11",
        **(
            {
                "cluster_autoscaler_version": CLUSTER_AUTOSCALER_VERSION,
                # no internet egress: public images come through the ECR pull-through cache
                "image_cache": c.network_isolation == "isolated",
            }
            if platform == "eks"
            else {}
        ),
        **scaffold,
    }
    allowed_instances = sorted(
        {
            training_type,
            *([inference_spec["instance_type"]] if "instance_type" in inference_spec else []),
            *([EKS_SYSTEM_INSTANCE] if platform == "eks" else []),
        }
    )
    envs = [
        _environment(
            a,
            env,
            purposes=purposes,
            key_of=key_of,
            nat=nat,
            endpoints=env_endpoints[env],
            platform=platform,
            inst=inst,
            nodes=nodes,
            use_spot=use_spot,
            fsx=fsx,
            fsx_gb=fsx_gb,
            object_lock=object_lock,
            replication=replication,
            ia_days=ia_days,
            mlflow=mlflow,
            studio=studio,
            inference=inference_spec,
            capture=capture,
            data_events=data_events,
            security_alarms=data_events,
            emails=emails,
            first=(i == 0),
        )
        for i, env in enumerate(a.cloud.environments)
    ]
    cost = estimate(a, envs=envs, ml=ml)
    envs = [_with_budget(e, a, cost, emails) for e in envs]
    suggestions = _suggestions(a, mode, nat, mlflow) if cost.over_budget else []
    bootstrap = _bootstrap(a)
    sources = sorted({m.source for e in envs for m in e.modules} | {m.source for m in bootstrap})
    return Blueprint(
        mlgen_version=__version__,
        project={
            "name": p.name,
            "slug": slug,
            "package": p.package,
            "owner": p.owner,
            "cost_center": p.cost_center,
            "github_repository": p.github_repository,
        },
        region=region,
        dr_region=a.cloud.dr_region,
        tags=tags,
        environments=envs,
        bootstrap=bootstrap,
        bootstrap_outputs=_bootstrap_outputs(a),
        module_sources=sources,
        ml=ml,
        compliance={
            "frameworks": list(c.frameworks),
            "data_classification": c.data_classification,
            "network_isolation": c.network_isolation,
            "stage": a.stage,
            "allowed_regions": sorted(allowed) if allowed is not None else [],
            "allowed_instance_types": allowed_instances,
        },
        decisions=decisions,
        cost=cost,
        suggestions=suggestions,
    )


def _environment(
    a: Answers,
    env: str,
    *,
    purposes: list[str],
    key_of: dict[str, str],
    nat: str,
    endpoints: list[str],
    platform: str,
    inst: Instance | None,
    nodes: int,
    use_spot: bool,
    fsx: bool,
    fsx_gb: int,
    object_lock: bool,
    replication: bool,
    ia_days: int,
    mlflow: bool,
    studio: bool,
    inference: dict[str, Any],
    capture: bool,
    data_events: bool,
    security_alarms: bool,
    emails: list[str],
    first: bool,
) -> Environment:
    c = a.compliance
    primary = _is_primary(a, env)
    owns = owns_account_layer(a, env)
    name = f"{a.project.slug}-{env}"
    key = {p_: ref(f'module.keys.key_arns["{k}"]') for p_, k in key_of.items()}

    def kref(purpose: str | None) -> dict[str, str]:
        return ref(f'module.keys.key_arns["{purpose}"]')

    serving = endpoint_mode(a, env, inference) if inference["mode"] in ("online", "serverless", "async") else None
    stores, flows = stores_and_flows(
        key_of=key_of,
        platform=platform,
        endpoint=serving,
        capture=capture and primary and serving not in (None, "serverless"),
        mlflow=mlflow and first,
        studio=studio and first,
        name=name,
        destroyable=destroyable(a, env),
    )
    store_key = {s.id: s.key for s in stores}
    role_keys = [kref(k) for k in keys_for(TRAINING_ROLE[platform], stores, flows)]
    env_nat = nat if (primary or nat == "none") else ("single" if nat == "per_az" else nat)
    mods: list[ModuleCall] = [
        ModuleCall(name="keys", source="keys", inputs={"name": name, "purposes": purposes}),
        ModuleCall(
            name="storage",
            source="storage",
            dr_provider=True,
            inputs={
                "name": name,
                "create_kms_key": False,
                "kms_key_arn": kref(store_key["data"]),
                "transition_to_ia_days": ia_days,
                "checkpoint_noncurrent_days": CHECKPOINT_NONCURRENT_DAYS,
                "data_capture_expiration_days": DATA_CAPTURE_DAYS,
                "enable_fsx": fsx and primary,
                "fsx_storage_capacity_gb": fsx_gb,
                "fsx_subnet_id": ref("module.network.private_subnet_ids[0]") if fsx and primary else None,
                # Empty: the module makes the Lustre client group (output fsx_security_group_id) that
                # training jobs attach; passing the training group would make storage and training
                # depend on each other (and hides the buckets from Checkov's graph).
                "fsx_security_group_ids": [],
                "object_lock": {"enabled": object_lock and primary, "mode": "GOVERNANCE", "retention_days": 365},
                "destroyable": destroyable(a, env),
                "replication": {"enabled": replication},
            },
        ),
        ModuleCall(
            name="network",
            source="network",
            inputs={
                "name": name,
                # Zone ids picked in the root from the zones offering every instance type it launches.
                "azs": ref("local.azs"),
                "isolation": c.network_isolation,
                "nat_gateways": env_nat,
                "interface_endpoints": endpoints,
                "interface_endpoint_az_count": _endpoint_azs(a, env),
                "flow_log_kms_key_arn": key["logs"],
                "flow_log_retention_days": log_retention(c.audit_retention_days),
            },
        ),
        # The management trail and its CIS alarms are the account's (owner root only); other roots in a
        # shared account keep a data-event trail when the frameworks ask for one, and no trail otherwise.
        *(
            [
                ModuleCall(
                    name="audit",
                    source="audit",
                    inputs={
                        "name": name,
                        "kms_key_arn": key["logs"],
                        "retention_days": log_retention(c.audit_retention_days),
                        "include_management_events": owns,
                        "data_event_bucket_arns": [
                            ref("module.storage.data_bucket_arn"),
                            ref("module.storage.artifacts_bucket_arn"),
                        ]
                        if data_events
                        else [],
                        "alert_emails": emails,
                        "enable_security_alarms": security_alarms and owns,
                        "destroyable": audit_destroyable(a, env),
                    },
                )
            ]
            if owns or data_events
            else []
        ),
        ModuleCall(
            name="registry",
            source="registry",
            inputs={
                "name": name,
                "kms_key_arn": kref(store_key["training-image"]),
                # The MLflow server's role uses the artifact store's key (only when there is a server).
                "artifacts_kms_key_arn": kref(store_key["artifacts"]) if mlflow and first else None,
                "enable_mlflow": mlflow and first,
                "destroyable": destroyable(a, env),
                "artifacts_bucket_name": ref("module.storage.artifacts_bucket_name"),
                "artifacts_bucket_arn": ref("module.storage.artifacts_bucket_arn"),
            },
        ),
    ]
    if platform == "sagemaker":
        mods.append(
            ModuleCall(
                name="training",
                source="training_sagemaker",
                inputs={
                    "name": name,
                    "data_bucket_arn": ref("module.storage.data_bucket_arn"),
                    "artifacts_bucket_arn": ref("module.storage.artifacts_bucket_arn"),
                    "artifacts_bucket_name": ref("module.storage.artifacts_bucket_name"),
                    "kms_key_arns": role_keys,
                    "ecr_repository_arns": ref("values(module.registry.repository_arns)"),
                    "mlflow_tracking_server_arn": ref("module.registry.mlflow_tracking_server_arn")
                    if mlflow and first
                    else None,
                    "vpc_id": ref("module.network.vpc_id"),
                    "vpc_cidr_block": ref("module.network.vpc_cidr_block"),
                    "subnet_ids": ref("module.network.private_subnet_ids"),
                    "log_kms_key_arn": key["logs"],
                    "log_retention_days": log_retention(c.audit_retention_days),
                    # /aws/sagemaker/TrainingJobs is one group per account and region.
                    "create_log_group": owns,
                },
            )
        )
    else:
        gpu_max = nodes if primary else 1
        mods.append(
            ModuleCall(
                name="training",
                source="training_eks",
                inputs={
                    "name": name,
                    "vpc_id": ref("module.network.vpc_id"),
                    "subnet_ids": ref("module.network.private_subnet_ids"),
                    "kms_key_arn": key["eks"],
                    "log_kms_key_arn": key["logs"],
                    "log_retention_days": log_retention(c.audit_retention_days),
                    "system_node_group": {"instance_type": EKS_SYSTEM_INSTANCE, "min_size": 1, "max_size": 2},
                    "kubernetes_version": EKS_KUBERNETES_VERSION,
                    "gpu_node_groups": {"gpu": _eks_gpu_group(inst, nodes, gpu_max, use_spot)},
                    "image_cache": {
                        "enabled": a.compliance.network_isolation == "isolated",  # = ml.image_cache
                        "prefix": _image_cache_prefix(a.project.slug or "", env),
                    },
                    "training_deployer_role_names": [_ci_apply_role(a)] if a.project.github_repository else [],
                    "data_bucket_arn": ref("module.storage.data_bucket_arn"),
                    "artifacts_bucket_arn": ref("module.storage.artifacts_bucket_arn"),
                    "data_kms_key_arns": role_keys,
                },
            )
        )
    mode = inference["mode"]
    if mode in ("online", "serverless", "async"):
        mode = endpoint_mode(a, env, inference)
        inputs: dict[str, Any] = {
            "name": name,
            "mode": mode,
            "model_image": ref("var.model_image"),
            "model_data_url": ref("var.model_data_url"),
            "kms_key_arn": key["endpoints"],
            "artifacts_kms_key_arn": kref(store_key["artifacts"]),
            "ecr_repository_arns": [ref('module.registry.repository_arns["serving"]')],
            "artifacts_bucket_arn": ref("module.storage.artifacts_bucket_arn"),
            "artifacts_bucket_name": ref("module.storage.artifacts_bucket_name"),
            "enable_data_capture": capture and primary and mode != "serverless",
            "data_capture_percent": DATA_CAPTURE_PERCENT,
            "alarm_emails": emails,
            "latency_alarm_ms": max(a.scale.inference.p95_latency_ms, 50),
            "log_kms_key_arn": key["logs"],
            "sns_kms_key_arn": key["logs"],
            "log_retention_days": log_retention(c.audit_retention_days),
        }
        if mode != "serverless" and platform == "sagemaker":
            # Model containers run in the private subnets with the training security group (S3 via
            # the gateway endpoint, ECR/logs via interface endpoints). Serverless has no VPC option.
            inputs["subnet_ids"] = ref("module.network.private_subnet_ids")
            inputs["security_group_ids"] = [ref("module.training.security_group_id")]
        if mode in ("online", "async"):
            inputs["instance_type"] = inference["instance_type"]
            lo = inference["min_instances"] if mode == "online" else 0
            hi = inference["max_instances"] if primary else 1
            inputs["initial_instance_count"] = max(lo, 1)
            inputs["autoscaling"] = {
                # async endpoints always scale in to 0 (the module sets the target's floor to 0)
                "min": max(lo, 1) if mode == "async" else lo,
                "max": max(hi, lo, 1),
                "target_invocations_per_instance": inference["target_invocations_per_instance"],
            }
        if mode == "serverless":
            inputs["instance_type"] = None  # serverless variants have no instance type
            inputs["serverless"] = {
                "memory_size_mb": inference["memory_mb"],
                "max_concurrency": inference["max_concurrency"] if primary else 1,
            }
        mods.append(ModuleCall(name="endpoint", source="endpoint", inputs=inputs))
    if studio and first:
        mods.append(
            ModuleCall(
                name="workspace",
                source="workspace",
                inputs={
                    "name": name,
                    "vpc_id": ref("module.network.vpc_id"),
                    "vpc_cidr_block": ref("module.network.vpc_cidr_block"),
                    "subnet_ids": ref("module.network.private_subnet_ids"),
                    "vpc_only": c.network_isolation != "none",
                    "kms_key_arn": key["data"],
                    "data_bucket_arn": ref("module.storage.data_bucket_arn"),
                    "artifacts_bucket_arn": ref("module.storage.artifacts_bucket_arn"),
                    "idle_timeout_minutes": 60,
                    "destroyable": destroyable(a, env),
                    # S3 is reached through the gateway endpoint, whose addresses are outside the VPC CIDR.
                    "https_egress_prefix_list_ids": [ref("module.network.s3_prefix_list_id")],
                },
            )
        )
    outputs = {
        "data_bucket": "module.storage.data_bucket_name",
        "artifacts_bucket": "module.storage.artifacts_bucket_name",
        "kms_key_arn": 'module.keys.key_arns["data"]',
        "training_repository_url": 'module.registry.repository_urls["training"]',
        "serving_repository_url": 'module.registry.repository_urls["serving"]',
        "model_package_group": "module.registry.model_package_group_name",
        "output_path": "s3://${module.storage.artifacts_bucket_name}/training",
        "checkpoint_path": "s3://${module.storage.artifacts_bucket_name}/checkpoints",
    }
    outputs = {k: (f'"{v}"' if v.startswith("s3://") else v) for k, v in outputs.items()}
    if fsx and primary:
        outputs["fsx_security_group_id"] = "module.storage.fsx_security_group_id"
        outputs["fsx_mount_name"] = "module.storage.fsx_mount_name"
    if platform == "sagemaker":
        outputs.update(
            {
                "training_role_arn": "module.training.role_arn",
                "training_subnet_ids": "module.training.subnet_ids",
                "training_security_group_id": "module.training.security_group_id",
            }
        )
    else:
        outputs.update(
            {
                "eks_cluster_name": "module.training.cluster_name",
                "eks_deployer_role_arn": "module.training.deployer_role_arn",
                "eks_kubernetes_version": "module.training.kubernetes_version",
                "image_registries": "module.training.image_registries",
                "training_role_arn": "module.training.training_role_arn",
                "training_namespace": "module.training.training_service_account.namespace",
                "training_service_account": "module.training.training_service_account.name",
            }
        )
    if mode in ("online", "serverless", "async"):
        outputs["endpoint_execution_role_arn"] = "module.endpoint.execution_role_arn"
        outputs["endpoint_name"] = "module.endpoint.endpoint_name"
    elif platform == "sagemaker":
        outputs["endpoint_execution_role_arn"] = "module.training.role_arn"
    mods = [m.model_copy(update={"inputs": {**m.inputs, "tags": ref("local.tags")}}) for m in mods]
    expect = {
        "private_subnets": AZ_COUNT,
        "public_subnets": 0 if env_nat == "none" else AZ_COUNT,
        "endpoint_gated": mode in ("online", "serverless", "async"),
    }
    account_id = a.cloud.account_ids.get(env)
    # EC2 types the account must offer in every chosen zone: EKS nodes, or the EC2 twin of the
    # SageMaker training instance (SageMaker places jobs in the subnets' zones).
    zone_types = sorted(
        {EKS_SYSTEM_INSTANCE, inst.ec2_type if inst and inst.ec2_type else "g5.xlarge"}
        if platform == "eks"
        else ({inst.ec2_type} if inst and inst.ec2_type else set())
    )
    return Environment(
        name=env,
        primary=primary,
        owns_account_layer=owns,
        az_count=AZ_COUNT,
        zone_instance_types=zone_types,
        account_id=account_id,
        assume_role_arn=f"arn:aws:iam::{account_id}:role/{a.cloud.deploy_role_name}"
        if account_id and a.cloud.accounts == "per_environment"
        else None,
        modules=mods,
        outputs=dict(sorted(outputs.items())),
        # A literal variable, not coalesce(): scanners must resolve the region for residency checks.
        dr_provider_region="var.dr_region" if a.cloud.dr_region else "var.region",
        expect=expect,
        stores=stores,
        flows=flows,
    )


# Terraform addresses of the roles that act in flows (the AWS wiring is the only code that knows them).
TRAINING_ROLE = {"sagemaker": "module.training.aws_iam_role.this", "eks": "module.training.aws_iam_role.training"}
# Who pulls images: SageMaker pulls as the job's role; on EKS the kubelet pulls as the node role.
PULL_ROLE = {"sagemaker": TRAINING_ROLE["sagemaker"], "eks": "module.training.aws_iam_role.node"}
EKS_CLUSTER_ROLE = "module.training.aws_iam_role.cluster"
ENDPOINT_ROLE = "module.endpoint.aws_iam_role.this"
MLFLOW_ROLE = "module.registry.aws_iam_role.mlflow[0]"
STUDIO_ROLE = "module.workspace.aws_iam_role.execution"


# The storage module keeps a protected and a destroyable data bucket, one of them created (teardown).
DATA_BUCKET_ADDRESS = {
    False: "module.storage.aws_s3_bucket.data[0]",
    True: "module.storage.aws_s3_bucket.data_destroyable[0]",
}


def stores_and_flows(
    *,
    key_of: dict[str, str],
    platform: str,
    endpoint: str | None,
    capture: bool,
    mlflow: bool,
    studio: bool,
    name: str,
    destroyable: bool = False,
) -> tuple[list[Store], list[Flow]]:
    """Which key encrypts which store, and every access the environment's workloads need.

    The one source for key wiring: a module gets the keys of the stores its role's flows touch
    (``keys_for``), and tests/flows evaluates the planned policies against these flows.
    """
    stores = [
        # The storage module encrypts every bucket with its one kms_key_arn: the data key.
        Store(id="data", kind="bucket", name="data", address=DATA_BUCKET_ADDRESS[destroyable], key=key_of["data"]),
        Store(
            id="artifacts",
            kind="bucket",
            name="artifacts",
            address="module.storage.aws_s3_bucket.artifacts",
            key=key_of["data"],
        ),
        # ECR decrypts layers through its own grant on the key: pullers need no KMS permission.
        Store(
            id="training-image",
            kind="registry",
            name="training",
            address='module.registry.aws_ecr_repository.this["training"]',
            key=key_of["artifacts"],
        ),
        Store(
            id="serving-image",
            kind="registry",
            name="serving",
            address='module.registry.aws_ecr_repository.this["serving"]',
            key=key_of["artifacts"],
        ),
    ]
    flows: list[Flow] = []
    role = TRAINING_ROLE[platform]

    def via(principal: str, action: Any, store: str, route: Any, service: str, why: str) -> Flow:
        return Flow(principal=principal, action=action, store=store, route=route, service=service, why=why)

    def s3(principal: str, action: Any, store: str, prefix: str, why: str) -> Flow:
        return Flow(
            principal=principal, action=action, store=store, prefix=prefix, route="gateway", service="s3", why=why
        )

    flows += [
        s3(role, "list", "data", "", "training lists its input channel"),
        s3(role, "read", "data", "", "training reads the dataset"),
        s3(role, "list", "artifacts", "", "jobs list checkpoints to resume"),
        s3(role, "read", "artifacts", "checkpoints/", "a spot-interrupted job resumes from its checkpoint"),
        s3(role, "write", "artifacts", "checkpoints/", "jobs write checkpoints"),
        s3(role, "write", "artifacts", "training/", "jobs write the model artefact"),
        via(PULL_ROLE[platform], "pull", "training-image", "interface", "ecr.dkr", "jobs pull the training image"),
    ]
    if platform == "eks":
        stores.append(Store(id="eks-secrets", kind="secrets", name="kubernetes secrets", key=key_of["eks"]))
        flows.append(
            via(
                EKS_CLUSTER_ROLE, "encrypt", "eks-secrets", "service", "kms", "EKS envelope-encrypts Kubernetes secrets"
            )
        )
    if platform == "sagemaker":
        stores += [
            Store(id="training-logs", kind="log_group", name="/aws/sagemaker/TrainingJobs", key=key_of["logs"]),
            Store(id="processing-logs", kind="log_group", name="/aws/sagemaker/ProcessingJobs", key=key_of["logs"]),
        ]
        flows += [
            via(role, "log", "training-logs", "service", "logs", "training jobs write their logs"),
            via(
                role,
                "log",
                "processing-logs",
                "service",
                "logs",
                "batch scoring (Processing jobs) writes its logs",
            ),
            s3(role, "write", "artifacts", "scoring/", "batch scoring writes predictions"),
        ]
    if endpoint is not None:
        stores += [
            Store(id="endpoint-logs", kind="log_group", name=f"/aws/sagemaker/Endpoints/{name}", key=key_of["logs"]),
            Store(id="endpoint-volume", kind="volume", name="endpoint", key=key_of["endpoints"]),
        ]
        flows += [
            s3(ENDPOINT_ROLE, "read", "artifacts", "training/", "the endpoint loads the model artefact"),
            via(ENDPOINT_ROLE, "pull", "serving-image", "interface", "ecr.dkr", "the endpoint pulls the serving image"),
            via(
                ENDPOINT_ROLE,
                "encrypt",
                "endpoint-volume",
                "service",
                "kms",
                "SageMaker encrypts the endpoint's ML volumes with the role's grant",
            ),
            via(ENDPOINT_ROLE, "log", "endpoint-logs", "service", "logs", "the model container writes its logs"),
        ]
        if capture:
            flows.append(s3(ENDPOINT_ROLE, "write", "artifacts", "data-capture/", "data capture records requests"))
        if endpoint == "async":
            stores += [
                Store(
                    id=f"async-{outcome}",
                    kind="topic",
                    name=f"async-{outcome}",
                    address=f"module.endpoint.aws_sns_topic.async_{outcome}[0]",
                    key=key_of["logs"],
                )
                for outcome in ("success", "error")
            ]
            flows += [
                s3(ENDPOINT_ROLE, "write", "artifacts", "async-output/", "async inference writes its results"),
                s3(
                    ENDPOINT_ROLE, "write", "artifacts", "async-output-failures/", "async inference writes its failures"
                ),
                *(
                    via(
                        ENDPOINT_ROLE,
                        "publish",
                        f"async-{outcome}",
                        "service",
                        "sns",
                        f"async inference notifies {outcome}",
                    )
                    for outcome in ("success", "error")
                ),
            ]
    if mlflow:
        stores.append(
            Store(
                id="tracking",
                kind="tracking_server",
                name="mlflow",
                address="module.registry.aws_sagemaker_mlflow_tracking_server.this[0]",
                key=None,
            )
        )
        flows += [
            s3(MLFLOW_ROLE, "list", "artifacts", "mlflow/", "the tracking server lists its artefacts"),
            s3(MLFLOW_ROLE, "read", "artifacts", "mlflow/", "the tracking server serves logged artefacts"),
            s3(MLFLOW_ROLE, "write", "artifacts", "mlflow/", "the tracking server stores logged artefacts"),
            via(
                role,
                "track",
                "tracking",
                "interface",
                "sagemaker.experiments",
                "training jobs log runs and metrics to MLflow",
            ),
        ]
    if studio:
        flows += [
            s3(STUDIO_ROLE, "list", "data", "", "notebooks browse the dataset"),
            s3(STUDIO_ROLE, "read", "data", "", "notebooks read the dataset"),
            s3(STUDIO_ROLE, "write", "data", "", "data preparation in notebooks writes curated datasets"),
            s3(STUDIO_ROLE, "read", "artifacts", "", "notebooks read models and checkpoints"),
            s3(STUDIO_ROLE, "write", "artifacts", "", "notebooks write experiments' output"),
        ]
    return stores, flows


def keys_for(principal: str, stores: list[Store], flows: list[Flow]) -> list[str]:
    """Key purposes ``principal`` itself must use: those of the buckets its flows touch (sorted)."""
    by_id = {s.id: s for s in stores}
    return sorted(
        {by_id[f.store].key for f in flows if f.principal == principal and by_id[f.store].kind == "bucket"} - {None}
    )


def _with_budget(env: Environment, a: Answers, cost: Any, emails: list[str]) -> Environment:
    """Add the budget module: each environment's share of the budget, by its estimated cost."""
    totals = {e: 0.0 for e in a.cloud.environments}
    for line in cost.lines:
        if line.environment in totals:
            totals[line.environment] += line.idle_usd + line.usage_usd
    grand = sum(totals.values())
    share = totals[env.name] / grand if grand > 0 else 1 / len(totals)
    limit = max(1.0, round(a.budget.monthly_usd * share, 0))
    budget = ModuleCall(
        name="budget",
        source="budget",
        inputs={
            "name": f"{a.project.slug}-{env.name}",
            "monthly_limit_usd": limit,
            "thresholds_pct": list(a.budget.alert_thresholds_pct),
            "alert_emails": emails,
            "cost_allocation_tag": {"key": "environment", "value": env.name},
            "project_total": {
                "name": a.project.slug,
                "monthly_limit_usd": a.budget.monthly_usd,
                "tag": {"key": "project", "value": a.project.slug},
            }
            if env.primary
            else None,
            "activate_cost_allocation_tags": list(COST_ALLOCATION_TAGS) if env.primary else [],
            # AWS allows one AWS-services (DIMENSIONAL) anomaly monitor per account: the owner root's.
            "enable_anomaly_detection": env.owns_account_layer,
            "kms_key_arn": ref('module.keys.key_arns["logs"]'),
            "tags": ref("local.tags"),
        },
    )
    return env.model_copy(update={"modules": [*env.modules, budget]})


def _ci_apply_role(a: Answers) -> str:
    """Name of the CI apply role the bootstrap root's ci_identity module creates."""
    return f"{a.project.slug}-ci-github-apply"


def _eks_gpu_group(inst: Instance | None, nodes: int, max_size: int, use_spot: bool) -> dict[str, Any]:
    """The EKS GPU node group: multi-node jobs get one AZ, a cluster placement group and EFA where supported."""
    ec2_type = inst.ec2_type if inst and inst.ec2_type else "g5.xlarge"
    multi_node = nodes > 1 and max_size > 1
    return {
        "instance_types": [ec2_type],
        "capacity_type": "SPOT" if use_spot else "ON_DEMAND",
        "min_size": 0,
        "max_size": max_size,
        "desired_size": 0,
        "gpus_per_node": inst.gpus if inst else 1,
        "placement_group": multi_node,
        "efa": multi_node and efa_supported(ec2_type),
    }


def _image_cache_prefix(slug: str, env: str) -> str:
    """ECR pull-through cache prefix of one cluster: 2-19 characters, the env name kept whole.

    Rule prefixes are per account and region, so each project and env needs its own.
    """
    if len(env) > 15:
        return f"c{hashlib.sha256(f'{slug}/{env}'.encode()).hexdigest()[:12]}"
    return f"{slug[: 18 - len(env)].rstrip('-._')}-{env}"


def _eks_access_decision(a: Answers) -> Decision:
    """How people and CI reach the private EKS API."""
    ci = (
        f" The CI apply role ({_ci_apply_role(a)}) gets an access entry in the "
        "training-deployers group only: k8s/rbac.yaml lets it run PyTorchJobs in the training namespace."
        if a.project.github_repository
        else ""
    )
    endpoint_az_month = price("vpc_interface_endpoint_az_hour", a.cloud.region) * HOURS
    return Decision(
        id="eks-access",
        title="Way in to the EKS API",
        choice="private endpoint, SSM port forwarding, deployer role",
        alternatives=["public endpoint with an allow-list", "VPN or Direct Connect to the VPC", "bastion host"],
        rationale=(
            "The API endpoint stays private (compliance.network_isolation is "
            f"{a.compliance.network_isolation}: no public endpoints). `make kube-tunnel` opens an SSM Session "
            "Manager port forward through a system node to the endpoint and `make kubeconfig` points kubectl at "
            "it; nothing listens publicly and no bastion runs. The module's deployer role is cluster admin "
            "through an EKS access entry (API authentication mode, no implicit creator admin); any principal "
            "of the account that IAM lets assume it can use kubectl. Cost at rest: the ssm and ssmmessages "
            f"interface endpoints, ≈ ${2 * endpoint_az_month:,.2f}/month per AZ and environment (counted in the "
            "interface-endpoints cost line; the Cluster Autoscaler's autoscaling endpoint adds "
            f"≈ ${endpoint_az_month:,.2f}); compliance.network_isolation: none (no interface endpoints) or "
            "SageMaker training would remove them. A VPN or Direct Connect would instead use the module's "
            "api_ingress_cidr_blocks." + ci
        ),
        driven_by=["compliance.network_isolation", "project.github_repository"],
    )


def _bootstrap(a: Answers) -> list[ModuleCall]:
    name = a.project.slug or ""  # the module appends -tfstate / -tflogs and the account id
    mods = [ModuleCall(name="state", source="state_backend", inputs={"name": name, "tags": ref("local.tags")})]
    if a.project.github_repository:
        mods.append(
            ModuleCall(
                name="ci",
                source="ci_identity",
                inputs={
                    "name": f"{a.project.slug}-ci",
                    "github_repository": a.project.github_repository,
                    "state_bucket_arn": ref("module.state.bucket_arn"),
                    "state_kms_key_arn": ref("module.state.kms_key_arn"),
                    # Without it every CI apply fails with AccessDenied (issue #12).
                    "deploy_name_prefix": a.project.slug,
                    "tags": ref("local.tags"),
                },
            )
        )
    return mods


def _bootstrap_outputs(a: Answers) -> dict[str, str]:
    outputs = {"state_bucket": "module.state.bucket_name", "state_kms_key_arn": "module.state.kms_key_arn"}
    if a.project.github_repository:
        outputs.update(plan_role_arn="module.ci.plan_role_arn", apply_role_arn="module.ci.apply_role_arn")
    return outputs


def _suggestions(a: Answers, mode: str, nat: str, mlflow: bool) -> list[str]:
    out = []
    t = a.scale.training
    if not a.budget.allow_spot and t.gpus_per_job > 0:
        out.append("allow spot training (budget.allow_spot: true) — typically 60-70% off GPU hours")
    if t.gpus_per_job > 1:
        out.append(f"fewer GPUs per job (scale.training.gpus_per_job < {t.gpus_per_job}) or fewer/shorter jobs")
    elif t.jobs_per_month > 4:
        out.append("fewer or shorter training jobs (scale.training.jobs_per_month / hours_per_job)")
    if mode == "online":
        out.append("serverless or async inference (scale.inference.mode) — no always-on instances")
    if len(a.cloud.environments) > 1:
        out.append("fewer environments (cloud.environments) — each carries its own idle network and keys")
    if nat == "per_az":
        out.append("a single NAT gateway")
    if mlflow:
        out.append("no managed MLflow (stage: prototype)")
    out.append("or raise budget.monthly_usd")
    return out
