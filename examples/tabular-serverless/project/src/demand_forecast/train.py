"""Training entry point for SageMaker, EKS (torchrun) and local runs.

Where things come from (first match wins):

- training data: ``--train-dir``, ``SM_CHANNEL_TRAIN``, ``/opt/ml/input/data/train``,
  ``data/train``; a mounted S3 prefix or an ``s3://`` URI work too (see ``data``);
- validation data (optional): ``--validation-dir``, ``SM_CHANNEL_VALIDATION``,
  ``/opt/ml/input/data/validation``;
- model directory: ``--model-dir``, ``SM_MODEL_DIR``, ``/opt/ml/model`` inside a SageMaker
  container, ``model``. SageMaker uploads it to the artifacts bucket as ``model.tar.gz``;
- metrics and other outputs: ``--output-data-dir``, ``SM_OUTPUT_DATA_DIR``,
  ``/opt/ml/output/data``, ``output``;
- checkpoints: ``--checkpoint-dir``, ``CHECKPOINT_DIR``, ``/opt/ml/checkpoints`` inside a
  SageMaker container (synced to ``checkpoint_s3_uri``), ``checkpoints``;
- hyperparameters: command-line flags; SageMaker's hyperparameters (``SM_HPS``, or
  ``/opt/ml/input/config/hyperparameters.json``) fill in any flag not given.

Spot capacity: a checkpoint is written every ``--checkpoint-every`` steps and when SIGTERM
arrives; a new run resumes from the newest readable checkpoint, so an interruption loses at
most ``--checkpoint-every`` steps.

Checkpoints are keyed by a digest of the training data and of the settings that shape training
(``run_key``): they live in ``<checkpoint-dir>/<key>/``. A run with changed data or settings
finds no checkpoint under its own key and trains from step 0, saying so, instead of resuming
(or reusing a finished) model trained on something else.

Distributed: under ``torchrun`` (``WORLD_SIZE`` > 1) every rank trains on its own shard of
each epoch and the gradients are averaged across ranks at every step with
``torch.distributed`` (synchronous data parallelism, as DDP does); rank 0 writes
checkpoints, metrics and the model.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .data import (
    DEFAULT_LABEL_COLUMN,
    DataError,
    Dataset,
    channel_location,
    materialise,
    read_dataset,
    resolve_data_dir,
    shard_indices,
)
from .model import FORMAT, LogisticRegression, ModelError, write_archive

log = logging.getLogger(__name__)

SAGEMAKER_ROOT = Path("/opt/ml")
HYPERPARAMETERS_FILE = SAGEMAKER_ROOT / "input" / "config" / "hyperparameters.json"
CHECKPOINT_PREFIX = "checkpoint-"
CHECKPOINT_SUFFIX = ".json"
EXIT_INTERRUPTED = 128 + signal.SIGTERM  # "killed by SIGTERM": orchestrators retry it
# Settings that do not change what a step computes: a run may resume with other values.
RESUMABLE_SETTINGS = frozenset({"checkpoint_every", "keep_checkpoints", "max_steps"})


class TrainingError(RuntimeError):
    """Training cannot start or go on; the message says what to change."""


# -- collectives: how ranks agree -----------------------------------------------------------


class Collective(Protocol):
    """The few collective operations training needs."""

    rank: int
    world_size: int

    def mean(self, values: list[float]) -> list[float]:
        """Element-wise mean of ``values`` across all ranks."""
        ...

    def broadcast(self, values: list[float]) -> list[float]:
        """Rank 0's ``values``, on every rank."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...


class SingleProcess:
    """The collective of a world of one."""

    rank = 0
    world_size = 1

    def mean(self, values: list[float]) -> list[float]:
        return list(values)

    def broadcast(self, values: list[float]) -> list[float]:
        return list(values)

    def close(self) -> None:
        return None


