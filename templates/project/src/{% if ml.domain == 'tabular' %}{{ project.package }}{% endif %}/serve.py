"""Inference server implementing the SageMaker container contract, with the stdlib only.

SageMaker starts the serving image as ``docker run <image> serve``. The ``serve`` command
(a console script of this package) loads the model from ``SM_MODEL_DIR`` or
``/opt/ml/model`` (where SageMaker unpacks ``model.tar.gz``) and listens on port 8080, or on
``SAGEMAKER_BIND_TO_PORT`` when SageMaker sets it. Real-time, serverless and asynchronous
endpoints and batch transform all use this one contract:

- ``GET /ping``: 200 once the model is loaded.
- ``POST /invocations``: ``application/json``, ``application/jsonlines`` or ``text/csv`` in;
  ``application/json`` out: ``{"predictions": [{"score": 0.93, "label": 1}, ...]}``.
- ``GET /execution-parameters``: hints for batch transform.

JSON bodies may be ``{"instances": [...]}`` (or ``"inputs"``), a list of instances, one
instance, or one object of named features. An instance is a list of numbers in the model's
feature order or an object keyed by feature name. CSV bodies have one instance per line,
optionally under a header row of feature names.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .data import DataError, features_from_mapping, parse_float
from .model import LogisticRegression, ModelError, load_model

log = logging.getLogger(__name__)

DEFAULT_PORT = 8080
JSON = "application/json"
JSON_LINES = {"application/jsonlines", "application/x-jsonlines", "application/jsonl"}
CSV = {"text/csv", "application/csv"}
ACCEPTABLE = {"", "*/*", "application/*", JSON}


class RequestError(ValueError):
    """A request the server answers with an error status."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def _instance(value: Any, names: Sequence[str], where: str) -> tuple[float, ...]:
    if isinstance(value, Mapping):
        return features_from_mapping(value, names, where)
    if isinstance(value, list):
        if len(value) != len(names):
            raise DataError(f"{where}: expected {len(names)} features, got {len(value)}")
        return tuple(parse_float(v, f"{where}[{i}]") for i, v in enumerate(value))
    raise DataError(f"{where}: an instance is a list of numbers or an object of named features")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_json(document: Any, names: Sequence[str]) -> list[tuple[float, ...]]:
    """Instances from a decoded JSON body (see the module docstring for the shapes)."""
    if isinstance(document, Mapping):
        for key in ("instances", "inputs"):
            if key in document:
                items = document[key]
                if not isinstance(items, list):
                    raise DataError(f"{key!r} must be a list of instances")
                break
        else:
            items = [document]
    elif isinstance(document, list):
        items = [document] if document and all(map(_is_number, document)) else document
    else:
        raise DataError("JSON body must be an object or a list")
    if not items:
        raise DataError("the request holds no instances")
    return [_instance(item, names, f"instance {i}") for i, item in enumerate(items)]


def parse_json_lines(text: str, names: Sequence[str]) -> list[tuple[float, ...]]:
    """Instances from JSON Lines: one instance (list or object) per line."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(f"line {number}: invalid JSON ({error.msg})") from None
            rows.append(_instance(value, names, f"line {number}"))
    if not rows:
        raise DataError("the request holds no instances")
    return rows


def parse_csv(text: str, names: Sequence[str]) -> list[tuple[float, ...]]:
    """Instances from CSV; a first row made of feature names is read as a header."""
    records = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not records:
        raise DataError("the request holds no instances")
    header = [cell.strip() for cell in records[0]]
    if set(names) <= set(header):
        return [
            features_from_mapping(dict(zip(header, row, strict=False)), names, f"line {n}")
            for n, row in enumerate(records[1:], start=2)
        ]
    return [_instance(row, names, f"line {n}") for n, row in enumerate(records, start=1)]


def parse_request(body: bytes, content_type: str, names: Sequence[str]) -> list[tuple[float, ...]]:
    """Decode a request body into feature rows.

    Raises:
        RequestError: 415 for an unsupported content type, 400 for a malformed body.
    """
    media = content_type.split(";")[0].strip().lower() or JSON
    try:
        text = body.decode("utf-8")
        if media == JSON:
            try:
                document = json.loads(text)
            except json.JSONDecodeError as error:
                raise DataError(f"invalid JSON: {error.msg} at position {error.pos}") from None
            return parse_json(document, names)
        if media in JSON_LINES:
            return parse_json_lines(text, names)
        if media in CSV:
            return parse_csv(text, names)
    except UnicodeDecodeError:
        raise RequestError(HTTPStatus.BAD_REQUEST, "body is not UTF-8 text") from None
    except DataError as error:
        raise RequestError(HTTPStatus.BAD_REQUEST, str(error)) from None
    supported = ", ".join(sorted({JSON, *JSON_LINES, *CSV}))
    raise RequestError(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"content type {media!r} is not one of: {supported}"
    )


def predict(model: LogisticRegression, rows: Sequence[Sequence[float]]) -> dict[str, Any]:
    """The JSON response for ``rows``."""
    scores = model.predict_proba(rows)
    return {
        "predictions": [
            {"score": score, "label": int(score >= model.threshold)} for score in scores
        ]
    }


class InferenceServer(ThreadingHTTPServer):
    """A threaded HTTP server holding one loaded model."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], model: LogisticRegression, max_payload_bytes: int
    ) -> None:
        super().__init__(address, InferenceHandler)
        self.model = model
        self.max_payload_bytes = max_payload_bytes


