"""The schema provider's parts without terraform: schema extraction from a jsii assembly, planning in
cty's msgpack encoding, and the go-plugin handshake and gRPC service of the plugin process."""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlgen.testing.schemas import extract_schema

P = "@cdktn/provider-demo.thing"
LINK = "https://registry.terraform.io/providers/hashicorp/demo/1.0.0/docs"


def _prop(name: str, tf: str, type_: dict[str, Any], optional: bool = False, block: bool = False) -> dict[str, Any]:
    docs = (
        {
            "summary": f"{tf} block.",
            "remarks": f"Docs at Terraform Registry: {{@link {LINK}/resources/thing#{tf} Thing#{tf}}}",
        }
        if block
        else {"summary": f"Docs at Terraform Registry: {{@link {LINK}/resources/thing#{tf} Thing#{tf}}}."}
    )
    return {"name": name, "type": type_, "optional": optional, "docs": docs}


def _assembly() -> dict[str, Any]:
    string = {"primitive": "string"}
    boolean = {"union": {"types": [{"primitive": "boolean"}, {"fqn": "cdktn.IResolvable"}]}}
    rule_list = {
        "union": {
            "types": [
                {"fqn": "cdktn.IResolvable"},
                {"collection": {"kind": "array", "elementtype": {"fqn": f"{P}.ThingRule"}}},
            ]
        }
    }
    types = {
        f"{P}.Thing": {
            "kind": "class",
            "base": "cdktn.TerraformResource",
            "fqn": f"{P}.Thing",
            "docs": {"summary": f"Represents a {{@link {LINK}/resources/thing demo_thing}}."},
            "initializer": {"parameters": [{"name": "config", "type": {"fqn": f"{P}.ThingConfig"}}]},
            "properties": [
                {"name": "tfResourceType", "static": True, "type": string},
                {"name": "arn", "type": string},
                {"name": "nameInput", "type": string},
                {"name": "name", "type": string},
                {"name": "endpoints", "type": {"fqn": f"{P}.ThingEndpointsList"}},
            ],
        },
        f"{P}.ThingConfig": {
            "kind": "interface",
            "datatype": True,
            "fqn": f"{P}.ThingConfig",
            "properties": [
                _prop("name", "name", string),
                _prop("id", "id", string, optional=True),
                _prop("enabled", "enabled", boolean, optional=True),
                _prop("tags", "tags", {"collection": {"kind": "map", "elementtype": string}}, optional=True),
                _prop("rule", "rule", rule_list, optional=True, block=True),
                _prop("settings", "settings", {"fqn": f"{P}.ThingSettings"}, block=True),
                _prop("timeouts", "timeouts", {"fqn": f"{P}.ThingTimeouts"}, optional=True, block=True),
            ],
        },
        f"{P}.ThingRule": {
            "kind": "interface",
            "datatype": True,
            "properties": [_prop("days", "days", {"primitive": "number"})],
        },
        f"{P}.ThingRuleOutputReference": {
            "kind": "class",
            "base": "cdktn.ComplexObject",
            "properties": [{"name": "ruleId", "type": string}],
        },
        f"{P}.ThingSettings": {
            "kind": "interface",
            "datatype": True,
            "properties": [_prop("mode", "mode", string, optional=True)],
        },
        f"{P}.ThingTimeouts": {
            "kind": "interface",
            "datatype": True,
            "properties": [_prop("create", "create", string, optional=True)],
        },
        f"{P}.ThingEndpointsList": {"kind": "class", "base": "cdktn.ComplexList"},
        f"{P}.ThingEndpointsOutputReference": {
            "kind": "class",
            "base": "cdktn.ComplexObject",
            "properties": [{"name": "dnsName", "type": string}, {"name": "internalValue", "type": string}],
        },
        f"{P}.DataThing": {
            "kind": "class",
            "base": "cdktn.TerraformDataSource",
            "fqn": f"{P}.DataThing",
            "docs": {"summary": f"Represents a {{@link {LINK}/data-sources/thing demo_thing}}."},
            "initializer": {"parameters": [{"name": "config", "type": {"fqn": f"{P}.DataThingConfig"}}]},
            "properties": [{"name": "arn", "type": string}],
        },
        f"{P}.DataThingConfig": {
            "kind": "interface",
            "datatype": True,
            "properties": [_prop("filter", "filter", string, optional=True)],
        },
    }
    return {"types": types}


def test_extracts_arguments_computed_attributes_and_blocks() -> None:
    schema = extract_schema(_assembly())
    block = schema["resource_schemas"]["demo_thing"]["block"]
    attrs = block["attributes"]
    assert attrs["name"] == {"type": "string", "required": True}
    assert attrs["enabled"] == {"type": "bool", "optional": True}
    assert attrs["tags"] == {"type": ["map", "string"], "optional": True}
    assert attrs["id"] == {"type": "string", "optional": True, "computed": True}
    assert attrs["arn"] == {"type": "string", "computed": True}
    assert attrs["endpoints"] == {"type": ["list", ["object", {"dns_name": "string"}]], "computed": True}
    assert "tf_resource_type" not in attrs and "name_input" not in attrs
    blocks = block["block_types"]
    assert blocks["rule"]["nesting_mode"] == "list" and "max_items" not in blocks["rule"]
    assert blocks["rule"]["block"]["attributes"]["days"] == {"type": "number", "required": True}
    assert blocks["rule"]["block"]["attributes"]["rule_id"] == {"type": "string", "computed": True}
    assert (blocks["settings"]["max_items"], blocks["settings"]["min_items"]) == (1, 1)
    assert blocks["timeouts"]["nesting_mode"] == "single"
    data = schema["data_source_schemas"]["demo_thing"]["block"]["attributes"]
    assert data["filter"] == {"type": "string", "optional": True, "computed": True}
    assert data["arn"] == {"type": "string", "computed": True}


