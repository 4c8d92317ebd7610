"""Training entry point for SageMaker, EKS (torchrun) and local runs, with PyTorch.

What is trained comes from ``model.Task`` (the example model and its data loader); this
module runs the loop, checkpoints and the SageMaker container contract around it.

Where things come from (first match wins):

- training data: ``--train-dir``, ``SM_CHANNEL_TRAIN``, ``/opt/ml/input/data/train``,
  ``data/train``; a mounted S3 prefix or an ``s3://`` URI work too (see ``channels``);
- model directory: ``--model-dir``, ``SM_MODEL_DIR``, ``/opt/ml/model`` inside a SageMaker
  container, ``model``. SageMaker uploads it to the artifacts bucket as ``model.tar.gz``;
- metrics: ``--output-data-dir``, ``SM_OUTPUT_DATA_DIR``, ``/opt/ml/output/data``, ``output``;
- checkpoints: ``--checkpoint-dir``, ``CHECKPOINT_DIR``, ``/opt/ml/checkpoints`` inside a
  SageMaker container (synced to ``checkpoint_s3_uri``), ``checkpoints``;
- hyperparameters: command-line flags; SageMaker's hyperparameters (``SM_HPS``, or
  ``/opt/ml/input/config/hyperparameters.json``) fill in any flag not given.

A ``validation`` channel is not read by this example: build a second ``Task`` on it (with the
training run's classes or tokenizer) and report ``Task.evaluate`` on it when you add one.

Checkpoints (model and optimizer state) are written every ``--checkpoint-every`` steps and
when SIGTERM arrives (spot interruption, pod eviction); a new run resumes from the newest
readable one. They are keyed by a digest of the training data files and of the settings that
shape training (``run_key``) and live in ``<checkpoint-dir>/<key>/``: a run with changed data
or settings trains from step 0 and says so, instead of reusing a model trained on something
else.

Distributed: under ``torchrun`` (``WORLD_SIZE`` > 1) every rank trains on its own shard of
each epoch and gradients are averaged across ranks at every step with ``torch.distributed``
(``gloo`` unless ``DIST_BACKEND`` says otherwise); rank 0 writes checkpoints, metrics and the
model.
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
from typing import Any

import torch

from .artifacts import write_archive
from .channels import DataError, files_digest, resolve_data_dir
from .model import ModelError, Task

log = logging.getLogger(__name__)

SAGEMAKER_ROOT = Path("/opt/ml")
HYPERPARAMETERS_FILE = SAGEMAKER_ROOT / "input" / "config" / "hyperparameters.json"
CHECKPOINT_PREFIX = "checkpoint-"
CHECKPOINT_SUFFIX = ".pt"
EXIT_INTERRUPTED = 128 + signal.SIGTERM  # "killed by SIGTERM": orchestrators retry it
# Settings that do not change what a step computes: a run may resume with other values.
RESUMABLE_SETTINGS = frozenset({"checkpoint_every", "keep_checkpoints", "max_steps"})


class TrainingError(RuntimeError):
    """Training cannot start or go on; the message says what to change."""


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of a training run."""

    epochs: int = 10
    batch_size: int = 16
    learning_rate: float = 0.01
    weight_decay: float = 0.0
    seed: int = 0
    checkpoint_every: int = 50
    keep_checkpoints: int = 3
    max_steps: int = 0
    base_model: str = ""

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.checkpoint_every < 1:
            raise TrainingError("epochs, batch_size and checkpoint_every must be at least 1")
        if self.learning_rate <= 0 or self.weight_decay < 0 or self.max_steps < 0:
            raise TrainingError("learning_rate must be > 0; weight_decay and max_steps >= 0")


@dataclass
class TrainResult:
    """What a training run produced."""

    model: torch.nn.Module
    step: int
    total_steps: int
    interrupted: bool
    resumed_from: int | None
    key: str
    history: list[dict[str, float]] = field(default_factory=list)


# -- ranks ----------------------------------------------------------------------------------


