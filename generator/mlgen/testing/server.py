"""A test-only Terraform provider that serves an extracted schema over the plugin protocol (version 5).

Started by terraform through the launcher that :mod:`mlgen.testing.schema_provider` writes into a
filesystem mirror. It speaks go-plugin's handshake: checks the magic cookie, listens on a loopback TCP
port, serves TLS requiring terraform's client certificate when ``PLUGIN_CLIENT_CERT`` is set
(AutoMTLS), and prints ``1|5|tcp|127.0.0.1:PORT|grpc|<server cert>`` on stdout.

What it does with each call: the schema is served as extracted; validation adds nothing to what
Terraform core checks against the schema (unknown, missing required, wrongly typed arguments, block
nesting); a create is planned as the proposed state with computed attributes unknown; apply and data
source reads fill computed values with placeholders (``"mock-<name>"``, 0, false, empty collections);
read returns the state unchanged. Nothing ever leaves the machine.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import gzip
import json
import os
import signal
import sys
import threading
from concurrent import futures
from pathlib import Path
from typing import Any

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
PROTOCOL_VERSION = 5


def _server_certificate() -> tuple[bytes, bytes, bytes]:
    """(key PEM, cert PEM, cert DER) of a fresh self-signed certificate for ``localhost``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=True,
                key_cert_sign=True,
                content_commitment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.DER)


