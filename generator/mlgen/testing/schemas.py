"""Terraform provider schemas extracted from the prebuilt CDK Terrain provider packages.

A ``cdktn-provider-<name>`` wheel embeds a jsii assembly (``_jsii/*.jsii.tgz``) that describes every
resource, data source and the provider block of the Terraform provider it was built from: one config
struct per resource (argument names, required or optional, types, nested blocks) and one class whose
getters are the attributes (computed-only ones have no ``…Input`` twin). This module turns that
assembly into a schema in the shape of ``terraform providers schema -json`` (``block`` with
``attributes`` and ``block_types``) and caches the result, gzipped, keyed by package version.

Fidelity limits (the assembly does not record them): set vs list (sets are served as lists), sensitive,
defaults, validators, force-new, deprecation, and "optional + computed" (optional arguments are served
as optional only, except ``id``). Single-item blocks are served as ``list`` nesting with
``max_items = 1`` (what SDKv2 providers declare), ``timeouts`` as ``single``.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Bump when the extraction logic changes, so stale cached schemas are not reused.
EXTRACTOR_VERSION = 2


@dataclass(frozen=True)
class SchemaSource:
    """One pinned CDK provider package and the Terraform provider it was built from."""

    provider: str
    package: str
    package_version: str
    provider_version: str

    @property
    def wheel_prefix(self) -> str:
        return self.package.replace("-", "_") + "-" + self.package_version


SOURCES: dict[str, SchemaSource] = {
    "google": SchemaSource("google", "cdktn-provider-google", "21.1.0", "8.7.0"),
    "azurerm": SchemaSource("azurerm", "cdktn-provider-azurerm", "18.9.0", "5.10.0"),
    # The oldest cdktn aws package; it is built from aws 6.28.0 (no cdktn package was built from 5.x).
    # Used only to prove the schema-served provider against the real aws 5.100.0 binary.
    "aws": SchemaSource("aws", "cdktn-provider-aws", "21.23.0", "6.28.0"),
}


class SchemaUnavailableError(RuntimeError):
    """The schema package could not be found, downloaded or read."""


def cache_dir() -> Path:
    """Where wheels and extracted schemas are cached (``MLGEN_SCHEMA_CACHE`` overrides)."""
    explicit = os.environ.get("MLGEN_SCHEMA_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mlgen" / "provider-schemas"


def _installed_assembly(source: SchemaSource) -> Path | None:
    try:
        dist = importlib.metadata.distribution(source.package)
    except importlib.metadata.PackageNotFoundError:
        return None
    if dist.version != source.package_version:
        return None
    for file in dist.files or ():
        if file.name.endswith(".jsii.tgz") and "_jsii" in str(file):
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return path
    return None


def _cached_wheel(source: SchemaSource, download: bool) -> Path:
    wheels = cache_dir() / "wheels"
    found = sorted(wheels.glob(source.wheel_prefix + "-*.whl")) if wheels.is_dir() else []
    if found:
        return found[0]
    if not download:
        raise SchemaUnavailableError(f"{source.package}=={source.package_version} is not in {wheels}")
    wheels.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
    cmd += ["--dest", str(wheels), f"{source.package}=={source.package_version}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    found = sorted(wheels.glob(source.wheel_prefix + "-*.whl"))
    if proc.returncode != 0 or not found:
        raise SchemaUnavailableError(
            f"could not download {source.package}=={source.package_version} with pip: "
            + (proc.stderr.strip().splitlines() or ["no output"])[-1]
        )
    return found[0]


def _read_assembly(source: SchemaSource, download: bool) -> dict[str, Any]:
    """The jsii assembly (parsed ``.jsii``) of the pinned package."""
    tgz = _installed_assembly(source)
    if tgz is not None:
        with tarfile.open(tgz, "r:gz") as tar:
            member = tar.extractfile("package/.jsii")
            assert member is not None
            return dict(json.load(member))
    wheel = _cached_wheel(source, download)
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.endswith(".jsii.tgz")]
        if not names:
            raise SchemaUnavailableError(f"{wheel} holds no jsii assembly")
        with zf.open(names[0]) as raw, tarfile.open(fileobj=raw, mode="r|gz") as tar:
            for member in tar:
                if member.name == "package/.jsii":
                    handle = tar.extractfile(member)
                    assert handle is not None
                    return dict(json.load(handle))
    raise SchemaUnavailableError(f"{wheel} has no package/.jsii")


_LINK = re.compile(r"\{@link https?://\S+/docs/(resources|data-sources|ephemeral-resources)/\S+ (\w+)\}")
_ANCHOR = re.compile(r"\{@link https?://\S+#(\w+) [\w.]+#\w+\}")
_MAP_TYPES = {"StringMap": "string", "NumberMap": "number", "BooleanMap": "bool", "AnyMap": "dynamic"}


def _core(fqn: str | None) -> str | None:
    """The name of a CDK core type (``cdktn.X`` or, in older packages, ``cdktf.X``), else None."""
    if fqn and fqn.startswith(("cdktn.", "cdktf.")):
        return fqn.split(".", 1)[1]
    return None


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class _Extractor:
    def __init__(self, assembly: dict[str, Any]) -> None:
        self.types: dict[str, Any] = assembly["types"]
        self._open: list[str] = []  # structs being expanded (a few assemblies reuse a name recursively)

    # -- types -------------------------------------------------------------------------------
    def cty(self, ref: dict[str, Any]) -> Any:
        """The cty type (JSON form) of a jsii type reference."""
        if "primitive" in ref:
            return {"string": "string", "number": "number", "boolean": "bool"}.get(ref["primitive"], "dynamic")
        if "union" in ref:
            members = [m for m in ref["union"]["types"] if _core(m.get("fqn")) != "IResolvable"]
            if any(m.get("primitive") == "boolean" for m in members):
                return "bool"
            return self.cty(members[0]) if members else "bool"
        if "collection" in ref:
            kind = "list" if ref["collection"]["kind"] == "array" else "map"
            return [kind, self.cty(ref["collection"]["elementtype"])]
        fqn = ref["fqn"]
        if _core(fqn) == "IResolvable":
            return "bool"  # computed booleans are exposed as IResolvable
        short = fqn.rsplit(".", 1)[-1]
        if _core(fqn) is not None:
            if short in _MAP_TYPES:
                return ["map", _MAP_TYPES[short]]
            if short.endswith("MapList") and short[: -len("List")] in _MAP_TYPES:
                return ["list", ["map", _MAP_TYPES[short[: -len("List")]]]]
            return "dynamic"
        decl = self.types.get(fqn, {})
        if decl.get("datatype"):
            return ["object", {self.prop_name(p): self.cty(p["type"]) for p in decl.get("properties", [])}]
        base = _core(decl.get("base"))
        if base == "ComplexList":
            return ["list", self.object_of(fqn[: -len("List")] + "OutputReference")]
        if base == "ComplexMap":
            return ["map", self.object_of(fqn[: -len("Map")] + "OutputReference")]
        if base == "ComplexObject":
            return self.object_of(fqn)
        return "dynamic"

    def object_of(self, output_reference: str) -> Any:
        decl = self.types.get(output_reference)
        if decl is None:
            return "dynamic"
        attrs = {_snake(p["name"]): self.cty(p["type"]) for p in self.getters(decl)}
        return ["object", attrs]

    @staticmethod
    def getters(decl: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            p
            for p in decl.get("properties", [])
            if not p.get("static")
            and not p.get("protected")
            and not p["name"].endswith("Input")
            and p["name"] != "internalValue"
        ]

    @staticmethod
    def prop_name(prop: dict[str, Any]) -> str:
        docs = prop.get("docs", {})
        for text in (docs.get("summary", ""), docs.get("remarks", "")):
            match = _ANCHOR.search(text)
            if match:
                return match.group(1)
        return _snake(prop["name"])

    # -- blocks ------------------------------------------------------------------------------
    def _block_struct(self, ref: dict[str, Any]) -> tuple[str, str] | None:
        """(struct fqn, 'one'|'many') when a config property is a nested block."""
        if "fqn" in ref and self.types.get(ref["fqn"], {}).get("datatype"):
            return ref["fqn"], "one"
        if "union" in ref:
            for member in ref["union"]["types"]:
                coll = member.get("collection")
                if coll and coll["kind"] == "array":
                    elem = coll["elementtype"]
                    if "fqn" in elem and self.types.get(elem["fqn"], {}).get("datatype"):
                        return elem["fqn"], "many"
        return None

    def block(self, struct_fqn: str, getter_fqn: str | None, top: bool, data: bool = False) -> dict[str, Any]:
        """One schema block from a config struct and the getters of its class (computed-only attributes).

        ``data``: a data source, whose optional arguments are served as optional + computed (they are
        mostly filters the provider fills in when unset, e.g. ``aws_region.name``).
        """
        struct = self.types[struct_fqn]
        attributes: dict[str, Any] = {}
        block_types: dict[str, Any] = {}
        config_names: set[str] = set()
        for prop in struct.get("properties", []):
            if top and prop["name"] in {"alias"} and struct_fqn.endswith("ProviderConfig"):
                continue
            config_names.add(prop["name"])
            name = self.prop_name(prop)
            optional = bool(prop.get("optional"))
            nested = self._block_struct(prop["type"])
            if nested is not None and nested[0] in self._open:
                continue  # a struct name reused inside itself: cut the cycle here
            if nested is not None:
                fqn, many = nested
                self._open.append(fqn)
                try:
                    inner = self.block(fqn, fqn + "OutputReference", top=False, data=data)
                finally:
                    self._open.pop()
                if many == "one" and name == "timeouts" and top:
                    block_types[name] = {"nesting_mode": "single", "block": inner}
                    continue
                entry: dict[str, Any] = {"nesting_mode": "list", "block": inner}
                if many == "one":
                    entry["max_items"] = 1
                if not optional:
                    entry["min_items"] = 1
                block_types[name] = entry
                continue
            attr: dict[str, Any] = {"type": self.cty(prop["type"])}
            if (name == "id" and top) or (optional and data):
                attr.update(optional=True, computed=True)
            elif optional:
                attr["optional"] = True
            else:
                attr["required"] = True
            attributes[name] = attr
        getter_decl = self.types.get(getter_fqn or "")
        if getter_decl is not None:
            for prop in self.getters(getter_decl):
                if prop["name"] in config_names:
                    continue
                name = _snake(prop["name"])
                if name in attributes or name in block_types:
                    continue
                attributes[name] = {"type": self.cty(prop["type"]), "computed": True}
        result: dict[str, Any] = {}
        if attributes:
            result["attributes"] = dict(sorted(attributes.items()))
        if block_types:
            result["block_types"] = dict(sorted(block_types.items()))
        return result

    def config_struct(self, decl: dict[str, Any]) -> str | None:
        for param in decl.get("initializer", {}).get("parameters", []):
            if param["name"] == "config":
                return str(param["type"]["fqn"])
        return None

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"provider": {}, "resource_schemas": {}, "data_source_schemas": {}}
        for fqn, decl in self.types.items():
            base = _core(decl.get("base"))
            config = self.config_struct(decl) if decl.get("kind") == "class" else None
            if config is None or config not in self.types:
                continue
            if base == "TerraformProvider":
                out["provider"] = {"version": 0, "block": self.block(config, None, top=True)}
                continue
            kind = {"TerraformResource": "resource_schemas", "TerraformDataSource": "data_source_schemas"}
            if base not in kind:
                continue
            match = _LINK.search(decl.get("docs", {}).get("summary", ""))
            if match is None:
                continue
            block = self.block(config, fqn, top=True, data=base == "TerraformDataSource")
            out[kind[base]][match.group(2)] = {"version": 0, "block": block}
        for key in ("resource_schemas", "data_source_schemas"):
            out[key] = dict(sorted(out[key].items()))
        return out


def extract_schema(assembly: dict[str, Any]) -> dict[str, Any]:
    """Turn a parsed jsii assembly into a provider schema (``terraform providers schema -json`` shape)."""
    return _Extractor(assembly).schema()


def schema_path(source: SchemaSource) -> Path:
    """The cache file for one source's extracted schema."""
    name = f"{source.provider}-{source.package}-{source.package_version}-x{EXTRACTOR_VERSION}.json.gz"
    return cache_dir() / "schemas" / name


def load_schema(provider: str, download: bool = True) -> dict[str, Any]:
    """The extracted schema of ``provider`` (google, azurerm or aws), from the cache or freshly extracted.

    Raises:
        SchemaUnavailableError: the pinned package is neither installed, cached nor downloadable.
        KeyError: ``provider`` is not one of :data:`SOURCES`.
    """
    source = SOURCES[provider]
    path = schema_path(source)
    if not path.is_file():
        with _locked(cache_dir() / f".{source.package}.lock"):  # parallel test workers share the cache
            if not path.is_file():
                _extract_to(source, path, download)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return dict(json.load(fh))


@contextlib.contextmanager
def _locked(lock: Path) -> Iterator[None]:
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _extract_to(source: SchemaSource, path: Path, download: bool) -> None:
    schema = extract_schema(_read_assembly(source, download))
    schema["format_version"] = "mlgen-schema-1"
    schema["source"] = {
        "package": source.package,
        "package_version": source.package_version,
        "provider_version": source.provider_version,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        json.dump(schema, fh, separators=(",", ":"), sort_keys=True)
    tmp.replace(path)
