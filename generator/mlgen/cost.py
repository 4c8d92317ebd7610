"""Monthly cost estimate of a blueprint: idle (nothing running) and usage (the answers' workload).

Pure arithmetic over the price tables in ``mlgen/data/prices_aws.yaml``; every line states its
assumption so management can challenge it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from mlgen.blueprint import CostEstimate, CostLine
from mlgen.catalog import ec2_price, hosting_price, mlflow_price, price, price_source, spot_fraction, training_price

if TYPE_CHECKING:
    from mlgen.answers import Answers
    from mlgen.blueprint import Environment

HOURS = 730  # hours in an average month
# ECR stores each layer once per repository: one base image plus a thin application layer per
# pushed image (assumptions: compressed sizes of the Dockerfiles' base images).
BASE_IMAGE_GB = {"gpu_training": 8.0, "gpu_serving": 3.5, "cpu": 0.5}
APP_LAYER_GB = 0.05
IMAGES_KEPT = 10  # images per repository a month of work keeps (the lifecycle keeps at most 50)
STUDIO_HOURS_PER_PERSON = 40  # notebook hours per person per month (idle apps shut down)
NAT_GB_PER_PERSON = 20
LOG_GB_PER_ENV = 5
TRAIL_GB_PER_MONTH = 0.5  # management events of one account, compressed
TRAIL_KB_PER_EVENT = 0.5  # one data event, compressed
SECURITY_ALARMS = 14  # the audit module's CIS CloudTrail alarms (one metric filter each)
ENDPOINT_ALARMS = 2  # the endpoint module's 5xx and latency alarms
EKS_LOG_GB = 5  # control-plane logs a month (api, audit, authenticator, controllerManager, scheduler)
NONPROD_TRAFFIC_SHARE = 0.01  # test traffic outside the production environment, share of production's
NONPROD_ENDPOINT_HOURS = 40  # instance-hours a month a scale-to-zero endpoint runs for tests outside production
SERVERLESS_P95_TO_MEAN = 8  # mean service time = p95 target / 8 unless the traffic profile states it
CAPTURE_KB_PER_REQUEST = 10  # request + response payload captured per sampled request
DATA_CAPTURE_MONTHS_KEPT = 3  # captured data expires after 90 days (storage lifecycle)


def eks_cluster_monthly(region: str, system_instance: str) -> float:
    """An EKS cluster before any GPU runs: the control plane and one system node, all month."""
    return (price("eks_cluster_hour", region) + (ec2_price(system_instance, region) or 0.0)) * HOURS


def _line(env: str, module: str, item: str, idle: float, usage: float, assumption: str) -> CostLine:
    return CostLine(
        environment=env,
        module=module,
        item=item,
        idle_usd=round(idle, 2),
        usage_usd=round(usage, 2),
        assumption=assumption,
    )


def _inputs(env: Environment, name: str) -> dict[str, Any] | None:
    for m in env.modules:
        if m.name == name:
            return m.inputs
    return None


def image_gb(ml: dict[str, Any]) -> float:
    """ECR storage of one environment: the training and serving repositories."""
    train = BASE_IMAGE_GB["gpu_training"] if ml["gpus_per_instance"] > 0 else BASE_IMAGE_GB["cpu"]
    serve = BASE_IMAGE_GB["gpu_serving"] if ml["inference_gpu"] else BASE_IMAGE_GB["cpu"]
    return round(train + serve + 2 * IMAGES_KEPT * APP_LAYER_GB, 2)


def daily_peak_share(a: Answers) -> float:
    """Average request rate over a day as a share of the peak, from the traffic profile."""
    tr = a.scale.inference.traffic
    return (tr.peak_hours_per_day + (24 - tr.peak_hours_per_day) * tr.off_peak_share) / 24


def requests_per_month(a: Answers, primary: bool) -> float:
    """Requests a month: the traffic profile in the production environment, a test trickle elsewhere."""
    reqs = a.scale.inference.peak_rps * 3600 * 24 * daily_peak_share(a) * HOURS / 24
    return reqs if primary else reqs * NONPROD_TRAFFIC_SHARE


def serverless_duration_s(a: Answers) -> float:
    """Billed duration of one serverless request: the stated mean, else one eighth of the p95 target."""
    inf = a.scale.inference
    ms = inf.traffic.mean_latency_ms or inf.p95_latency_ms / SERVERLESS_P95_TO_MEAN
    return ms / 1000


def _instance_hours(a: Answers, lo: int, hi: int, primary: bool) -> float:
    """Instance-hours a month of an instance-backed endpoint scaling between ``lo`` and ``hi``."""
    if not primary:
        return max(lo * HOURS, NONPROD_ENDPOINT_HOURS)
    tr = a.scale.inference.traffic
    off_peak = max(lo, math.ceil(hi * tr.off_peak_share)) if tr.off_peak_share > 0 else lo
    return HOURS / 24 * (tr.peak_hours_per_day * max(hi, lo) + (24 - tr.peak_hours_per_day) * off_peak)


def _endpoint_lines(a: Answers, env: Environment, ep: dict[str, Any]) -> list[CostLine]:
    region, e, mode = a.cloud.region, env.name, ep["mode"]
    tr = a.scale.inference.traffic
    profile = (
        f"traffic profile: {tr.peak_hours_per_day:g} peak h/day at {a.scale.inference.peak_rps:g} rps, "
        f"off-peak {tr.off_peak_share:.0%} of peak"
    )
    out: list[CostLine] = []
    reqs = requests_per_month(a, env.primary)
    if mode in ("online", "async"):
        hourly = hosting_price(ep["instance_type"], region)
        lo = ep["autoscaling"]["min"] if mode == "online" else 0  # async scales in to zero
        hi = ep["autoscaling"]["max"]
        hours = _instance_hours(a, lo, hi, env.primary)
        out.append(
            _line(
                e,
                "endpoint",
                f"{mode} {ep['instance_type']}",
                lo * hourly * HOURS,
                (hours - lo * HOURS) * hourly,
                f"min {lo} instance(s) always on (after the first deploy), {hours:,.0f} instance-hours/month; "
                + (profile + f", max {hi} at peak" if env.primary else f"test use ≈ {NONPROD_ENDPOINT_HOURS} h/month"),
            )
        )
    else:
        sls = ep["serverless"]
        dur = serverless_duration_s(a)
        gb_s = reqs * dur * sls["memory_size_mb"] / 1024
        out.append(
            _line(
                e,
                "endpoint",
                f"serverless {sls['memory_size_mb']} MB",
                0,
                gb_s * price("sagemaker_serverless_gb_second", region),
                f"{reqs:,.0f} requests/month x {dur * 1000:,.0f} ms billed each; "
                + (profile if env.primary else f"test traffic {NONPROD_TRAFFIC_SHARE:.0%} of production"),
            )
        )
    out.append(
        _line(
            e,
            "endpoint",
            f"{ENDPOINT_ALARMS} endpoint alarms",
            ENDPOINT_ALARMS * price("cloudwatch_alarm_month", region),
            0,
            "5xx and p95 latency alarms, once a model is deployed",
        )
    )
    if ep.get("enable_data_capture"):
        pct = ep.get("data_capture_percent", 100)
        gb = reqs * pct / 100 * CAPTURE_KB_PER_REQUEST / 1024 / 1024
        out.append(
            _line(
                e,
                "endpoint",
                f"data capture {pct}%",
                0,
                gb * DATA_CAPTURE_MONTHS_KEPT * price("s3_standard_gb_month", region),
                f"{pct}% of {reqs:,.0f} requests x {CAPTURE_KB_PER_REQUEST} KB, kept "
                f"{DATA_CAPTURE_MONTHS_KEPT} months by the lifecycle rule",
            )
        )
    return out


def _audit_lines(a: Answers, e: str, env: Environment, audit: dict[str, Any], ml: dict[str, Any]) -> list[CostLine]:
    """The trail of one root: management events only where the root owns its account's trail."""
    region, t = a.cloud.region, a.scale.training
    out: list[CostLine] = []
    mgmt = audit.get("include_management_events", True)
    events = 0.0
    if audit.get("data_event_bucket_arns"):
        reads = t.jobs_per_month * max(1, ml["instance_count"]) * a.scale.dataset_size_gb
        events = reads * 10 * (1 if env.primary else 0.1)
    out.append(
        _line(
            e,
            "audit",
            "CloudTrail + logs",
            0,
            events / 100_000 * price("cloudtrail_data_events_100k", region)
            + LOG_GB_PER_ENV * price("cloudwatch_logs_ingest_gb", region),
            (
                (
                    "first management trail free"
                    if mgmt
                    else "data events only (the account's management trail is in "
                    "the root that owns its singletons, counted once there)"
                )
                + ("; data events ≈ one per 100 MB read per node and job" if events else "; management events only")
            ),
        )
    )
    trail_gb = (TRAIL_GB_PER_MONTH if mgmt else 0.0) + events * TRAIL_KB_PER_EVENT / 1024 / 1024
    held = min(12.0, audit.get("retention_days", 365) / 30)
    out.append(
        _line(
            e,
            "audit",
            "trail log bucket",
            0,
            trail_gb * held * price("s3_standard_gb_month", region),
            f"{trail_gb:,.1f} GB of trail logs a month (compressed), up to a year of them held in S3",
        )
    )
    n_alarms = SECURITY_ALARMS if audit.get("enable_security_alarms", True) else 0
    if n_alarms:
        out.append(
            _line(
                e,
                "audit",
                f"{n_alarms} security alarms + metric filters",
                n_alarms * (price("cloudwatch_alarm_month", region) + price("cloudwatch_custom_metric_month", region)),
                0,
                "CIS CloudTrail alarms: one alarm and one custom metric each; free tier not counted",
            )
        )
    return out


