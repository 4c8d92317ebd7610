"""Typed errors. Each maps to one documented exit code (see :data:`EXIT_CODES`)."""

from __future__ import annotations


class MlgenError(Exception):
    """Root of every error mlgen reports to a user. ``exit_code`` is what the CLI returns."""

    exit_code = 1

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details or [])

    def lines(self) -> list[str]:
        """The message followed by one line per detail."""
        return [self.message, *self.details]


class ToolError(MlgenError, RuntimeError):
    """A required external tool (terraform, checkov, git) is missing or failed. Exit 1."""

    exit_code = 1


class InputError(MlgenError, ValueError):
    """Bad usage or bad answers. Exit 2. Nothing was written."""

    exit_code = 2


class AnswersError(InputError):
    """The answers failed validation; ``details`` holds ``path: message`` lines."""


class DestinationError(InputError, FileExistsError):
    """The destination cannot be written without losing a user's files."""


class EnvironmentProblem(InputError, OSError):
    """The machine stops mlgen from working: a folder is read-only, a path is a file, MLGEN_HOME is
    not mlgen's, a path is too long. Exit 2. Nothing was changed."""


class GateFailed(MlgenError):
    """The compliance gate failed. Exit 3."""

    exit_code = 3


class OverBudget(MlgenError):
    """Even the cheapest blueprint for the answers exceeds the budget. Exit 4."""

    exit_code = 4


class UpdateConflict(MlgenError):
    """``mlgen update`` merged with conflicts: both sides are kept with markers. Exit 5."""

    exit_code = 5


class PreflightFailed(MlgenError):
    """``mlgen preflight`` found a check that would make an apply fail. Exit 6."""

    exit_code = 6


class Interrupted(MlgenError):
    """Stopped by Ctrl-C (exit 130) or SIGTERM (exit 143) before the project was changed."""

    exit_code = 130


class Terminated(BaseException):
    """Raised in the main thread when SIGTERM arrives (the CLI installs the handler), so that
    ``finally`` blocks clean up as they do for Ctrl-C."""


EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "a required tool (terraform, checkov, git) is missing or failed",
    2: "bad input: usage, answers file, --set value, a destination that would be overwritten or cannot be "
    "written, another mlgen running on it, an unusable MLGEN_HOME (nothing written)",
    3: "compliance gate failed: a failed check maps to a selected framework, a file could not be parsed, "
    "or a waiver has no reason, owner or valid expiry",
    4: "estimated monthly cost is over budget (pass --allow-over-budget to write it anyway)",
    5: "mlgen update merged with conflicts: both sides kept between <<<<<<< and >>>>>>> markers in the listed files",
    6: "mlgen preflight: a check failed (a quota below what the project needs, an instance type offered in "
    "fewer than two zones, an account singleton that already exists)",
    130: "interrupted (Ctrl-C; 143 for SIGTERM): the project is as it was before",
}