class Ranks:
    """This process's place in the job: a world of one, or torchrun's process group."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.world_size = int(env.get("WORLD_SIZE", "1"))
        self.rank = 0
        self._dist: Any = None
        if self.world_size > 1:
            import torch.distributed as dist

            if not dist.is_initialized():
                dist.init_process_group(backend=env.get("DIST_BACKEND", "gloo"))
            self._dist = dist
            self.rank = dist.get_rank()

    def average_gradients(self, model: torch.nn.Module) -> None:
        """Average every gradient across ranks (what DDP does, without the wrapper)."""
        if self._dist is None:
            return
        for parameter in model.parameters():
            if parameter.grad is not None:
                self._dist.all_reduce(parameter.grad, op=self._dist.ReduceOp.SUM)
                parameter.grad /= self.world_size

    def any(self, flag: bool) -> bool:
        """True on every rank when ``flag`` is true on any rank."""
        if self._dist is None:
            return flag
        tensor = torch.tensor([1.0 if flag else 0.0])
        self._dist.all_reduce(tensor, op=self._dist.ReduceOp.MAX)
        return bool(tensor.item() > 0)

    def broadcast_state(
        self, step: int, model: torch.nn.Module, optimizer: torch.optim.Optimizer
    ) -> int:
        """Rank 0's step, parameters and optimizer state, on every rank."""
        if self._dist is None:
            return step
        state: list[Any] = [step, model.state_dict(), optimizer.state_dict()]
        if self.rank != 0:
            state = [None, None, None]
        self._dist.broadcast_object_list(state, src=0)
        if self.rank != 0:
            model.load_state_dict(state[1])
            optimizer.load_state_dict(state[2])
        return int(state[0])

    def close(self) -> None:
        if self._dist is not None and self._dist.is_initialized():
            self._dist.destroy_process_group()


# -- checkpoints ----------------------------------------------------------------------------


def run_key(task: Task, config: TrainConfig, world_size: int = 1) -> str:
    """Digest of the training data files and of every setting that shapes the model.

    Two runs resume each other's checkpoints only when their keys match: same data files
    (names and bytes), same hyperparameters (all but ``RESUMABLE_SETTINGS``), same model
    description and the same world size (it decides the shards).
    """
    settings = {k: v for k, v in asdict(config).items() if k not in RESUMABLE_SETTINGS}
    header = {"settings": settings, "world_size": world_size, "model": task.describe()}
    digest = hashlib.sha256(json.dumps(header, sort_keys=True).encode("utf-8"))
    digest.update(files_digest(task.root, task.files).encode("ascii"))
    return digest.hexdigest()[:16]


def checkpoint_path(directory: Path, step: int) -> Path:
    """Path of the checkpoint written after ``step`` steps."""
    return directory / f"{CHECKPOINT_PREFIX}{step:09d}{CHECKPOINT_SUFFIX}"


def _checkpoint_step(path: Path) -> int | None:
    name = path.name
    if not (name.startswith(CHECKPOINT_PREFIX) and name.endswith(CHECKPOINT_SUFFIX)):
        return None
    digits = name[len(CHECKPOINT_PREFIX) : -len(CHECKPOINT_SUFFIX)]
    return int(digits) if digits.isdigit() else None


