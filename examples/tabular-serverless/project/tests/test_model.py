from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from demand_forecast.data import (
    Dataset,
)
from demand_forecast.model import (
    LogisticRegression,
    ModelError,
    load_model,
    sigmoid,
    write_archive,
)


def _model(dataset: Dataset) -> LogisticRegression:
    model = LogisticRegression.for_dataset(dataset, l2=0.01)
    model.set_parameters([0.3, -0.2, 0.5, 0.1, -0.05])
    return model


def test_sigmoid_is_stable_at_extremes() -> None:
    assert sigmoid(1000.0) == 1.0
    assert sigmoid(-1000.0) == 0.0
    assert sigmoid(0.0) == 0.5


def test_gradient_matches_finite_differences(dataset: Dataset) -> None:
    model = _model(dataset)
    rows, labels = dataset.features[:50], dataset.labels[:50]
    analytic = model.gradient(rows, labels)

    base = model.parameters()
    for index in range(len(base)):
        step = 1e-6
        up, down = list(base), list(base)
        up[index] += step
        down[index] -= step
        model.set_parameters(up)
        loss_up = model.loss(rows, labels)
        model.set_parameters(down)
        loss_down = model.loss(rows, labels)
        model.set_parameters(base)
        assert analytic[index] == pytest.approx((loss_up - loss_down) / (2 * step), abs=1e-6)


def test_saved_model_predicts_the_same(tmp_path: Path, dataset: Dataset) -> None:
    model = _model(dataset)

    loaded = load_model(model.save(tmp_path))

    assert loaded.predict_proba(dataset.features[:20]) == model.predict_proba(dataset.features[:20])


def test_loads_from_directory_and_from_sagemaker_archive(tmp_path: Path, dataset: Dataset) -> None:
    model = _model(dataset)
    model.save(tmp_path / "model")
    archive = write_archive(tmp_path / "model", tmp_path / "out" / "model.tar.gz")

    assert load_model(tmp_path / "model").to_dict() == model.to_dict()
    assert load_model(archive).to_dict() == model.to_dict()
    assert load_model(archive.parent).to_dict() == model.to_dict()


def test_unknown_format_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text(json.dumps({"format": "other"}), encoding="utf-8")

    with pytest.raises(ModelError, match="unknown model format"):
        load_model(tmp_path)


def test_missing_model_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"no model\.json"):
        load_model(tmp_path)


def test_wrong_number_of_features_is_rejected(dataset: Dataset) -> None:
    with pytest.raises(ModelError, match="expected 4 features"):
        _model(dataset).predict_proba([[1.0, 2.0]])


def test_loss_of_untrained_model_is_log_2(dataset: Dataset) -> None:
    model = LogisticRegression.for_dataset(dataset)

    assert model.loss(dataset.features, dataset.labels) == pytest.approx(math.log(2))