class TorchDistributed:
    """Collectives over ``torch.distributed``, set up from torchrun's environment.

    The backend is ``gloo`` unless ``DIST_BACKEND`` says otherwise: this model's tensors are
    small and live on the CPU. A model on the GPU would use ``nccl``.
    """

    def __init__(self, backend: str | None = None) -> None:
        try:
            import torch
            import torch.distributed as dist
        except ImportError:
            raise TrainingError(
                "WORLD_SIZE > 1 needs PyTorch for torch.distributed; "
                "use a PyTorch base image (see Dockerfile.train) or run a single process"
            ) from None
        self._torch = torch
        self._dist = dist
        if not dist.is_initialized():
            dist.init_process_group(backend=backend or os.environ.get("DIST_BACKEND", "gloo"))
        self.rank = dist.get_rank()
        self.world_size = dist.get_world_size()

    def mean(self, values: list[float]) -> list[float]:
        tensor = self._torch.tensor(values, dtype=self._torch.float64)
        self._dist.all_reduce(tensor, op=self._dist.ReduceOp.SUM)
        return [float(v) / self.world_size for v in tensor.tolist()]

    def broadcast(self, values: list[float]) -> list[float]:
        tensor = self._torch.tensor(values, dtype=self._torch.float64)
        self._dist.broadcast(tensor, src=0)
        return [float(v) for v in tensor.tolist()]

    def close(self) -> None:
        if self._dist.is_initialized():
            self._dist.destroy_process_group()


