"""Shared fixtures: small synthetic data sets, written to temporary directories."""

from __future__ import annotations

from pathlib import Path

import pytest

from demand_forecast.data import (
    Dataset,
    make_synthetic,
    write_csv,
)


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    """400 rows, 4 features: small enough for fast tests, large enough to learn."""
    return make_synthetic(rows=400, features=4, seed=7)


@pytest.fixture
def train_dir(tmp_path: Path, dataset: Dataset) -> Path:
    """A training channel directory holding the data set split over two CSV files."""
    directory = tmp_path / "train"
    half = len(dataset) // 2
    write_csv(dataset.select(range(half)), directory / "part-0.csv")
    write_csv(dataset.select(range(half, len(dataset))), directory / "part-1.csv")
    return directory
