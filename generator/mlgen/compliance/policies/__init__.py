"""mlgen's custom Checkov policies (ids ``MLGEN_AWS_001`` ...).

This directory is passed to ``checkov --external-checks-dir``; Checkov imports each ``.py`` file
as a top-level module, which is why the files carry an ``mlgen_`` prefix and import
``mlgen_policy_lib`` by name. Importing a policy module registers its checks in Checkov's
registries, so mlgen itself never imports them at run time (only inside the Checkov
subprocess). See ``mlgen/compliance/SCHEMA.md`` for the list of policies.
"""

from __future__ import annotations

from pathlib import Path

POLICIES_DIR = Path(__file__).resolve().parent
"""Directory to hand to ``checkov --external-checks-dir``."""
