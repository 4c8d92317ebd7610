"""Read-only access to mlgen's bundled data: AWS prices and the GPU catalog.

The YAML files carry their sources and retrieval dates (see their headers); this module only
looks numbers up. Missing prices raise ``KeyError`` naming the item and region.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from mlgen.resources import data_file


@cache
def _prices() -> dict[str, Any]:
    with data_file("prices_aws.yaml").open(encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh))


@cache
def _gpus() -> dict[str, Any]:
    with data_file("gpu_catalog_aws.yaml").open(encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh))


@cache
def _efa() -> dict[str, bool]:
    with data_file("efa_aws.yaml").open(encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh)["efa"])


def efa_supported(ec2_type: str) -> bool:
    """Whether an EC2 instance type supports EFA (data/efa_aws.yaml; unknown types: no)."""
    return bool(_efa().get(ec2_type, False))


def price_source() -> str:
    """A one-line provenance note for reports."""
    meta = _prices()["meta"]
    return f"AWS list prices ({meta['currency']}), retrieved {meta['retrieved']}; see mlgen/data/prices_aws.yaml"


def price(item: str, region: str) -> float:
    """A flat item's price (``prices: {region: number}``)."""
    entry = _prices()[item]
    if entry.get("free"):
        return 0.0
    try:
        return float(entry["prices"][region])
    except KeyError as exc:
        raise KeyError(f"no price for {item} in {region}") from exc


def keyed_price(item: str, key: str, region: str) -> float | None:
    """A keyed item's price (``prices: {key: {region: number}}``), None when not offered there."""
    row = _prices()[item]["prices"].get(key)
    if row is None or region not in row:
        return None
    return float(row[region])


def training_price(instance_type: str, region: str) -> float:
    value = keyed_price("sagemaker_training", instance_type, region)
    if value is None:
        raise KeyError(f"no SageMaker training price for {instance_type} in {region}")
    return value


def hosting_price(instance_type: str, region: str) -> float:
    value = keyed_price("sagemaker_hosting", instance_type, region)
    if value is None:
        raise KeyError(f"no SageMaker hosting price for {instance_type} in {region}")
    return value


def ec2_price(instance_type: str, region: str) -> float | None:
    return keyed_price("ec2_ondemand", instance_type, region)


def mlflow_price(size: str, region: str) -> float:
    value = keyed_price("sagemaker_mlflow", size, region)
    if value is None:
        raise KeyError(f"no MLflow price for size {size} in {region}")
    return value


def spot_fraction(instance_type: str) -> float:
    """Share of the on-demand price paid on spot (1 - typical discount) for the instance family."""
    family = instance_type.removeprefix("ml.").split(".")[0]
    table = _prices()["spot_discount"]["prices"]
    row = table.get(family)
    if row is None:
        return 1.0
    discount = min(float(v) for v in row.values())
    return round(1.0 - discount, 4)


@dataclass(frozen=True)
class Instance:
    """A GPU training instance: SageMaker and EC2 names for the same hardware."""

    gpu: str
    gpus: int
    gpu_memory_gb: float
    sagemaker_type: str
    ec2_type: str | None
    sagemaker_price: float
    ec2_price: float | None