def collective_from_env(env: Mapping[str, str] | None = None) -> Collective:
    """Pick the collective from torchrun's ``WORLD_SIZE`` (a single process when unset)."""
    env = os.environ if env is None else env
    world_size = int(env.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return SingleProcess()
    return TorchDistributed()


# -- checkpoints ----------------------------------------------------------------------------


def checkpoint_path(directory: Path, step: int) -> Path:
    """Path of the checkpoint written after ``step`` steps."""
    return directory / f"{CHECKPOINT_PREFIX}{step:09d}{CHECKPOINT_SUFFIX}"


def _checkpoint_step(path: Path) -> int | None:
    name = path.name
    if not (name.startswith(CHECKPOINT_PREFIX) and name.endswith(CHECKPOINT_SUFFIX)):
        return None
    digits = name[len(CHECKPOINT_PREFIX) : -len(CHECKPOINT_SUFFIX)]
    return int(digits) if digits.isdigit() else None


def save_checkpoint(directory: Path, step: int, model: LogisticRegression, keep: int = 3) -> Path:
    """Write the checkpoint for ``step`` and delete all but the newest ``keep``.

    The file is written in one sequential pass under its final name, never renamed, so this
    works on Mountpoint for S3 as well as on local disks. A file cut short by a crash does not
    parse and ``latest_checkpoint`` skips it.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = checkpoint_path(directory, step)
    payload = {"step": step, "model": model.to_dict()}
    path.write_text(json.dumps(payload, sort_keys=True) + "\n", encoding="utf-8")
    if keep > 0:
        older = sorted(
            (p for p in directory.iterdir() if (s := _checkpoint_step(p)) is not None and s < step),
            key=lambda p: _checkpoint_step(p) or 0,
        )
        for stale in older[: max(0, len(older) - (keep - 1))]:
            try:
                stale.unlink()
            except OSError:  # e.g. a Mountpoint volume mounted without allow-delete
                log.warning("could not delete old checkpoint %s", stale)
    return path


def run_key(dataset: Dataset, config: TrainConfig, world_size: int = 1) -> str:
    """Digest of the training data and of every setting that shapes the trained model.

    Two runs resume each other's checkpoints only when their keys match: same rows, labels and
    columns, same hyperparameters (all but ``RESUMABLE_SETTINGS``), same world size (it decides
    the shards) and the same model format.
    """
    settings = {k: v for k, v in asdict(config).items() if k not in RESUMABLE_SETTINGS}
    digest = hashlib.sha256()
    header = {"format": FORMAT, "world_size": world_size, "settings": settings}
    digest.update(json.dumps(header, sort_keys=True).encode("utf-8"))
    digest.update(json.dumps([dataset.feature_names, dataset.label_column]).encode("utf-8"))
    for row, label in zip(dataset.features, dataset.labels, strict=True):
        digest.update(json.dumps([row, label]).encode("utf-8"))
    return digest.hexdigest()[:16]


def run_directory(checkpoint_dir: Path, key: str) -> Path:
    """Where the checkpoints of the run with ``key`` live."""
    return checkpoint_dir / key


def other_runs(checkpoint_dir: Path, key: str) -> list[str]:
    """Keys (subdirectory names) of checkpoints in ``checkpoint_dir`` written for other runs."""
    if not checkpoint_dir.is_dir():
        return []
    found = []
    for entry in sorted(checkpoint_dir.iterdir()):
        if entry.is_dir() and entry.name != key:
            if any(_checkpoint_step(p) is not None for p in entry.iterdir()):
                found.append(entry.name)
        elif entry.is_file() and _checkpoint_step(entry) is not None:
            found.append(".")  # an older layout: checkpoints directly in the directory
    return sorted(set(found))


def latest_checkpoint(directory: Path) -> tuple[int, LogisticRegression] | None:
    """The newest checkpoint in ``directory`` that reads back whole, or ``None``."""
    if not directory.is_dir():
        return None
    candidates = sorted(
        ((s, p) for p in directory.iterdir() if (s := _checkpoint_step(p)) is not None),
        reverse=True,
    )
    for _step, path in candidates:
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            return int(payload["step"]), LogisticRegression.from_dict(payload["model"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("skipping unreadable checkpoint %s (%s)", path, error)
    return None


# -- the training loop ----------------------------------------------------------------------


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of a training run."""

    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 0.1
    l2: float = 1e-4
    seed: int = 0
    checkpoint_every: int = 50
    keep_checkpoints: int = 3
    max_steps: int = 0
    label_column: str = DEFAULT_LABEL_COLUMN

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.checkpoint_every < 1:
            raise TrainingError("epochs, batch_size and checkpoint_every must be at least 1")
        if self.learning_rate <= 0 or self.l2 < 0 or self.max_steps < 0:
            raise TrainingError("learning_rate must be > 0; l2 and max_steps must be >= 0")


@dataclass
class TrainResult:
    """What a training run produced."""

    model: LogisticRegression
    step: int
    total_steps: int
    interrupted: bool
    resumed_from: int | None
    history: list[dict[str, float]] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        """True when the run reached its last step (or ``max_steps``) without interruption."""
        return not self.interrupted


def steps_per_epoch(rows: int, world_size: int, batch_size: int) -> int:
    """Optimizer steps in one epoch; the same on every rank."""
    return math.ceil((rows // world_size) / batch_size)


def train(
    dataset: Dataset,
    config: TrainConfig,
    *,
    checkpoint_dir: Path | None = None,
    collective: Collective | None = None,
    stop: threading.Event | None = None,
) -> TrainResult:
    """Train a logistic regression with mini-batch SGD, resuming from checkpoints.

    Every rank must pass the same ``dataset`` and ``config``; each trains on its own shard
    and gradients are averaged across ranks at every step, so all ranks hold the same
    parameters. Only rank 0 reads and writes checkpoints, under
    ``checkpoint_dir/run_key(...)``; the step and parameters it resumes from are broadcast to
    the other ranks.

    Args:
        dataset: All training rows.
        config: Hyperparameters.
        checkpoint_dir: Where checkpoints go; ``None`` turns checkpointing off.
        collective: How ranks agree; a single process when ``None``.
        stop: Set it (for example from a SIGTERM handler) to checkpoint and stop at the next
            step. If any rank is asked to stop, all ranks stop at the same step.

    Returns:
        The model, how far it got, and per-epoch metrics.
    """
    group = collective or SingleProcess()
    rank, world = group.rank, group.world_size
    model = LogisticRegression.for_dataset(dataset, l2=config.l2)
    per_epoch = steps_per_epoch(len(dataset), world, config.batch_size)
    total = config.epochs * per_epoch
    if config.max_steps:
        total = min(total, config.max_steps)

    start, resumed_from = 0, None
    run_dir: Path | None = None
    if rank == 0 and checkpoint_dir is not None:
        key = run_key(dataset, config, world)
        run_dir = run_directory(checkpoint_dir, key)
        found = latest_checkpoint(run_dir)
        if found is not None:
            start, saved = found
            model.set_parameters(saved.parameters())
        elif stale := other_runs(checkpoint_dir, key):
            log.warning(
                "checkpoints in %s (%s) were written for other training data or settings; "
                "this run (key %s) trains from step 0",
                checkpoint_dir,
                ", ".join(stale),
                key,
            )
    state = group.broadcast([float(start), *model.parameters()])
    start = int(state[0])
    model.set_parameters(state[1:])
    if start:
        resumed_from = start
        if rank == 0:
            log.info("resuming from checkpoint at step %d of %d in %s", start, total, run_dir)
            if start >= total:
                log.info("that checkpoint already finished this run: no steps left to train")

    history: list[dict[str, float]] = []
    indices: list[int] = []
    current_epoch = -1
    step = start
    interrupted = False
    while step < total:
        epoch, batch = divmod(step, per_epoch)
        if epoch != current_epoch:
            indices = shard_indices(len(dataset), rank, world, config.seed, epoch)
            current_epoch = epoch
        chosen = indices[batch * config.batch_size : (batch + 1) * config.batch_size]
        rows = [dataset.features[i] for i in chosen]
        labels = [dataset.labels[i] for i in chosen]
        stop_flag = 1.0 if stop is not None and stop.is_set() else 0.0
        averaged = group.mean([*model.gradient(rows, labels), stop_flag])
        model.step(averaged[:-1], config.learning_rate)
        step += 1
        interrupted = averaged[-1] > 0.0

        if step % per_epoch == 0 or step == total:
            shard = dataset.select(indices)
            loss, accuracy = group.mean(
                [
                    model.loss(shard.features, shard.labels),
                    model.accuracy(shard.features, shard.labels),
                ]
            )
            record = {
                "epoch": float(epoch + 1),
                "step": float(step),
                "train_loss": loss,
                "train_accuracy": accuracy,
            }
            history.append(record)
            if rank == 0:
                log.info(
                    "epoch=%d step=%d train_loss=%.6f train_accuracy=%.4f",
                    epoch + 1,
                    step,
                    loss,
                    accuracy,
                )
        if run_dir is not None and (
            step % config.checkpoint_every == 0 or interrupted or step == total
        ):
            save_checkpoint(run_dir, step, model, keep=config.keep_checkpoints)
        if interrupted:
            if rank == 0:
                log.warning("stop requested: checkpointed at step %d of %d", step, total)
            break

    model.metadata = {"steps": step, "world_size": world, "epochs": config.epochs}
    return TrainResult(model, step, total, interrupted, resumed_from, history)


def evaluate(model: LogisticRegression, dataset: Dataset, prefix: str) -> dict[str, float]:
    """Loss and accuracy of ``model`` on ``dataset``, keyed ``<prefix>_loss`` and so on."""
    return {
        f"{prefix}_loss": model.loss(dataset.features, dataset.labels),
        f"{prefix}_accuracy": model.accuracy(dataset.features, dataset.labels),
    }


# -- command line ---------------------------------------------------------------------------


def _default_dir(env: Mapping[str, str], variable: str, sagemaker: Path, local: str) -> Path:
    if env.get(variable):
        return Path(env[variable])
    if SAGEMAKER_ROOT.is_dir():
        return sagemaker
    return Path(local)


def sagemaker_hyperparameters(env: Mapping[str, str]) -> dict[str, Any]:
    """Hyperparameters SageMaker handed to the container, with ``-`` in names read as ``_``.

    ``SM_HPS`` (set by the SageMaker training toolkit) holds typed JSON; the bare container
    contract gives ``/opt/ml/input/config/hyperparameters.json`` with string values.
    SageMaker's own ``sagemaker_*`` entries are left out.
    """
    raw: dict[str, Any] = {}
    if env.get("SM_HPS"):
        raw = json.loads(env["SM_HPS"])
    elif HYPERPARAMETERS_FILE.is_file():
        raw = json.loads(HYPERPARAMETERS_FILE.read_text(encoding="utf-8"))
    result: dict[str, Any] = {}
    for key, value in raw.items():
        if key.startswith("sagemaker_"):
            continue
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        result[key.replace("-", "_")] = str(value) if not isinstance(value, str) else value
    return result


def build_parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    """The command-line interface, with defaults taken from the SageMaker environment."""
    defaults = TrainConfig()
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.train",
        description="Train the model (SageMaker, torchrun or local).",
    )
    parser.add_argument("--train-dir", default=None, help="CSV directory, mount or s3:// URI")
    parser.add_argument("--validation-dir", default=None)
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=_default_dir(env, "SM_MODEL_DIR", SAGEMAKER_ROOT / "model", "model"),
    )
    parser.add_argument(
        "--output-data-dir",
        type=Path,
        default=_default_dir(
            env, "SM_OUTPUT_DATA_DIR", SAGEMAKER_ROOT / "output" / "data", "output"
        ),
    )
    parser.add_argument(
        "--checkpoint-dir",
        type=Path,
        default=_default_dir(env, "CHECKPOINT_DIR", SAGEMAKER_ROOT / "checkpoints", "checkpoints"),
    )
    parser.add_argument(
        "--export-archive",
        type=Path,
        default=None,
        help="also write model.tar.gz here (rank 0), e.g. on an S3 mount when not on SageMaker",
    )
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--l2", type=float, default=defaults.l2)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--checkpoint-every", type=int, default=defaults.checkpoint_every)
    parser.add_argument("--keep-checkpoints", type=int, default=defaults.keep_checkpoints)
    parser.add_argument(
        "--max-steps", type=int, default=defaults.max_steps, help="stop after this many steps"
    )
    parser.add_argument("--label-column", default=defaults.label_column)
    known = set(vars(parser.parse_args([])))
    hyperparameters = sagemaker_hyperparameters(env)
    unknown = sorted(set(hyperparameters) - known)
    if unknown:
        log.warning("ignoring unknown hyperparameters: %s", ", ".join(unknown))
    parser.set_defaults(**{k: v for k, v in hyperparameters.items() if k in known})
    return parser


