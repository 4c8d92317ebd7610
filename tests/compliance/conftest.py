"""Shared helpers for the compliance tests: synthetic findings and Checkov availability."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from mlgen.compliance.scan import Finding, ScanResult, ScanSettings

FIXTURES = Path(__file__).resolve().parent / "fixtures"

HAS_CHECKOV = importlib.util.find_spec("checkov") is not None
requires_checkov = pytest.mark.skipif(
    not HAS_CHECKOV, reason="checkov is not installed (pip install 'checkov>=3.2,<4')"
)


def make_finding(check_id: str, status: str = "failed", **kw: Any) -> Finding:
    """A finding with sensible defaults for unit tests."""
    values: dict[str, Any] = {
        "check_id": check_id,
        "check_name": f"name of {check_id}",
        "status": status,
        "resource": "aws_s3_bucket.data",
        "file": "infra/prod/main.tf",
        "line_start": 10,
        "line_end": 20,
        "root": "infra/prod",
        "roots": ("infra/prod",),
    }
    values.update(kw)
    return Finding(**values)


def make_result(*findings: Finding, **settings: Any) -> ScanResult:
    """A scan result around the given findings (sorted like run_scan sorts them)."""
    return ScanResult(
        findings=tuple(sorted(findings, key=lambda f: f.sort_key())),
        roots=("infra/prod",),
        checkov_version="3.3.30",
        settings=ScanSettings(**settings),
        resource_counts={"infra/prod": 7},
    )
