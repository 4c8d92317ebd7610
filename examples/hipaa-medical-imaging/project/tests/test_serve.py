"""The SageMaker inference contract, exercised through a real server on a free port."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest

from radiology_triage.data import (
    Dataset,
)
from radiology_triage.model import (
    LogisticRegression,
)
from radiology_triage.serve import (
    InferenceServer,
    main,
    make_server,
)
from radiology_triage.train import (
    TrainConfig,
    train,
)


@pytest.fixture(scope="module")
def model(dataset: Dataset) -> LogisticRegression:
    return train(dataset, TrainConfig(epochs=3)).model


@pytest.fixture(scope="module")
def server(model: LogisticRegression) -> Iterator[InferenceServer]:
    instance = make_server(model, "127.0.0.1", 0)
    thread = threading.Thread(target=instance.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield instance
    instance.shutdown()
    instance.server_close()
    thread.join(5)


def call(
    server: InferenceServer,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    port = server.server_address[1]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=body,
        method="POST" if body is not None else "GET",
        headers=headers or {},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except HTTPError as error:
        return error.code, json.loads(error.read())


def invoke(server: InferenceServer, payload: str, content_type: str, **headers: str) -> Any:
    return call(server, "/invocations", payload.encode(), {"Content-Type": content_type, **headers})


def scores(body: dict[str, Any]) -> list[float]:
    return [item["score"] for item in body["predictions"]]


def test_ping_answers_200(server: InferenceServer) -> None:
    assert call(server, "/ping") == (200, {"status": "healthy"})


def test_json_instances_are_scored_like_the_model(
    server: InferenceServer, model: LogisticRegression, dataset: Dataset
) -> None:
    rows = [list(row) for row in dataset.features[:5]]

    status, body = invoke(server, json.dumps({"instances": rows}), "application/json")

    assert status == 200
    assert scores(body) == pytest.approx(model.predict_proba(rows))
    assert [item["label"] for item in body["predictions"]] == model.predict(rows)


def test_json_objects_with_named_features(
    server: InferenceServer, model: LogisticRegression, dataset: Dataset
) -> None:
    row = dict(zip(dataset.feature_names, dataset.features[0], strict=True))

    status, body = invoke(server, json.dumps(row), "application/json; charset=utf-8")

    assert status == 200
    assert scores(body) == pytest.approx(model.predict_proba([dataset.features[0]]))


def test_csv_with_and_without_header(
    server: InferenceServer, model: LogisticRegression, dataset: Dataset
) -> None:
    rows = dataset.features[:3]
    plain = "\n".join(",".join(map(str, row)) for row in rows) + "\n"
    header = ",".join([*dataset.feature_names, "label"]) + "\n"
    with_header = header + "".join(",".join(map(str, row)) + ",1\n" for row in rows)

    for payload in (plain, with_header):
        status, body = invoke(server, payload, "text/csv")
        assert status == 200
        assert scores(body) == pytest.approx(model.predict_proba(rows))


def test_json_lines(server: InferenceServer, dataset: Dataset) -> None:
    payload = "\n".join(json.dumps(list(row)) for row in dataset.features[:4])

    status, body = invoke(server, payload, "application/jsonlines")

    assert status == 200
    assert len(body["predictions"]) == 4


@pytest.mark.parametrize(
    ("payload", "content_type", "status", "message"),
    [
        ("{not json", "application/json", 400, "invalid JSON"),
        ('{"instances": [[1, 2]]}', "application/json", 400, "expected 4 features"),
        ('{"instances": []}', "application/json", 400, "no instances"),
        ("1,2,3,x\n", "text/csv", 400, "not a number"),
        ("<xml/>", "application/xml", 415, "not one of"),
    ],
)
def test_bad_requests_get_a_clear_error(
    server: InferenceServer, payload: str, content_type: str, status: int, message: str
) -> None:
    code, body = invoke(server, payload, content_type)

    assert code == status
    assert message in body["error"]


def test_only_json_responses_are_offered(server: InferenceServer) -> None:
    status, _ = invoke(server, "[[1, 2, 3, 4]]", "application/json", Accept="text/csv")

    assert status == 406


def test_unknown_route_is_404(server: InferenceServer) -> None:
    assert call(server, "/predict", b"{}")[0] == 404
    assert call(server, "/health")[0] == 404


def test_batch_transform_execution_parameters(server: InferenceServer) -> None:
    status, body = call(server, "/execution-parameters")

    assert status == 200
    assert body["BatchStrategy"] == "MULTI_RECORD"


def test_serve_without_a_model_exits_with_code_2(tmp_path: Path) -> None:
    assert main(["serve", "--model-dir", str(tmp_path), "--port", "0"], env={}) == 2
