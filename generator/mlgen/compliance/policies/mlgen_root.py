"""Root-level policies (MLGEN_AWS_009).

Checkov has no "whole root" check type, but every Python check receives the root's graph
(``check.graph``). A provider check runs once per ``provider "aws"`` block, so a check on the
default (un-aliased) provider that reads the graph is a root-level check, reported on the
provider block. It needs the root to declare ``provider "aws"``, which every mlgen root does.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.provider.base_check import BaseProviderCheck

try:
    from . import mlgen_policy_lib as lib
except ImportError:  # loaded by Checkov as a top-level module
    import mlgen_policy_lib as lib  # type: ignore[no-redef]


class BudgetDefined(BaseProviderCheck):
    """MLGEN_AWS_009: the root defines at least one AWS budget."""

    def __init__(self) -> None:
        super().__init__(
            name="Root defines at least one AWS Budgets budget (root level)",
            id="MLGEN_AWS_009",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_provider=["aws"],
        )

    def scan_provider_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        if conf.get("alias"):
            return CheckResult.UNKNOWN  # root-level: evaluated once, on the default provider
        if not lib.graph_available(self.graph):
            self.details.append("mlgen: Checkov graph unavailable, cannot look for budgets")
            return CheckResult.FAILED
        budgets = sorted(lib.address(v) for v in lib.resources(self.graph, "aws_budgets_budget"))
        if not budgets:
            self.details.append("no aws_budgets_budget in this root or the modules it calls")
            return CheckResult.FAILED
        self.details.append("budgets: " + ", ".join(budgets))
        return CheckResult.PASSED


budget_defined = BudgetDefined()
