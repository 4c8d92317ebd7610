"""A sample of random valid answers each run, rendered for real: every root validates and the
compliance gate passes (the invariants themselves are in tests/unit/test_properties.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from mlgen import api
from mlgen.answers import build_answers
from mlgen.errors import OverBudget

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_properties import answers_data  # noqa: E402

pytestmark = [pytest.mark.terraform, pytest.mark.checkov, pytest.mark.slow]


@settings(
    max_examples=2,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(answers_data())
def test_random_answers_render_validate_and_pass_the_gate(
    terraform_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]
) -> None:
    answers = build_answers(data)
    dest = tmp_path_factory.mktemp("sample") / "p"
    try:
        outcome = api.new(dest, answers, use_git=False, echo=lambda _: None)
    except OverBudget:
        assert not dest.exists()  # over budget: exit 4 and nothing written
        return
    assert outcome is not None and outcome.validation_ok
    assert all(not r.warnings for r in outcome.validation)
    assert outcome.gate.passed, [f.finding.check_id for f in outcome.gate.failures]
    results = json.loads((dest / "docs" / "compliance" / "results.json").read_text())
    assert [f["check_id"] for f in results["findings"] if f["status"] == "failed"] == []
