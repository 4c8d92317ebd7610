"""The plugin-protocol messages (``tfplugin5_subset.proto``), compiled at first use with grpcio-tools.

The generated module is cached under :func:`mlgen.testing.schemas.cache_dir`, keyed by the proto's hash
and the protobuf runtime version, so generated code always matches the installed runtime.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

PROTO = Path(__file__).resolve().parent / "tfplugin5_subset.proto"


@cache
def messages() -> ModuleType:
    """The ``tfplugin5_subset_pb2`` module (compiled into the cache on first use)."""
    import google.protobuf

    from mlgen.testing.schemas import cache_dir

    source = PROTO.read_bytes()
    key = hashlib.sha256(source + google.protobuf.__version__.encode()).hexdigest()[:16]
    out = cache_dir() / "protocol" / key
    module_file = out / "tfplugin5_subset_pb2.py"
    if not module_file.is_file():
        from grpc_tools import protoc

        tmp = out.with_name(f"{key}.tmp{os.getpid()}")
        tmp.mkdir(parents=True, exist_ok=True)
        rc = protoc.main(["protoc", f"-I{PROTO.parent}", f"--python_out={tmp}", str(PROTO)])
        if rc != 0:
            raise RuntimeError(f"protoc failed ({rc}) compiling {PROTO}")
        with contextlib.suppress(OSError):  # another process won the race
            tmp.replace(out)
    spec = importlib.util.spec_from_file_location("tfplugin5_subset_pb2", module_file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("tfplugin5_subset_pb2", module)
    spec.loader.exec_module(module)
    return module
