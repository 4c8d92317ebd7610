from __future__ import annotations

from pathlib import Path

import pytest

from churn_prototype.data import (
    DataError,
    Dataset,
    channel_location,
    make_synthetic,
    parse_s3_uri,
    read_dataset,
    shard_indices,
    write_csv,
)


def test_csv_round_trip_keeps_every_row(tmp_path: Path, dataset: Dataset) -> None:
    write_csv(dataset, tmp_path / "all.csv")

    back = read_dataset(tmp_path)

    assert back == dataset


def test_reads_every_file_of_a_channel_in_name_order(train_dir: Path, dataset: Dataset) -> None:
    assert read_dataset(train_dir) == dataset


def test_synthetic_data_is_reproducible_and_has_both_labels() -> None:
    first = make_synthetic(rows=200, seed=3)

    assert first == make_synthetic(rows=200, seed=3)
    assert first != make_synthetic(rows=200, seed=4)
    assert 0.2 < sum(first.labels) / len(first) < 0.8


def test_missing_label_column_says_how_to_fix_it(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")

    with pytest.raises(DataError, match="--label-column"):
        read_dataset(tmp_path)


def test_bad_cell_is_reported_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,label\n1,0\nseven,1\n", encoding="utf-8")

    with pytest.raises(DataError, match=r"x\.csv:3.*'seven'"):
        read_dataset(tmp_path)


def test_bad_label_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,label\n1,2\n", encoding="utf-8")

    with pytest.raises(DataError, match="not 0 or 1"):
        read_dataset(tmp_path)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no \.csv files"):
        read_dataset(tmp_path)


@pytest.mark.parametrize("world_size", [1, 2, 3, 4])
def test_shards_are_disjoint_equal_and_cover_the_data(world_size: int) -> None:
    shards = [shard_indices(103, rank, world_size, seed=1, epoch=2) for rank in range(world_size)]

    flat = [i for shard in shards for i in shard]
    assert len(set(flat)) == len(flat)
    assert {len(shard) for shard in shards} == {103 // world_size}
    assert len(flat) >= 103 - world_size + 1


def test_shards_change_between_epochs_but_not_between_calls() -> None:
    assert shard_indices(50, 0, 2, seed=0, epoch=0) == shard_indices(50, 0, 2, seed=0, epoch=0)
    assert shard_indices(50, 0, 2, seed=0, epoch=0) != shard_indices(50, 0, 2, seed=0, epoch=1)


def test_channel_location_prefers_flag_then_sagemaker_variable() -> None:
    env = {"SM_CHANNEL_TRAIN": "/from/env"}

    assert channel_location("/from/flag", "train", env) == "/from/flag"
    assert channel_location(None, "train", env) == "/from/env"


def test_s3_uri_is_split_into_bucket_and_prefix() -> None:
    assert parse_s3_uri("s3://bucket/train/part/") == ("bucket", "train/part/")
    with pytest.raises(DataError):
        parse_s3_uri("/local/path")
