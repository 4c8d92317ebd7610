from __future__ import annotations

import json
import logging
import math
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from churn_prototype.data import (
    Dataset,
    make_synthetic,
)
from churn_prototype.model import (
    LogisticRegression,
    load_model,
)
from churn_prototype.train import (
    EXIT_INTERRUPTED,
    TrainConfig,
    TrainResult,
    checkpoint_path,
    latest_checkpoint,
    main,
    run_directory,
    run_key,
    train,
)

CONFIG = TrainConfig(epochs=8, batch_size=16, learning_rate=0.2, checkpoint_every=10)
SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "churn_prototype"


class ThreadCollective:
    """Ranks as threads in one process: the same contract as torch.distributed."""

    def __init__(self, rank: int, world_size: int, barrier: threading.Barrier, slots: list) -> None:
        self.rank = rank
        self.world_size = world_size
        self._barrier = barrier
        self._slots = slots

    def mean(self, values: list[float]) -> list[float]:
        self._slots[self.rank] = list(values)
        self._barrier.wait()
        result = [sum(column) / self.world_size for column in zip(*self._slots, strict=True)]
        self._barrier.wait()
        return result

    def broadcast(self, values: list[float]) -> list[float]:
        if self.rank == 0:
            self._slots[0] = list(values)
        self._barrier.wait()
        result = list(self._slots[0])
        self._barrier.wait()
        return result

    def close(self) -> None:
        return None


def checkpoints_of(checkpoint_dir: Path, dataset: Dataset, config: TrainConfig = CONFIG) -> Path:
    """The directory holding the checkpoints of a single-process run on ``dataset``."""
    return run_directory(checkpoint_dir, run_key(dataset, config))


def only_run(checkpoint_dir: Path) -> Path:
    """The one run directory under ``checkpoint_dir``."""
    (run,) = [path for path in checkpoint_dir.iterdir() if path.is_dir()]
    return run


def run_ranks(world_size: int, job: Callable[[ThreadCollective], TrainResult]) -> list[TrainResult]:
    barrier = threading.Barrier(world_size, timeout=60)
    slots: list = [None] * world_size
    results: list = [None] * world_size

    def worker(rank: int) -> None:
        results[rank] = job(ThreadCollective(rank, world_size, barrier, slots))

    threads = [threading.Thread(target=worker, args=(rank,)) for rank in range(world_size)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert all(result is not None for result in results), "a rank failed"
    return results


def test_training_lowers_the_loss_and_beats_chance(dataset: Dataset) -> None:
    untrained = LogisticRegression.for_dataset(dataset).loss(dataset.features, dataset.labels)

    result = train(dataset, CONFIG)

    assert result.completed
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]
    assert result.model.loss(dataset.features, dataset.labels) < 0.6 * untrained
    assert result.model.accuracy(dataset.features, dataset.labels) > 0.85


def test_model_generalises_to_unseen_rows(dataset: Dataset) -> None:
    held_out = make_synthetic(rows=400, features=4, seed=99)

    model = train(dataset, CONFIG).model

    assert model.accuracy(held_out.features, held_out.labels) > 0.85


def test_resume_continues_from_the_saved_step(tmp_path: Path, dataset: Dataset) -> None:
    uninterrupted = train(dataset, CONFIG)

    first = train(dataset, replace(CONFIG, max_steps=30), checkpoint_dir=tmp_path)
    assert first.step == 30
    assert latest_checkpoint(checkpoints_of(tmp_path, dataset))[0] == 30
    resumed = train(dataset, CONFIG, checkpoint_dir=tmp_path)

    assert resumed.resumed_from == 30
    assert resumed.step == uninterrupted.step
    assert resumed.model.parameters() == uninterrupted.model.parameters()


def test_stop_request_checkpoints_then_stops(tmp_path: Path, dataset: Dataset) -> None:
    stop = threading.Event()
    stop.set()

    result = train(dataset, CONFIG, checkpoint_dir=tmp_path, stop=stop)

    assert result.interrupted
    assert result.step == 1
    assert latest_checkpoint(checkpoints_of(tmp_path, dataset))[0] == 1


def test_truncated_newest_checkpoint_is_skipped(tmp_path: Path, dataset: Dataset) -> None:
    train(dataset, replace(CONFIG, max_steps=20), checkpoint_dir=tmp_path)
    run = checkpoints_of(tmp_path, dataset)
    checkpoint_path(run, 25).write_text('{"step": 25, "mod', encoding="utf-8")

    found = latest_checkpoint(run)

    assert found is not None
    assert found[0] == 20


def test_only_the_newest_checkpoints_are_kept(tmp_path: Path, dataset: Dataset) -> None:
    train(dataset, replace(CONFIG, max_steps=60, keep_checkpoints=2), checkpoint_dir=tmp_path)

    names = sorted(path.name for path in only_run(tmp_path).iterdir())

    assert names == [checkpoint_path(tmp_path, 50).name, checkpoint_path(tmp_path, 60).name]