class SchemaProvider:
    """The tfplugin5 ``Provider`` service over one extracted schema."""

    def __init__(self, schema_file: Path) -> None:
        from mlgen.testing.protocol import messages

        self.pb = messages()
        self.schema_file = schema_file
        self._schema: dict[str, Any] | None = None
        self._schema_response: Any = None
        self._lock = threading.Lock()

    @property
    def schema(self) -> dict[str, Any]:
        """The extracted schema, loaded on first use (GetSchema is served from the precomputed bytes)."""
        with self._lock:
            if self._schema is None:
                self._schema = load(self.schema_file)
            return self._schema

    # -- schema ------------------------------------------------------------------------------
    def _block(self, block: dict[str, Any]) -> Any:
        pb = self.pb
        out = pb.Schema.Block()
        for name, attr in block.get("attributes", {}).items():
            out.attributes.add(
                name=name,
                type=json.dumps(attr["type"]).encode(),
                required=bool(attr.get("required")),
                optional=bool(attr.get("optional")),
                computed=bool(attr.get("computed")),
                sensitive=bool(attr.get("sensitive")),
            )
        modes = {"single": 1, "list": 2, "set": 3, "map": 4, "group": 5}
        for name, nested in block.get("block_types", {}).items():
            item = out.block_types.add(
                type_name=name,
                nesting=modes[nested.get("nesting_mode", "list")],
                min_items=int(nested.get("min_items", 0)),
                max_items=int(nested.get("max_items", 0)),
            )
            item.block.CopyFrom(self._block(nested["block"]))
        return out

    def _entry(self, entry: dict[str, Any]) -> Any:
        return self.pb.Schema(version=int(entry.get("version", 0)), block=self._block(entry.get("block", {})))

    def schema_response(self) -> Any:
        """The GetProviderSchema response message built from the extracted schema."""
        schema = self.schema
        pb = self.pb
        response = pb.GetProviderSchema.Response(
            provider=self._entry(schema.get("provider", {})),
            # the schema never changes: terraform may reuse it across plugin instances instead of asking
            server_capabilities=pb.ServerCapabilities(get_provider_schema_optional=True),
        )
        for name, entry in schema.get("resource_schemas", {}).items():
            response.resource_schemas[name].CopyFrom(self._entry(entry))
        for name, entry in schema.get("data_source_schemas", {}).items():
            response.data_source_schemas[name].CopyFrom(self._entry(entry))
        return response

    def schema_response_bytes(self) -> bytes:
        """The serialized GetProviderSchema response: ``schema.pb`` beside the schema file, else built."""
        with self._lock:
            if self._schema_response is None:
                cached = self.schema_file.with_name("schema.pb")
                self._schema_response = cached.read_bytes() if cached.is_file() else None
        if self._schema_response is None:
            data = self.schema_response().SerializeToString()
            with self._lock:
                self._schema_response = data
        return bytes(self._schema_response)

    def _resource(self, type_name: str) -> dict[str, Any]:
        return dict(self.schema["resource_schemas"].get(type_name, {}).get("block", {}))

    def _error(self, summary: str, detail: str = "") -> Any:
        return self.pb.Diagnostic(severity=self.pb.Diagnostic.ERROR, summary=summary, detail=detail)

    # -- RPCs --------------------------------------------------------------------------------
    def GetSchema(self, request: Any, context: Any) -> bytes:
        return self.schema_response_bytes()

    def PrepareProviderConfig(self, request: Any, context: Any) -> Any:
        return self.pb.PrepareProviderConfig.Response(prepared_config=request.config)

    def _unconfigurable(self, config: Any, block: dict[str, Any]) -> list[Any]:
        """Diagnostics for computed-only attributes set in ``config`` (what SDKv2 providers report)."""
        from mlgen.testing import cty

        diagnostics = []
        for path in cty.unconfigurable(cty.decode(config.msgpack), block):
            fields = {"attr": "attribute_name", "index": "element_key_int", "key": "element_key_string"}
            steps = [self.pb.AttributePath.Step(**{fields[kind]: value}) for kind, value in path]
            diagnostic = self._error(
                "Value for unconfigurable attribute",
                f'Can\'t configure a value for "{path[-1][1]}": its value will be decided automatically based on '
                "the result of applying this configuration.",
            )
            diagnostic.attribute.steps.extend(steps)
            diagnostics.append(diagnostic)
        return diagnostics

    def ValidateResourceTypeConfig(self, request: Any, context: Any) -> Any:
        block = self._resource(request.type_name)
        return self.pb.ValidateResourceTypeConfig.Response(diagnostics=self._unconfigurable(request.config, block))

    def ValidateDataSourceConfig(self, request: Any, context: Any) -> Any:
        block = dict(self.schema["data_source_schemas"].get(request.type_name, {}).get("block", {}))
        return self.pb.ValidateDataSourceConfig.Response(diagnostics=self._unconfigurable(request.config, block))

    def Configure(self, request: Any, context: Any) -> Any:
        return self.pb.Configure.Response()

    def UpgradeResourceState(self, request: Any, context: Any) -> Any:
        from mlgen.testing import cty

        raw = json.loads(request.raw_state.json or b"null")
        state = cty.conform(raw, self._resource(request.type_name))
        return self.pb.UpgradeResourceState.Response(upgraded_state=self.pb.DynamicValue(msgpack=cty.encode(state)))

    def ReadResource(self, request: Any, context: Any) -> Any:
        return self.pb.ReadResource.Response(new_state=request.current_state, private=request.private)

    def PlanResourceChange(self, request: Any, context: Any) -> Any:
        from mlgen.testing import cty

        prior = cty.decode(request.prior_state.msgpack)
        proposed = cty.decode(request.proposed_new_state.msgpack)
        if prior is None and proposed is not None:
            proposed = cty.plan_create(proposed, self._resource(request.type_name))
        return self.pb.PlanResourceChange.Response(
            planned_state=self.pb.DynamicValue(msgpack=cty.encode(proposed)), planned_private=request.prior_private
        )

    def ApplyResourceChange(self, request: Any, context: Any) -> Any:
        from mlgen.testing import cty

        planned = cty.decode(request.planned_state.msgpack)
        if planned is not None:
            planned = cty.fill(planned, self._resource(request.type_name), computed_nulls=False)
        return self.pb.ApplyResourceChange.Response(
            new_state=self.pb.DynamicValue(msgpack=cty.encode(planned)), private=request.planned_private
        )

    def ImportResourceState(self, request: Any, context: Any) -> Any:
        return self.pb.ImportResourceState.Response(
            diagnostics=[self._error("import is not supported", "mlgen's schema-served test provider has no API")]
        )

    def ReadDataSource(self, request: Any, context: Any) -> Any:
        from mlgen.testing import cty

        block = dict(self.schema["data_source_schemas"].get(request.type_name, {}).get("block", {}))
        state = cty.fill(cty.decode(request.config.msgpack), block, computed_nulls=True)
        return self.pb.ReadDataSource.Response(state=self.pb.DynamicValue(msgpack=cty.encode(state)))

    def GetFunctions(self, request: Any, context: Any) -> Any:
        return self.pb.GetFunctions.Response()

    def Stop(self, request: Any, context: Any) -> Any:
        return self.pb.Stop.Response()


