"""Inference server implementing the SageMaker container contract for the example model.

SageMaker starts the serving image as ``docker run <image> serve``. The ``serve`` command
(a console script of this package) loads the model from ``SM_MODEL_DIR`` or
``/opt/ml/model`` (where SageMaker unpacks ``model.tar.gz``) and listens on port 8080, or on
``SAGEMAKER_BIND_TO_PORT`` when SageMaker sets it:

- ``GET /ping``: 200 once the model is loaded.
- ``POST /invocations``: ``application/json`` in and out; what the body holds is the
  model's business (see ``model.Predictor.predict``).
- ``GET /execution-parameters``: hints for batch transform.
"""

from __future__ import annotations

import argparse
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

from .channels import DataError
from .model import ModelError, Predictor, load_predictor

log = logging.getLogger(__name__)

DEFAULT_PORT = 8080
JSON = "application/json"
ACCEPTABLE = {"", "*/*", "application/*", JSON}


class RequestError(ValueError):
    """A request the server answers with an error status."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def answer(predictor: Predictor, body: bytes, content_type: str) -> Any:
    """The JSON response to one ``/invocations`` body.

    Raises:
        RequestError: 415 for a body that is not JSON, 400 for one the model cannot use.
    """
    media = content_type.split(";")[0].strip().lower() or JSON
    if media != JSON:
        raise RequestError(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"content type {media!r} is not {JSON}"
        )
    try:
        document = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise RequestError(HTTPStatus.BAD_REQUEST, "body is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise RequestError(
            HTTPStatus.BAD_REQUEST, f"invalid JSON: {error.msg} at position {error.pos}"
        ) from None
    try:
        return predictor.predict(document)
    except (DataError, ModelError) as error:
        raise RequestError(HTTPStatus.BAD_REQUEST, str(error)) from None


class InferenceServer(ThreadingHTTPServer):
    """A threaded HTTP server holding one loaded model."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], predictor: Predictor, max_payload_bytes: int
    ) -> None:
        super().__init__(address, InferenceHandler)
        self.predictor = predictor
        self.max_payload_bytes = max_payload_bytes
        self.lock = threading.Lock()  # one forward pass at a time: torch uses every core


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
                    "MaxConcurrentTransforms": 1,
                    "BatchStrategy": "SINGLE_RECORD",
                    "MaxPayloadInMB": max(1, self.server.max_payload_bytes // (1024 * 1024)),
                },
            )
        else:
            self._send_json(HTTPStatus.NOT_FOUND, {"error": f"no route {path}"})

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path != "/invocations":
            self.close_connection = True
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
            with self.server.lock:
                payload = answer(
                    self.server.predictor, body, self.headers.get("Content-Type", JSON)
                )
        except RequestError as error:
            self.close_connection = True
            self._send_json(error.status, {"error": str(error)})
            return
        self._send_json(HTTPStatus.OK, payload)

    def _send_json(self, status: HTTPStatus, payload: Any) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", JSON)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


def make_server(
    predictor: Predictor,
    host: str = "0.0.0.0",
    port: int = DEFAULT_PORT,
    max_payload_bytes: int = 6 * 1024 * 1024,
) -> InferenceServer:
    """Bind a server for ``predictor``; port 0 picks a free port (see ``server_address``)."""
    return InferenceServer((host, port), predictor, max_payload_bytes)


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
        predictor = load_predictor(args.model_dir)
    except ModelError as error:
        log.error("cannot load the model: %s", error)
        return 2
    server = make_server(predictor, args.host, args.port, args.max_payload_mb * 1024 * 1024)

    def shutdown(signum: int, _frame: object) -> None:
        log.info("received signal %d: shutting down", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    host, port = server.server_address[:2]
    log.info("serving %s on %s:%s", predictor.summary(), host, port)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