class InferenceHandler(BaseHTTPRequestHandler):
    """Routes ``/ping``, ``/invocations`` and ``/execution-parameters``."""

    server: InferenceServer
    protocol_version = "HTTP/1.1"
    server_version = "ModelServer/1"

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/ping":
            self._send_json(HTTPStatus.OK, {"status": "healthy"})
        elif path == "/execution-parameters":
            self._send_json(
                HTTPStatus.OK,
                {
                    "MaxConcurrentTransforms": os.cpu_count() or 1,
                    "BatchStrategy": "MULTI_RECORD",
                    "MaxPayloadInMB": max(1, self.server.max_payload_bytes // (1024 * 1024)),
                },
            )
        else:
            self._send_json(HTTPStatus.NOT_FOUND, {"error": f"no route {path}"})

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path != "/invocations":
            self._discard_body()
            self._send_json(HTTPStatus.NOT_FOUND, {"error": f"no route {path}"})
            return
        try:
            accept = self.headers.get("Accept", "")
            if not any(part.split(";")[0].strip() in ACCEPTABLE for part in accept.split(",")):
                raise RequestError(HTTPStatus.NOT_ACCEPTABLE, f"only {JSON} responses: {accept}")
            length = self.headers.get("Content-Length")
            if length is None:
                raise RequestError(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required")
            size = int(length)
            if size > self.server.max_payload_bytes:
                raise RequestError(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    f"body of {size} bytes exceeds {self.server.max_payload_bytes}",
                )
            body = self.rfile.read(size)
            rows = parse_request(
                body, self.headers.get("Content-Type", JSON), self.server.model.feature_names
            )
            payload = predict(self.server.model, rows)
        except RequestError as error:
            self.close_connection = True
            self._send_json(error.status, {"error": str(error)})
            return
        except ModelError as error:
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
            return
        self._send_json(HTTPStatus.OK, payload)

    def _discard_body(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= self.server.max_payload_bytes:
            self.rfile.read(length)
        else:
            self.close_connection = True

    def _send_json(self, status: HTTPStatus, payload: Mapping[str, Any]) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", JSON)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


def make_server(
    model: LogisticRegression,
    host: str = "0.0.0.0",
    port: int = DEFAULT_PORT,
    max_payload_bytes: int = 6 * 1024 * 1024,
) -> InferenceServer:
    """Bind a server for ``model``; port 0 picks a free port (see ``server_address``)."""
    return InferenceServer((host, port), model, max_payload_bytes)


def _default_model_dir(env: Mapping[str, str]) -> Path:
    if env.get("SM_MODEL_DIR"):
        return Path(env["SM_MODEL_DIR"])
    sagemaker = Path("/opt/ml/model")
    return sagemaker if sagemaker.is_dir() else Path("model")


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run the server until SIGTERM; return the process exit code."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    env = os.environ if env is None else env
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["serve"]:  # SageMaker starts serving images with `serve`
        args_list = args_list[1:]
    parser = argparse.ArgumentParser(prog="serve", description="Serve the model over HTTP.")
    parser.add_argument("--model-dir", type=Path, default=_default_model_dir(env))
    parser.add_argument("--host", default=env.get("SERVE_HOST", "0.0.0.0"))
    parser.add_argument(
        "--port", type=int, default=int(env.get("SAGEMAKER_BIND_TO_PORT", DEFAULT_PORT))
    )
    parser.add_argument("--max-payload-mb", type=int, default=int(env.get("MAX_PAYLOAD_MB", "6")))
    args = parser.parse_args(args_list)
    try:
        model = load_model(args.model_dir)
    except ModelError as error:
        log.error("cannot load the model: %s", error)
        return 2
    server = make_server(model, args.host, args.port, args.max_payload_mb * 1024 * 1024)

    def shutdown(signum: int, _frame: object) -> None:
        log.info("received signal %d: shutting down", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    host, port = server.server_address[:2]
    log.info("serving %d-feature model on %s:%s", len(model.feature_names), host, port)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