def estimate(a: Answers, *, envs: list[Environment], ml: dict[str, Any]) -> CostEstimate:
    """Cost of every environment, plus the bootstrap state bucket."""
    region = a.cloud.region
    lines: list[CostLine] = []
    t = a.scale.training
    for env in envs:
        e = env.name
        keys = _inputs(env, "keys") or {}
        n_keys = len(keys.get("purposes", []))
        lines.append(
            _line(
                e,
                "keys",
                f"{n_keys} KMS keys",
                n_keys * price("kms_key_month", region),
                0,
                "customer-managed keys; request charges negligible at this scale",
            )
        )
        storage = _inputs(env, "storage") or {}
        data_gb = a.scale.dataset_size_gb if env.primary else a.scale.dataset_size_gb * 0.1
        artifacts_gb = max(1.0, data_gb * 0.1 + a.scale.inference.model_size_gb * max(1, t.jobs_per_month))
        s3_gb = data_gb + artifacts_gb
        ia = storage.get("transition_to_ia_days", 0) > 0
        tier = "s3_standard_ia_gb_month" if ia else "s3_standard_gb_month"
        s3 = s3_gb * price(tier, region)
        lines.append(
            _line(
                e,
                "storage",
                f"S3 {s3_gb:,.0f} GB",
                s3,
                0,
                ("full dataset" if env.primary else "a 10% sample of the dataset")
                + " + artifacts (10% of data + one model per job); "
                + (
                    f"Standard-IA after {storage['transition_to_ia_days']} days (steady state; no job reads the "
                    "data each month, so retrievals are negligible)"
                    if ia
                    else "Standard class (data read every month stays in Standard: IA retrievals would cost more)"
                ),
            )
        )
        if storage.get("replication", {}).get("enabled") and a.cloud.dr_region:
            lines.append(
                _line(
                    e,
                    "storage",
                    f"replica in {a.cloud.dr_region}",
                    s3_gb * price("s3_standard_gb_month", a.cloud.dr_region),
                    0,
                    "second copy of data and artifacts in the DR region; transfer not counted",
                )
            )
            lines.append(
                _line(
                    e,
                    "storage",
                    f"replica key in {a.cloud.dr_region}",
                    price("kms_key_month", a.cloud.dr_region),
                    0,
                    "the KMS key that encrypts the replicas in the DR region",
                )
            )
        if storage.get("enable_fsx"):
            gb = storage["fsx_storage_capacity_gb"]
            lines.append(
                _line(
                    e,
                    "storage",
                    f"FSx for Lustre {gb} GB",
                    gb * price("fsx_lustre_scratch2_gb_month", region),
                    0,
                    "SCRATCH_2 file system runs all month",
                )
            )
        net = _inputs(env, "network") or {}
        nat = net.get("nat_gateways", "none")
        n_nat = {"none": 0, "single": 1, "per_az": env.az_count}[nat]
        if n_nat:
            nat_gb = NAT_GB_PER_PERSON * max(1, a.scale.team_size)
            lines.append(
                _line(
                    e,
                    "network",
                    f"{n_nat} NAT gateway(s)",
                    n_nat * price("nat_gateway_hour", region) * HOURS,
                    nat_gb * price("nat_gateway_gb", region),
                    f"{nat_gb} GB/month through NAT ({NAT_GB_PER_PERSON} GB per person); "
                    "S3 uses the free gateway endpoint",
                )
            )
            lines.append(
                _line(
                    e,
                    "network",
                    f"{n_nat} public IPv4 address(es)",
                    n_nat * price("public_ipv4_address_hour", region) * HOURS,
                    0,
                    "one Elastic IP per NAT gateway, billed per hour",
                )
            )
        n_ep = len(net.get("interface_endpoints", []))
        if n_ep:
            azs = net.get("interface_endpoint_az_count") or env.az_count
            lines.append(
                _line(
                    e,
                    "network",
                    f"{n_ep} interface endpoints x {azs} AZs",
                    n_ep * azs * price("vpc_interface_endpoint_az_hour", region) * HOURS,
                    0,
                    f"endpoint-hours in {azs} AZ(s); data processed negligible",
                )
            )
        lines.append(
            _line(
                e,
                "network",
                "VPC flow logs",
                0,
                LOG_GB_PER_ENV * price("flow_logs_ingest_gb", region),
                f"{LOG_GB_PER_ENV} GB of flow logs a month",
            )
        )
        audit = _inputs(env, "audit")
        lines += _audit_lines(a, e, env, audit, ml) if audit is not None else []
        reg = _inputs(env, "registry") or {}
        lines.append(
            _line(
                e,
                "registry",
                "ECR storage",
                image_gb(ml) * price("ecr_storage_gb_month", region),
                0,
                f"{image_gb(ml):g} GB: training and serving base images stored once per repository "
                f"+ {IMAGES_KEPT} x {APP_LAYER_GB:g} GB application layers; the lifecycle expires old images",
            )
        )
        if reg.get("enable_mlflow"):
            lines.append(
                _line(
                    e,
                    "registry",
                    "managed MLflow (Small)",
                    mlflow_price("small", region) * HOURS,
                    0,
                    "tracking server runs all month",
                )
            )
        node_hours = t.jobs_per_month * t.hours_per_job * ml["instance_count"] if env.primary else 0
        spot = ml["use_spot"]
        if ml["training_platform"] == "sagemaker":
            hourly = training_price(ml["instance_type"], region)
            frac = spot_fraction(ml["instance_type"]) if spot else 1.0
            lines.append(
                _line(
                    e,
                    "training",
                    f"SageMaker {ml['instance_type']}",
                    0,
                    node_hours * hourly * frac,
                    f"{node_hours:,.0f} node-hours (jobs x hours x nodes) at ${hourly:.2f}/h"
                    + (f", spot pays {frac:.0%}" if spot else ", on-demand")
                    + ("" if env.primary else "; experiments in this environment not estimated"),
                )
            )
        else:
            hourly = ec2_price(ml["instance_type"], region) or 0.0
            frac = spot_fraction(ml["instance_type"]) if spot else 1.0
            system = (_inputs(env, "training") or {})["system_node_group"]["instance_type"]
            lines.append(
                _line(
                    e,
                    "training",
                    "EKS control plane + system node",
                    eks_cluster_monthly(region, system) + 2 * 50 * price("ebs_gp3_gb_month", region),
                    0,
                    f"control plane and one {system} system node all month",
                )
            )
            lines.append(
                _line(
                    e,
                    "training",
                    "EKS control-plane logs",
                    0,
                    EKS_LOG_GB * price("cloudwatch_logs_ingest_gb", region),
                    f"{EKS_LOG_GB} GB/month of the five control-plane log types",
                )
            )
            lines.append(
                _line(
                    e,
                    "training",
                    f"GPU nodes {ml['instance_type']}",
                    0,
                    node_hours * hourly * frac,
                    f"{node_hours:,.0f} node-hours; GPU node groups scale from zero"
                    + (f", spot pays {frac:.0%}" if spot else ", on-demand"),
                )
            )
        ep = _inputs(env, "endpoint")
        if ep is not None:
            lines += _endpoint_lines(a, env, ep)
        elif ml["inference_mode"] == "batch" and env.primary:
            itype = ml["inference"]["instance_type"]
            hourly = hosting_price(itype, region)
            lines.append(_line(e, "batch", "daily batch scoring", 0, 30 * hourly, f"one hour a day on {itype}"))
        if _inputs(env, "workspace") is not None:
            lines.append(
                _line(
                    e,
                    "workspace",
                    "SageMaker Studio",
                    0,
                    a.scale.team_size
                    * STUDIO_HOURS_PER_PERSON
                    * price("sagemaker_studio_jupyterlab_ml_t3_medium", region),
                    f"{STUDIO_HOURS_PER_PERSON} JupyterLab hours per person on ml.t3.medium; domain itself is free",
                )
            )
    lines.append(
        _line(
            "bootstrap",
            "state_backend",
            "state bucket + key",
            price("kms_key_month", region) + 1 * price("s3_standard_gb_month", region),
            0,
            "one KMS key and < 1 GB of state",
        )
    )
    return CostEstimate(region=region, lines=lines, budget_usd=a.budget.monthly_usd, price_source=price_source())


def render_table(cost: CostEstimate) -> list[str]:
    """A plain-text table of the estimate, per environment and module."""
    rows = [("environment", "module", "idle $/mo", "usage $/mo")]
    rows += [(env, mod, f"{idle:,.2f}", f"{usage:,.2f}") for env, mod, idle, usage in cost.by_module()]
    rows.append(("total", "", f"{cost.idle_usd:,.2f}", f"{cost.usage_usd:,.2f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    out = []
    for i, r in enumerate(rows):
        out.append("  ".join(c.ljust(widths[j]) if j < 2 else c.rjust(widths[j]) for j, c in enumerate(r)))
        if i == 0 or i == len(rows) - 2:
            out.append("  ".join("-" * w for w in widths))
    verdict = "over" if cost.over_budget else "within"
    out.append(f"estimated ${cost.total_usd:,.2f}/month of ${cost.budget_usd:,.2f} budget ({verdict} budget)")
    return out