def _handlers(provider: SchemaProvider, stopped: threading.Event) -> list[Any]:
    import grpc

    pb = provider.pb
    rpcs = {
        "GetSchema": pb.GetProviderSchema,
        "PrepareProviderConfig": pb.PrepareProviderConfig,
        "ValidateResourceTypeConfig": pb.ValidateResourceTypeConfig,
        "ValidateDataSourceConfig": pb.ValidateDataSourceConfig,
        "Configure": pb.Configure,
        "UpgradeResourceState": pb.UpgradeResourceState,
        "ReadResource": pb.ReadResource,
        "PlanResourceChange": pb.PlanResourceChange,
        "ApplyResourceChange": pb.ApplyResourceChange,
        "ImportResourceState": pb.ImportResourceState,
        "ReadDataSource": pb.ReadDataSource,
        "GetFunctions": pb.GetFunctions,
        "Stop": pb.Stop,
    }
    provider_service = grpc.method_handlers_generic_handler(
        "tfplugin5.Provider",
        {
            name: grpc.unary_unary_rpc_method_handler(
                getattr(provider, name),
                request_deserializer=message.Request.FromString,
                # GetSchema answers with precomputed bytes
                response_serializer=bytes if name == "GetSchema" else message.Response.SerializeToString,
            )
            for name, message in rpcs.items()
        },
    )

    def shutdown(request: Any, context: Any) -> Any:
        # stop once this answer has reached terraform, not before
        if not context.add_callback(stopped.set):
            stopped.set()
        return pb.Empty()

    def start_stream(requests: Any, context: Any) -> Any:
        for _ in requests:  # no sub-plugins are brokered; hold the stream until terraform closes it
            pass
        yield from ()

    def health(request: Any, context: Any) -> Any:
        return pb.HealthCheckResponse(status=pb.HealthCheckResponse.SERVING)

    controller = grpc.method_handlers_generic_handler(
        "plugin.GRPCController",
        {
            "Shutdown": grpc.unary_unary_rpc_method_handler(
                shutdown, request_deserializer=pb.Empty.FromString, response_serializer=pb.Empty.SerializeToString
            )
        },
    )
    broker = grpc.method_handlers_generic_handler(
        "plugin.GRPCBroker",
        {
            "StartStream": grpc.stream_stream_rpc_method_handler(
                start_stream,
                request_deserializer=pb.ConnInfo.FromString,
                response_serializer=pb.ConnInfo.SerializeToString,
            )
        },
    )
    health_service = grpc.method_handlers_generic_handler(
        "grpc.health.v1.Health",
        {
            "Check": grpc.unary_unary_rpc_method_handler(
                health,
                request_deserializer=pb.HealthCheckRequest.FromString,
                response_serializer=pb.HealthCheckResponse.SerializeToString,
            )
        },
    )
    return [provider_service, controller, broker, health_service]


def load(path: Path) -> dict[str, Any]:
    """An extracted schema file (``.json`` or ``.json.gz``)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        return dict(json.load(fh))


def serve(schema_file: Path) -> int:
    """Run the provider until terraform shuts it down; returns the exit code."""
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        sys.stderr.write(
            "This binary is a plugin (mlgen's test-only schema provider). These are not meant to be executed "
            "directly. Please execute the program that consumes these plugins, which will load any plugins "
            "automatically\n"
        )
        return 1
    wanted = os.environ.get("PLUGIN_PROTOCOL_VERSIONS", str(PROTOCOL_VERSION))
    if str(PROTOCOL_VERSION) not in [v.strip() for v in wanted.split(",")]:
        sys.stderr.write(f"terraform asks for plugin protocol {wanted}; this provider speaks {PROTOCOL_VERSION}\n")
        return 1
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # like go-plugin: terraform decides when plugins stop

    import grpc

    provider = SchemaProvider(schema_file)
    stopped = threading.Event()
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=16),
        options=[("grpc.max_send_message_length", 256 << 20), ("grpc.max_receive_message_length", 256 << 20)],
    )
    server.add_generic_rpc_handlers(_handlers(provider, stopped))
    client_cert = os.environ.get("PLUGIN_CLIENT_CERT", "")
    cert_field = ""
    if client_cert:
        key_pem, cert_pem, cert_der = _server_certificate()
        # The server side of AutoMTLS: terraform pins this certificate (printed in the handshake). The
        # client certificate it offers is ECDSA P-521, which gRPC's TLS stack (BoringSSL) does not accept
        # for client authentication, so the client certificate is not requested; the connection is
        # still TLS and only on loopback.
        credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
        port = server.add_secure_port("127.0.0.1:0", credentials)
        cert_field = "|" + base64.b64encode(cert_der).decode().rstrip("=")
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"1|{PROTOCOL_VERSION}|tcp|127.0.0.1:{port}|grpc{cert_field}\n")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stopped.wait()
    server.stop(grace=0.2)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def main(argv: list[str] | None = None) -> int:
    """``python -m mlgen.testing.server --schema FILE`` (what the mirror's launcher runs)."""
    parser = argparse.ArgumentParser(prog="mlgen.testing.server", description=__doc__.splitlines()[0])
    parser.add_argument("--schema", type=Path, required=True, help="extracted schema (.json or .json.gz)")
    args, _ = parser.parse_known_args(argv)
    return serve(args.schema)


if __name__ == "__main__":
    raise SystemExit(main())