def test_a_finished_run_is_reused_for_the_same_data_and_settings(
    tmp_path: Path, dataset: Dataset
) -> None:
    finished = train(dataset, CONFIG, checkpoint_dir=tmp_path)

    again = train(dataset, CONFIG, checkpoint_dir=tmp_path)

    assert again.resumed_from == finished.step == again.step
    assert again.model.parameters() == finished.model.parameters()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d, c: (make_synthetic(rows=400, features=4, seed=8), c), id="data"),
        pytest.param(lambda d, c: (d.select(range(len(d) - 1)), c), id="one-row-less"),
        pytest.param(lambda d, c: (d, replace(c, learning_rate=0.05)), id="learning-rate"),
        pytest.param(lambda d, c: (d, replace(c, epochs=4)), id="epochs"),
    ],
)
def test_changed_data_or_settings_restart_from_step_0_with_a_warning(
    tmp_path: Path, dataset: Dataset, change: Callable, caplog: pytest.LogCaptureFixture
) -> None:
    train(dataset, CONFIG, checkpoint_dir=tmp_path)
    new_data, new_config = change(dataset, CONFIG)
    fresh = train(new_data, new_config)

    with caplog.at_level(logging.WARNING):
        result = train(new_data, new_config, checkpoint_dir=tmp_path)

    assert result.resumed_from is None
    assert result.step == fresh.step > 0
    assert result.model.parameters() == fresh.model.parameters()
    assert "other training data or settings" in caplog.text
    assert str(tmp_path) in caplog.text


def test_new_features_restart_instead_of_failing(tmp_path: Path, dataset: Dataset) -> None:
    train(dataset, replace(CONFIG, max_steps=10), checkpoint_dir=tmp_path)

    result = train(make_synthetic(rows=100, features=3), CONFIG, checkpoint_dir=tmp_path)

    assert result.resumed_from is None
    assert result.model.feature_names == ("f0", "f1", "f2")


def test_ranks_train_on_shards_and_hold_the_same_model(tmp_path: Path, dataset: Dataset) -> None:
    results = run_ranks(2, lambda group: train(dataset, CONFIG, collective=group))

    assert results[0].model.parameters() == results[1].model.parameters()
    assert results[0].step == CONFIG.epochs * math.ceil((len(dataset) // 2) / CONFIG.batch_size)
    assert results[0].model.accuracy(dataset.features, dataset.labels) > 0.85


def test_distributed_resume_matches_an_uninterrupted_run(tmp_path: Path, dataset: Dataset) -> None:
    uninterrupted = run_ranks(2, lambda group: train(dataset, CONFIG, collective=group))

    run_ranks(
        2,
        lambda group: train(
            dataset, replace(CONFIG, max_steps=17), checkpoint_dir=tmp_path, collective=group
        ),
    )
    resumed = run_ranks(
        2, lambda group: train(dataset, CONFIG, checkpoint_dir=tmp_path, collective=group)
    )

    assert [r.resumed_from for r in resumed] == [17, 17]
    assert resumed[1].model.parameters() == uninterrupted[0].model.parameters()


def _sagemaker_env(tmp_path: Path, train_dir: Path, **hyperparameters: object) -> dict[str, str]:
    return {
        "SM_CHANNEL_TRAIN": str(train_dir),
        "SM_MODEL_DIR": str(tmp_path / "model"),
        "SM_OUTPUT_DATA_DIR": str(tmp_path / "output"),
        "CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "SM_HPS": json.dumps(hyperparameters),
    }


def test_main_follows_the_sagemaker_contract(tmp_path: Path, train_dir: Path) -> None:
    env = _sagemaker_env(tmp_path, train_dir, epochs=3, **{"batch-size": 16}, learning_rate="0.2")

    assert main(["train"], env=env) == 0

    model = load_model(tmp_path / "model")
    assert model.metadata["epochs"] == 3
    metrics = json.loads((tmp_path / "output" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["train_accuracy"] > 0.8
    assert latest_checkpoint(only_run(tmp_path / "checkpoints")) is not None


def test_flags_override_sagemaker_hyperparameters(tmp_path: Path, train_dir: Path) -> None:
    env = _sagemaker_env(tmp_path, train_dir, epochs=3)

    assert main(["--epochs", "2", "--export-archive", str(tmp_path / "m.tar.gz")], env=env) == 0

    assert load_model(tmp_path / "model").metadata["epochs"] == 2
    assert load_model(tmp_path / "m.tar.gz").metadata["epochs"] == 2


def test_bad_data_exits_with_code_2(tmp_path: Path) -> None:
    (tmp_path / "train").mkdir()
    env = _sagemaker_env(tmp_path, tmp_path / "train")

    assert main([], env=env) == 2


def test_sigterm_checkpoints_and_exits_with_a_retryable_code(
    tmp_path: Path, train_dir: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    command = [
        sys.executable, "-m", f"{PACKAGE}.train",
        "--train-dir", str(train_dir),
        "--model-dir", str(tmp_path / "model"),
        "--output-data-dir", str(tmp_path / "output"),
        "--checkpoint-dir", str(tmp_path / "checkpoints"),
        "--epochs", "100000",
        "--checkpoint-every", "1000000",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    for line in process.stderr:  # wait until the training loop has started
        if "training on" in line:
            break
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)  # keeps draining the log so the child never blocks

    assert process.returncode == EXIT_INTERRUPTED == 143
    found = latest_checkpoint(only_run(tmp_path / "checkpoints"))
    assert found is not None and found[0] >= 1
    assert not (tmp_path / "model").exists() or not any((tmp_path / "model").iterdir())


def test_torchrun_with_two_processes(tmp_path: Path, train_dir: Path) -> None:
    pytest.importorskip("torch.distributed.run", reason="torchrun needs PyTorch")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
        "OMP_NUM_THREADS": "1",
    }
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
        "-m", f"{PACKAGE}.train",
        "--train-dir", str(train_dir),
        "--model-dir", str(tmp_path / "model"),
        "--output-data-dir", str(tmp_path / "output"),
        "--checkpoint-dir", str(tmp_path / "checkpoints"),
        "--epochs", "3",
    ]  # fmt: skip

    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)

    assert completed.returncode == 0, completed.stderr[-4000:]
    assert load_model(tmp_path / "model").metadata["world_size"] == 2
