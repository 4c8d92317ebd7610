"""Launch a moto server with mlgen's fidelity patches applied (nothing in site-packages is edited).

    python tests/apply/moto_server.py --port 5123

Sets ``MOTO_IAM_LOAD_MANAGED_POLICIES=true`` (attaching AWS-managed policies fails without it),
applies every patch in :mod:`moto_patches`, prints one ``patched: <name>`` line per patch, then runs
moto's own server entry point on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    """Parse ``--host``/``--port``, patch moto, serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--no-patches", action="store_true", help="serve stock moto (to show what a patch fixes)")
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import moto_patches

    if not args.no_patches:
        for name in moto_patches.apply_all():
            print(f"patched: {name}", flush=True)
    from moto.server import main as moto_main

    moto_main(["-H", args.host, "-p", str(args.port)])


if __name__ == "__main__":
    main()
