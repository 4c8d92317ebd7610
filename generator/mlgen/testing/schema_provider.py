"""Install mlgen's test-only schema-served providers into a Terraform filesystem mirror.

    python -m mlgen.testing.schema_provider DIR [--provider google --provider azurerm --provider aws]

writes, per provider, ``DIR/registry.terraform.io/hashicorp/<name>/<version>/<os>_<arch>/`` with the
extracted schema (``schema.json.gz``) and a launcher ``terraform-provider-<name>_v<version>_x5`` that
runs :mod:`mlgen.testing.server` with this Python. Point a CLI config's ``filesystem_mirror`` at DIR and
``terraform init``/``validate``/``test`` work offline against the real resource schemas of the pinned
provider versions (see docs/testing.md for what they check and what they cannot). Test tooling only:
generated projects never depend on it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

import mlgen
from mlgen.testing.schemas import SOURCES, SchemaSource, load_schema

DEFAULT_PROVIDERS = ("google", "azurerm")


def platform_dir() -> str:
    """Terraform's ``<os>_<arch>`` name for this machine (e.g. ``linux_amd64``)."""
    system = {"linux": "linux", "darwin": "darwin"}.get(sys.platform, sys.platform)
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{system}_{arch}"


def provider_dir(mirror: Path, source: SchemaSource) -> Path:
    """The unpacked-layout folder of one provider version in ``mirror``."""
    return mirror / "registry.terraform.io" / "hashicorp" / source.provider / source.provider_version / platform_dir()


def _launcher(python: str, pythonpath: str) -> str:
    return (
        "#!/bin/sh\n"
        "# mlgen's test-only schema-served provider (mlgen.testing.schema_provider); not a real provider.\n"
        f"PYTHONPATH='{pythonpath}'${{PYTHONPATH:+:$PYTHONPATH}}\n"
        "export PYTHONPATH\n"
        f'exec \'{python}\' -m mlgen.testing.server --schema "$(dirname "$0")/schema.json.gz" "$@"\n'
    )


def install(mirror: Path, providers: Iterable[str] = DEFAULT_PROVIDERS) -> dict[str, Path]:
    """Write the launchers and schemas for ``providers`` into ``mirror``; returns provider → folder.

    Raises:
        mlgen.testing.schemas.SchemaUnavailableError: a pinned schema package cannot be had.
        KeyError: an unknown provider name.
    """
    from mlgen.testing.server import SchemaProvider

    pythonpath = str(Path(mlgen.__file__).resolve().parent.parent)
    done: dict[str, Path] = {}
    for name in providers:
        source = SOURCES[name]
        schema = load_schema(name)
        target = provider_dir(mirror, source)
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        schema_file = target / "schema.json.gz"
        with gzip.open(schema_file, "wt", encoding="utf-8") as fh:
            json.dump(schema, fh, separators=(",", ":"))
        # The GetSchema answer, serialized once here instead of in every plugin process.
        (target / "schema.pb").write_bytes(SchemaProvider(schema_file).schema_response().SerializeToString())
        launcher = target / f"terraform-provider-{source.provider}_v{source.provider_version}_x5"
        launcher.write_text(_launcher(sys.executable, pythonpath), encoding="utf-8")
        launcher.chmod(0o755)
        done[name] = target
    return done


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m mlgen.testing.schema_provider DIR [--provider NAME ...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m mlgen.testing.schema_provider", description=__doc__.splitlines()[0]
    )
    parser.add_argument("mirror", type=Path, help="filesystem mirror root (gets registry.terraform.io/...)")
    parser.add_argument(
        "--provider",
        action="append",
        choices=sorted(SOURCES),
        help=f"provider to install (repeatable; default: {', '.join(DEFAULT_PROVIDERS)})",
    )
    args = parser.parse_args(argv)
    from mlgen.testing.schemas import SchemaUnavailableError

    try:
        done = install(args.mirror, args.provider or DEFAULT_PROVIDERS)
    except SchemaUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, path in done.items():
        source = SOURCES[name]
        origin = f"{source.package}=={source.package_version}"
        print(f"hashicorp/{name} {source.provider_version} (schema from {origin}): {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