def _sagemaker_entries() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(gpu name, gpu entry, instance entry) for every SageMaker training instance in the catalog."""
    out = []
    for gpu, entry in sorted(_gpus().items()):
        if gpu in ("meta", "cpu"):
            continue
        for instance_type, inst in sorted(entry.get("sagemaker_training", {}).items()):
            out.append((gpu, entry, {"instance_type": instance_type, **inst}))
    return out


def _available(inst: dict[str, Any], region: str) -> bool:
    regions = inst.get("regions")
    if isinstance(regions, dict):
        return bool(regions.get(region))
    return region in (regions or [])


def training_instances(region: str, *, gpu: str | None, gpus_per_node: int) -> list[Instance]:
    """SageMaker GPU training instances in ``region`` with at least ``gpus_per_node`` GPUs.

    Only the smallest GPU count per GPU model that fits is returned (more GPUs than asked cost more).
    """
    best: dict[str, Instance] = {}
    for name, entry, inst in _sagemaker_entries():
        if gpu is not None and name != gpu:
            continue
        if int(inst["gpus"]) < gpus_per_node or not _available(inst, region):
            continue
        sm_type = inst["instance_type"]
        sm_price = keyed_price("sagemaker_training", sm_type, region)
        if sm_price is None:
            continue
        ec2_type = sm_type.removeprefix("ml.")
        candidate = Instance(
            gpu=name,
            gpus=int(inst["gpus"]),
            gpu_memory_gb=float(entry["memory_gb"]),
            sagemaker_type=sm_type,
            ec2_type=ec2_type if ec2_price(ec2_type, region) is not None else None,
            sagemaker_price=sm_price,
            ec2_price=ec2_price(ec2_type, region),
        )
        current = best.get(name)
        if current is None or (candidate.gpus, candidate.sagemaker_price) < (current.gpus, current.sagemaker_price):
            best[name] = candidate
    return sorted(best.values(), key=lambda i: (i.sagemaker_price, i.sagemaker_type))


def gpu_shapes(region: str, *, gpu: str | None) -> list[Instance]:
    """Every SageMaker GPU training instance type sold in ``region`` (of ``gpu`` when given).

    Unlike :func:`training_instances`, all sizes are returned: packing needs to compare one
    8-GPU node with two 4-GPU nodes.
    """
    out = []
    for name, entry, inst in _sagemaker_entries():
        if (gpu is not None and name != gpu) or not _available(inst, region):
            continue
        sm_type = inst["instance_type"]
        sm_price = keyed_price("sagemaker_training", sm_type, region)
        if sm_price is None:
            continue
        ec2_type = sm_type.removeprefix("ml.")
        ec2 = ec2_price(ec2_type, region)
        out.append(
            Instance(
                gpu=name,
                gpus=int(inst["gpus"]),
                gpu_memory_gb=float(entry["memory_gb"]),
                sagemaker_type=sm_type,
                ec2_type=ec2_type if ec2 is not None else None,
                sagemaker_price=sm_price,
                ec2_price=ec2,
            )
        )
    return sorted(out, key=lambda i: (i.gpus, i.sagemaker_price, i.sagemaker_type))


def gpu_available(gpu: str, region: str, gpus_per_node: int) -> bool:
    """Whether a SageMaker training instance with ``gpus_per_node`` x ``gpu`` exists in ``region``."""
    return bool(training_instances(region, gpu=gpu, gpus_per_node=gpus_per_node))


@dataclass(frozen=True)
class HostingInstance:
    """A SageMaker hosting instance type: its memory, GPUs and hourly price in one region."""

    instance_type: str
    vcpus: int
    memory_gib: float
    gpus: int
    gpu: str | None
    gpu_memory_gib: float
    hourly_usd: float


@cache
def _hosting() -> dict[str, Any]:
    with data_file("hosting_aws.yaml").open(encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh))


def hosting_source() -> str:
    """Provenance of the hosting instance table, for decision records."""
    return f"instance memory from mlgen/data/hosting_aws.yaml, retrieved {_hosting()['meta']['retrieved']}"


@cache
def hosting_instances(region: str) -> tuple[HostingInstance, ...]:
    """Hosting instance types offered (priced) in ``region``, cheapest first."""
    out = []
    for name, row in _hosting()["instances"].items():
        hourly = keyed_price("sagemaker_hosting", name, region)
        if hourly is None:
            continue
        out.append(
            HostingInstance(
                instance_type=name,
                vcpus=int(row["vcpus"]),
                memory_gib=float(row["memory_gib"]),
                gpus=int(row["gpus"]),
                gpu=row["gpu"],
                gpu_memory_gib=float(row["gpu_memory_gib"]),
                hourly_usd=hourly,
            )
        )
    return tuple(sorted(out, key=lambda i: (i.hourly_usd, i.instance_type)))