def test_plan_marks_only_null_computed_attributes_unknown() -> None:
    pytest.importorskip("msgpack")
    from mlgen.testing import cty

    block = extract_schema(_assembly())["resource_schemas"]["demo_thing"]["block"]

    def proposed() -> dict[str, Any]:
        return {
            "name": "a",
            "id": None,
            "arn": None,
            "enabled": None,
            "tags": None,
            "endpoints": None,
            "rule": [{"days": 3, "rule_id": None}],
            "settings": [{"mode": None}],
            "timeouts": None,
        }

    planned = cty.decode(cty.encode(cty.plan_create(proposed(), block)))
    assert [k for k, v in planned.items() if cty.is_unknown(v)] == ["id", "arn", "endpoints"]
    assert cty.is_unknown(planned["rule"][0]["rule_id"]) and planned["enabled"] is None
    applied = cty.fill(planned, block, computed_nulls=False)
    assert (
        applied["arn"] == "mock-arn" and applied["endpoints"] == [] and applied["rule"][0]["rule_id"] == "mock-rule_id"
    )
    config = dict(proposed(), arn="x", rule=[{"days": 1, "rule_id": "y"}])
    assert cty.unconfigurable(config, block) == [
        (("attr", "arn"),),
        (("attr", "rule"), ("index", 0), ("attr", "rule_id")),
    ]


@pytest.fixture
def schema_file(tmp_path: Path) -> Path:
    path = tmp_path / "schema.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(extract_schema(_assembly()), fh)
    return path


def _serve(schema_file: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    generator = str(Path(__file__).resolve().parents[2] / "generator")
    env = dict(env, PYTHONPATH=generator + os.pathsep + env.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "mlgen.testing.server", "--schema", str(schema_file)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_refuses_to_run_outside_terraform(schema_file: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TF_PLUGIN_MAGIC_COOKIE"}
    proc = _serve(schema_file, env)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "This binary is a plugin" in err


def test_handshake_tls_and_schema_over_grpc(schema_file: Path) -> None:
    grpc = pytest.importorskip("grpc")
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from mlgen.testing.protocol import messages
    from mlgen.testing.server import MAGIC_COOKIE_VALUE, _server_certificate

    pb = messages()
    _, client_cert, _ = _server_certificate()  # any certificate stands in for terraform's
    env = dict(
        os.environ,
        TF_PLUGIN_MAGIC_COOKIE=MAGIC_COOKIE_VALUE,
        PLUGIN_CLIENT_CERT=client_cert.decode(),
        PLUGIN_PROTOCOL_VERSIONS="5,6",
    )
    proc = _serve(schema_file, env)
    try:
        assert proc.stdout is not None
        core, version, network, address, protocol, cert = proc.stdout.readline().strip().split("|")
        assert (core, version, network, protocol) == ("1", "5", "tcp", "grpc")
        assert address.startswith("127.0.0.1:")
        der = base64.b64decode(cert + "=" * (-len(cert) % 4))
        server_cert = x509.load_der_x509_certificate(der)
        san = server_cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert san.get_values_for_type(x509.DNSName) == ["localhost"]
        creds = grpc.ssl_channel_credentials(root_certificates=server_cert.public_bytes(serialization.Encoding.PEM))
        channel = grpc.secure_channel(address, creds, options=[("grpc.ssl_target_name_override", "localhost")])
        get_schema = channel.unary_unary(
            "/tfplugin5.Provider/GetSchema",
            request_serializer=pb.GetProviderSchema.Request.SerializeToString,
            response_deserializer=pb.GetProviderSchema.Response.FromString,
        )
        response = get_schema(pb.GetProviderSchema.Request(), timeout=30)
        assert list(response.resource_schemas) == ["demo_thing"]
        attrs = {a.name: a for a in response.resource_schemas["demo_thing"].block.attributes}
        assert json.loads(attrs["tags"].type) == ["map", "string"] and attrs["name"].required
        assert response.server_capabilities.get_provider_schema_optional
        shutdown = channel.unary_unary(
            "/plugin.GRPCController/Shutdown",
            request_serializer=pb.Empty.SerializeToString,
            response_deserializer=pb.Empty.FromString,
        )
        shutdown(pb.Empty(), timeout=30)
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.communicate()


def test_missing_schema_package_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlgen.testing import schemas

    monkeypatch.setenv("MLGEN_SCHEMA_CACHE", str(tmp_path))
    monkeypatch.setattr(schemas, "_installed_assembly", lambda source: None)
    with pytest.raises(schemas.SchemaUnavailableError, match=r"cdktn-provider-azurerm==18\.9\.0 is not in"):
        schemas.load_schema("azurerm", download=False)