def _check_writable(*directories: Path) -> None:
    for directory in directories:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise TrainingError(f"cannot create {directory}: {error}") from None
        if not os.access(directory, os.W_OK):
            raise TrainingError(
                f"{directory} is not writable by uid {os.getuid()}; "
                "run the container as a user that can write there (see Dockerfile.train)"
            )


def install_stop_handler(stop: threading.Event) -> Callable[[], None]:
    """Set ``stop`` on SIGTERM (spot interruption, pod eviction) and SIGINT.

    Returns:
        A function that puts the previous handlers back.
    """

    def handler(signum: int, _frame: object) -> None:
        log.warning("received signal %d: checkpointing and stopping", signum)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def _keep_signals() -> None:
    return None


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    collective_factory: Callable[[], Collective] | None = None,
) -> int:
    """Run training from the command line; return the process exit code."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    env = os.environ if env is None else env
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["train"]:  # SageMaker starts training images with `train`
        args_list = args_list[1:]
    args = build_parser(env).parse_args(args_list)

    stop = threading.Event()
    in_main_thread = threading.current_thread() is threading.main_thread()
    restore_signals = install_stop_handler(stop) if in_main_thread else _keep_signals
    group = (collective_factory or (lambda: collective_from_env(env)))()
    try:
        config = TrainConfig(
            epochs=args.epochs,
            batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            l2=args.l2,
            seed=args.seed,
            checkpoint_every=args.checkpoint_every,
            keep_checkpoints=args.keep_checkpoints,
            max_steps=args.max_steps,
            label_column=args.label_column,
        )
        if group.rank == 0:
            _check_writable(args.model_dir, args.output_data_dir, args.checkpoint_dir)
        dataset = read_dataset(resolve_data_dir(args.train_dir, env=env), config.label_column)
        validation = None
        validation_location = channel_location(args.validation_dir, "validation", env)
        if validation_location:
            validation = read_dataset(
                materialise(validation_location, "validation"), config.label_column
            )
        if group.rank == 0:
            log.info(
                "training on %d rows x %d features, world size %d, config %s",
                len(dataset),
                len(dataset.feature_names),
                group.world_size,
                asdict(config),
            )
        result = train(
            dataset, config, checkpoint_dir=args.checkpoint_dir, collective=group, stop=stop
        )
        if result.interrupted:
            return EXIT_INTERRUPTED
        if group.rank == 0:
            metrics = evaluate(result.model, dataset, "train")
            if validation is not None:
                metrics.update(evaluate(result.model, validation, "validation"))
            metrics.update(steps=result.step, world_size=group.world_size)
            for name, value in sorted(metrics.items()):
                log.info("final %s=%s", name, value)
            path = result.model.save(args.model_dir)
            args.output_data_dir.mkdir(parents=True, exist_ok=True)
            (args.output_data_dir / "metrics.json").write_text(
                json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
            if args.export_archive is not None:
                write_archive(args.model_dir, args.export_archive)
                log.info("wrote %s", args.export_archive)
            log.info("wrote %s", path)
        return 0
    except (DataError, ModelError, TrainingError) as error:
        log.error("%s", error)
        return 2
    finally:
        group.close()
        restore_signals()


if __name__ == "__main__":
    raise SystemExit(main())
