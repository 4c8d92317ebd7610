"""Inference sizing: which hosting instance holds a model, and the headroom it needs.

One rule, read by the answers' cross-field validation (refuse what cannot be served, exit 2) and
by ``decide.choose_inference`` (pick the instance): a model of ``model_size_gb`` fits an instance
when

* its **host RAM** holds ``HOST_MEMORY_HEADROOM`` x the model (the artefact is read and
  deserialised, so two copies live in memory while it loads; a CPU model is served from there), and
* with a GPU, its **GPU memory** holds ``GPU_MEMORY_HEADROOM`` x the model (weights plus
  activations, KV cache and the CUDA context), on one GPU, or over all of the instance's GPUs when
  the serving container shards the model (the LMI/vLLM container, tensor parallel).

Serverless endpoints obey the same host-memory rule: at most ``SERVERLESS_MAX_MEMORY_MB``, so at most
``SERVERLESS_MAX_MODEL_GB``. Instance data (RAM, GPU memory) is in ``mlgen/data/hosting_aws.yaml``.
"""

from __future__ import annotations

import math
from typing import Any

from mlgen.catalog import HostingInstance, hosting_instances

GPU_MEMORY_HEADROOM = 1.2
HOST_MEMORY_HEADROOM = 2.0
SERVERLESS_MAX_MEMORY_MB = 6144  # SageMaker serverless memory sizes: 1024..6144 MB in 1 GB steps
SERVERLESS_MAX_MODEL_GB = SERVERLESS_MAX_MEMORY_MB / 1024 / HOST_MEMORY_HEADROOM
GIB = 2**30 / 1e9  # GB per GiB (model sizes are in GB, instance memory in GiB)

HEADROOM_RULE = (
    f"an instance holds the model when its RAM is >= {HOST_MEMORY_HEADROOM:g}x the model "
    f"and, with a GPU, its GPU memory is >= {GPU_MEMORY_HEADROOM:g}x the model "
    "(on one GPU; over all GPUs when the LMI container shards it)"
)


def inference_mode(inf: Any) -> str:
    """The mode ``scale.inference.mode: auto`` resolves to (see ``decide.choose_inference``)."""
    if inf.mode != "auto":
        return str(inf.mode)
    if inf.peak_rps == 0 or inf.p95_latency_ms >= 15 * 60 * 1000:
        return "batch"
    if inf.p95_latency_ms >= 60_000 or (inf.model_size_gb > 10 and inf.peak_rps <= 1):
        return "async"
    if (
        not inf.gpu
        and inf.model_size_gb <= SERVERLESS_MAX_MODEL_GB
        and inf.peak_rps <= 20
        and inf.p95_latency_ms >= 1000
    ):
        return "serverless"
    return "online"


def serverless_fits(model_size_gb: float) -> bool:
    """Whether a serverless endpoint's largest memory size holds the model with headroom."""
    return model_size_gb <= SERVERLESS_MAX_MODEL_GB


def serverless_memory_mb(model_size_gb: float) -> int:
    """The serverless memory size for the model: headroom x the model, rounded up to a GB step."""
    return int(min(SERVERLESS_MAX_MEMORY_MB, max(1024, 1024 * math.ceil(model_size_gb * HOST_MEMORY_HEADROOM))))


def needs(model_size_gb: float) -> tuple[float, float]:
    """(host RAM GiB, GPU memory GiB) a model needs, headroom included."""
    gib = model_size_gb / GIB
    return gib * HOST_MEMORY_HEADROOM, gib * GPU_MEMORY_HEADROOM


def fits(inst: HostingInstance, model_size_gb: float, *, gpu: bool, sharded: bool) -> bool:
    """Whether ``inst`` serves the model (see the module docstring for the rule)."""
    ram, gpu_mem = needs(model_size_gb)
    if (inst.gpus > 0) != gpu or inst.memory_gib < ram:
        return False
    if not gpu:
        return True
    usable = inst.gpu_memory_gib * (inst.gpus if sharded else 1)
    return usable >= gpu_mem


def hosting_instance(model_size_gb: float, *, gpu: bool, sharded: bool, region: str) -> HostingInstance | None:
    """The cheapest hosting instance in ``region`` that holds the model, None when none does."""
    for inst in hosting_instances(region):
        if fits(inst, model_size_gb, gpu=gpu, sharded=sharded):
            return inst
    return None


def refusal(model_size_gb: float, *, gpu: bool, sharded: bool, region: str) -> list[tuple[str, str]]:
    """``(field, message)`` lines saying why no instance holds the model and what would."""
    ram, gpu_mem = needs(model_size_gb)
    kind = "GPU" if gpu else "CPU"
    need = f"{ram:.0f} GiB RAM" + (f" and {gpu_mem:.0f} GiB GPU memory" if gpu else "")
    largest = [i for i in hosting_instances(region) if (i.gpus > 0) == gpu]
    biggest = max(largest, key=lambda i: (i.memory_gib, i.gpu_memory_gib * i.gpus), default=None)
    shown = (
        f"; the largest {kind} hosting instance mlgen offers in {region} is {biggest.instance_type} "
        f"({biggest.memory_gib:g} GiB RAM"
        + (f", {biggest.gpus} x {biggest.gpu_memory_gib:g} GiB GPU" if gpu else "")
        + ")"
        if biggest
        else f"; mlgen offers no {kind} hosting instance in {region}"
    )
    hints = ["a smaller (e.g. quantised) model"]
    if not gpu and hosting_instance(model_size_gb, gpu=True, sharded=sharded, region=region):
        hints.append("scale.inference.gpu: true")
    if gpu and not sharded and hosting_instance(model_size_gb, gpu=True, sharded=True, region=region):
        hints.append("project.domain: text (the LMI container shards a model over an instance's GPUs)")
    hints.append("another cloud.region")
    return [
        (
            "scale.inference.model_size_gb",
            f"a {model_size_gb:g} GB model on {kind} needs {need} ({HEADROOM_RULE}){shown}; use {', or '.join(hints)}",
        )
    ]