def save_checkpoint(
    directory: Path,
    step: int,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    keep: int = 3,
) -> Path:
    """Write the checkpoint for ``step`` and delete all but the newest ``keep``.

    Written in one pass under its final name (no rename, so Mountpoint for S3 works too); a
    file cut short by a crash does not load and ``latest_checkpoint`` skips it.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = checkpoint_path(directory, step)
    state = {"step": step, "model": model.state_dict(), "optimizer": optimizer.state_dict()}
    with path.open("wb") as handle:
        torch.save(state, handle)
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


def latest_checkpoint(directory: Path) -> dict[str, Any] | None:
    """The newest checkpoint in ``directory`` that loads whole, or ``None``."""
    if not directory.is_dir():
        return None
    candidates = sorted(
        ((s, p) for p in directory.iterdir() if (s := _checkpoint_step(p)) is not None),
        reverse=True,
    )
    for _step, path in candidates:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            return {"step": int(state["step"]), **state}
        except Exception as error:  # a truncated file raises whatever the unpickler meets
            log.warning("skipping unreadable checkpoint %s (%s)", path, error)
    return None


def other_runs(checkpoint_dir: Path, key: str) -> list[str]:
    """Keys (subdirectory names) of checkpoints in ``checkpoint_dir`` written for other runs."""
    if not checkpoint_dir.is_dir():
        return []
    return sorted(
        entry.name
        for entry in checkpoint_dir.iterdir()
        if entry.is_dir()
        and entry.name != key
        and any(_checkpoint_step(p) is not None for p in entry.iterdir())
    )


# -- the training loop ----------------------------------------------------------------------


def steps_per_epoch(rows: int, world_size: int, batch_size: int) -> int:
    """Optimizer steps in one epoch; the same on every rank."""
    per_rank = rows // world_size
    if per_rank == 0:
        raise DataError(f"{rows} examples cannot be split across {world_size} ranks")
    return math.ceil(per_rank / batch_size)


def shard(rows: int, rank: int, world_size: int, seed: int, epoch: int) -> list[int]:
    """This rank's example indices for one epoch, like PyTorch's ``DistributedSampler``."""
    order = torch.randperm(rows, generator=torch.Generator().manual_seed(seed * 1_000_003 + epoch))
    per_rank = rows // world_size
    return order[rank : per_rank * world_size : world_size].tolist()


def train(
    task: Task,
    config: TrainConfig,
    *,
    checkpoint_dir: Path | None = None,
    ranks: Ranks | None = None,
    stop: threading.Event | None = None,
) -> TrainResult:
    """Train ``task``'s model with AdamW, resuming from the checkpoints of the same run.

    Args:
        task: The example model and its data.
        config: Hyperparameters.
        checkpoint_dir: Where checkpoints go (under ``run_key``); ``None`` turns them off.
        ranks: This process's place in the job; a world of one when ``None``.
        stop: Set it (for example from a SIGTERM handler) to checkpoint and stop at the next
            step. If any rank is asked to stop, all ranks stop at the same step.

    Returns:
        The model, how far it got, the run key and per-epoch metrics.
    """
    group = ranks or Ranks({})
    rank, world = group.rank, group.world_size
    torch.manual_seed(config.seed)
    model = task.build_model(config.base_model or None)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    per_epoch = steps_per_epoch(len(task), world, config.batch_size)
    total = config.epochs * per_epoch
    if config.max_steps:
        total = min(total, config.max_steps)

    key = run_key(task, config, world)
    run_dir = checkpoint_dir / key if checkpoint_dir is not None and rank == 0 else None
    start, resumed_from = 0, None
    if run_dir is not None and checkpoint_dir is not None:
        found = latest_checkpoint(run_dir)
        if found is not None:
            start = found["step"]
            model.load_state_dict(found["model"])
            optimizer.load_state_dict(found["optimizer"])
        elif stale := other_runs(checkpoint_dir, key):
            log.warning(
                "checkpoints in %s (%s) were written for other training data or settings; "
                "this run (key %s) trains from step 0",
                checkpoint_dir,
                ", ".join(stale),
                key,
            )
    start = group.broadcast_state(start, model, optimizer)
    if start:
        resumed_from = start
        if rank == 0:
            log.info("resuming from checkpoint at step %d of %d in %s", start, total, run_dir)
            if start >= total:
                log.info("that checkpoint already finished this run: no steps left to train")

    history: list[dict[str, float]] = []
    indices: list[int] = []
    current_epoch = -1
    step, interrupted, running = start, False, 0.0
    model.train()
    while step < total:
        epoch, batch = divmod(step, per_epoch)
        if epoch != current_epoch:
            indices = shard(len(task), rank, world, config.seed, epoch)
            current_epoch, running = epoch, 0.0
        chosen = indices[batch * config.batch_size : (batch + 1) * config.batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = task.loss(model, task.batch(chosen))
        loss.backward()
        group.average_gradients(model)
        optimizer.step()
        step += 1
        running += float(loss.detach())
        interrupted = group.any(stop is not None and stop.is_set())
        if step % per_epoch == 0 or step == total:
            record = {"epoch": float(epoch + 1), "step": float(step)}
            record["train_loss"] = running / (batch + 1)
            history.append(record)
            if rank == 0:
                log.info("epoch=%d step=%d train_loss=%.6f", epoch + 1, step, record["train_loss"])
        if run_dir is not None and (
            step % config.checkpoint_every == 0 or interrupted or step == total
        ):
            save_checkpoint(run_dir, step, model, optimizer, keep=config.keep_checkpoints)
        if interrupted:
            if rank == 0:
                log.warning("stop requested: checkpointed at step %d of %d", step, total)
            break
    model.eval()
    return TrainResult(model, step, total, interrupted, resumed_from, key, history)


# -- command line ---------------------------------------------------------------------------


def _default_dir(env: Mapping[str, str], variable: str, sagemaker: Path, local: str) -> Path:
    if env.get(variable):
        return Path(env[variable])
    if SAGEMAKER_ROOT.is_dir():
        return sagemaker
    return Path(local)


def sagemaker_hyperparameters(env: Mapping[str, str]) -> dict[str, Any]:
    """Hyperparameters SageMaker handed to the container, with ``-`` in names read as ``_``."""
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
    parser.add_argument("--train-dir", default=None, help="data directory, mount or s3:// URI")
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
    parser.add_argument("--weight-decay", type=float, default=defaults.weight_decay)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--checkpoint-every", type=int, default=defaults.checkpoint_every)
    parser.add_argument("--keep-checkpoints", type=int, default=defaults.keep_checkpoints)
    parser.add_argument(
        "--max-steps", type=int, default=defaults.max_steps, help="stop after this many steps"
    )
    parser.add_argument(
        "--base-model",
        default=defaults.base_model,
        help="fine-tune from a saved model directory instead of fresh weights",
    )
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
    """Set ``stop`` on SIGTERM and SIGINT; return a function that restores the old handlers."""

    def handler(signum: int, _frame: object) -> None:
        log.warning("received signal %d: checkpointing and stopping", signum)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run training from the command line; return the process exit code."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    env = os.environ if env is None else env
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["train"]:  # SageMaker starts training images with `train`
        args_list = args_list[1:]
    args = build_parser(env).parse_args(args_list)

    stop = threading.Event()
    in_main_thread = threading.current_thread() is threading.main_thread()
    restore_signals = install_stop_handler(stop) if in_main_thread else (lambda: None)
    ranks = Ranks(env)
    try:
        config = TrainConfig(
            epochs=args.epochs,
            batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            weight_decay=args.weight_decay,
            seed=args.seed,
            checkpoint_every=args.checkpoint_every,
            keep_checkpoints=args.keep_checkpoints,
            max_steps=args.max_steps,
            base_model=str(args.base_model or ""),
        )
        if ranks.rank == 0:
            _check_writable(args.model_dir, args.output_data_dir, args.checkpoint_dir)
        task = Task(resolve_data_dir(args.train_dir, env=env), base_model=config.base_model)
        if ranks.rank == 0:
            log.info(
                "training on %s, world size %d, config %s",
                task.summary(),
                ranks.world_size,
                asdict(config),
            )
        result = train(task, config, checkpoint_dir=args.checkpoint_dir, ranks=ranks, stop=stop)
        if result.interrupted:
            return EXIT_INTERRUPTED
        if ranks.rank == 0:
            metrics = task.evaluate(result.model, "train")
            metrics.update(steps=result.step, world_size=ranks.world_size)
            for name, value in sorted(metrics.items()):
                log.info("final %s=%s", name, value)
            path = task.save(result.model, args.model_dir)
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
        ranks.close()
        restore_signals()


if __name__ == "__main__":
    raise SystemExit(main())
