"""The compliance framework ids, defined once.

A module of its own (no imports) so the CLI can offer them as choices without loading pydantic; the
answers' ``Framework`` type, the API's ``check`` and the catalog read this tuple.
"""

from __future__ import annotations

FRAMEWORKS: tuple[str, ...] = ("hipaa", "soc2", "gdpr", "pci_dss", "iso27001")
