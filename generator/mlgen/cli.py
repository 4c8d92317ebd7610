"""Command line: parses options, calls one ``mlgen.api`` function, maps typed errors to exit codes.

Heavy libraries (copier, checkov, the decision tables) are imported inside commands so that
``mlgen --help`` stays instant.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from mlgen import __version__
from mlgen.errors import EXIT_CODES, Interrupted, MlgenError, Terminated
from mlgen.frameworks import FRAMEWORKS

F = TypeVar("F", bound=Callable[..., Any])

EXIT_HELP = "\b\nExit codes:\n" + "\n".join(f"  {code}  {text}" for code, text in EXIT_CODES.items())


def _echo(line: str) -> None:
    click.echo(line, err=True)


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


def _fail(exc: MlgenError, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    click.echo(f"error: {exc.message}", err=True)
    for line in exc.details:
        click.echo(f"  {line}", err=True)
    sys.exit(exc.exit_code)


def handle_errors(func: F) -> F:
    """Run a command; print any failure as one 'error: …' line (plus details) and exit with its code.

    MlgenError carries its own code; Ctrl-C exits 130 and SIGTERM 143 (after cleanup); a file-system
    problem (OSError) exits 2; anything else is an internal error (exit 1). ``--debug`` adds the
    traceback.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        previous = None
        with contextlib.suppress(ValueError):  # signal handlers only in the main thread
            previous = signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            return func(*args, **kwargs)
        except MlgenError as exc:
            _fail(exc, debug)
        except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise
        except KeyboardInterrupt:
            _fail(Interrupted("interrupted (Ctrl-C)"), debug)
        except Terminated:
            err = Interrupted("terminated (SIGTERM)")
            err.exit_code = 143
            _fail(err, debug)
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            _fail(_os_error(f"{exc.strerror or exc}{where}"), debug)
        except Exception as exc:  # the last resort: one line, never a bare traceback
            _fail(MlgenError(f"internal error: {type(exc).__name__}: {exc}", details=["run with --debug"]), debug)
        finally:
            if previous is not None:
                with contextlib.suppress(ValueError):
                    signal.signal(signal.SIGTERM, previous)
        return None

    return wrapper  # type: ignore[return-value]


def _os_error(message: str) -> MlgenError:
    from mlgen.errors import EnvironmentProblem

    return EnvironmentProblem(message, details=["nothing was changed; run with --debug for the traceback"])


@click.group(epilog=EXIT_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlgen")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
def main(debug: bool) -> None:
    """mlgen: turn compliance, budget and scale answers into a ready ML repository on AWS."""


answers_option = click.option(
    "--answers",
    "answers_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Answers file (YAML or JSON); see docs/answers.schema.json.",
)
set_option = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override one answer, e.g. --set scale.training.gpus_per_job=8 (repeatable).",
)
budget_option = click.option(
    "--allow-over-budget", is_flag=True, help="Write the project even when the estimate exceeds budget.monthly_usd."
)


def _gather_answers(
    answers_file: Path | None,
    overrides: tuple[str, ...],
    defaults: bool,
    dest: Path | None = None,
    resume: Path | None = None,
) -> Any:
    from mlgen.answers import load_answers

    if resume is not None or (answers_file is None and not overrides and not defaults and sys.stdin.isatty()):
        import shlex

        from mlgen.answers import read_answers_file
        from mlgen.questionnaire import ask, partial_path

        known = read_answers_file(resume) if resume is not None else None
        partial = partial_path(dest) if dest is not None else None
        return ask(known=known, partial=partial, resume_hint=f"mlgen new {shlex.quote(str(dest))}" if dest else "")
    return load_answers(answers_file, overrides)


@main.command(epilog=EXIT_HELP)
@click.argument("dest", type=click.Path(path_type=Path, file_okay=False))
@answers_option
@set_option
@click.option("--defaults", is_flag=True, help="Use the default answers (no questions).")
@click.option(
    "--resume",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Continue a stopped questionnaire: keep the answers in FILE (e.g. .mlgen-answers.partial.yml beside "
    "DEST) and ask only the missing questions.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into a non-empty DEST: generated files replace same-named ones, files mlgen generated before and "
    "no longer generates are removed unless you edited them; a git DEST must have no uncommitted changes.",
)
@click.option("--no-check", is_flag=True, help="Skip terraform validation and the Checkov scan.")
@click.option("--no-git", is_flag=True, help="Do not make DEST a git repository.")
@budget_option
@handle_errors
def new(
    dest: Path,
    answers_file: Path | None,
    overrides: tuple[str, ...],
    defaults: bool,
    force: bool,
    no_check: bool,
    no_git: bool,
    allow_over_budget: bool,
    resume: Path | None,
) -> None:
    """Generate a project in DEST from answers (a file, --set, --defaults, or questions)."""
    from mlgen import api

    if resume is not None and (answers_file is not None or overrides or defaults):
        raise click.UsageError(
            "--resume asks the missing questions; it cannot be combined with --answers, --set or --defaults"
        )
    answers = _gather_answers(answers_file, overrides, defaults, dest, resume)
    api.new(
        dest,
        answers,
        force=force,
        check=not no_check,
        use_git=not no_git,
        allow_over_budget=allow_over_budget,
        echo=_echo,
    )
    for line in api.next_steps(api.resolve_dest(dest), shown=str(dest)):
        click.echo(line)


def _print_plan(bp: Any) -> None:
    from mlgen.cost import render_table

    click.echo(
        f"{bp.project['name']} ({bp.project['slug']}) in {bp.region}: "
        f"{len(bp.environments)} environment(s): {', '.join(e.name for e in bp.environments)}"
    )
    click.echo("")
    click.echo("Decisions:")
    for d in bp.decisions:
        click.echo(f"- {d.title}: {d.choice}")
        click.echo(f"    why: {d.rationale}")
        click.echo(f"    driven by: {', '.join(d.driven_by)}")
    click.echo("")
    click.echo("Monthly cost:")
    for line in render_table(bp.cost):
        click.echo(f"  {line}")


@main.command(epilog=EXIT_HELP)
@answers_option
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print the blueprint as JSON.")
@budget_option
@handle_errors
def plan(answers_file: Path | None, overrides: tuple[str, ...], as_json: bool, allow_over_budget: bool) -> None:
    """Dry run: print the decisions and the cost table; write nothing."""
    from mlgen import api
    from mlgen.answers import load_answers

    bp = api.plan(load_answers(answers_file, overrides))
    if as_json:
        click.echo(json.dumps(bp.model_dump(mode="json"), indent=2, sort_keys=True))
    else:
        _print_plan(bp)
    api.ensure_budget(bp, allow_over_budget=allow_over_budget)


@main.command(epilog=EXIT_HELP)
@click.argument("dest", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--json", "as_json", is_flag=True, help="Print the estimate as JSON.")
@handle_errors
def cost(dest: Path, as_json: bool) -> None:
    """Cost estimate of a generated project, from its recorded answers."""
    from mlgen import api
    from mlgen.cost import render_table

    bp = api.plan(api.project_answers(dest))
    if as_json:
        click.echo(json.dumps(bp.cost.model_dump(mode="json"), indent=2, sort_keys=True))
        return
    for line in render_table(bp.cost):
        click.echo(line)


@main.command(epilog=EXIT_HELP)
@click.argument("dest", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option(
    "--framework",
    "frameworks",
    multiple=True,
    type=click.Choice(list(FRAMEWORKS)),
    help="Gate on these frameworks (default: the project's answers).",
)
@click.option(
    "--format",
    "formats",
    default="md,html,json,sarif,junit,oscal",
    show_default=True,
    help="Report formats, comma separated.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["critical", "high", "medium", "low", "none"]),
    default="high",
    show_default=True,
    help="Fail on any failed check of this severity or above.",
)
@click.option(
    "--plan",
    "plan_scan",
    is_flag=True,
    help="Also scan each root's terraform plan (made offline against a local moto server; slow) and "
    "report the difference in docs/compliance/plan-diff.md.",
)
@handle_errors
def check(dest: Path, frameworks: tuple[str, ...], formats: str, fail_on: str, plan_scan: bool) -> None:
    """Re-validate and re-scan a project; write docs/compliance/ reports.

    With --plan, the plan of every root is scanned as well as its HCL. A check that fails in the HCL
    but passes on the planned values (a module-indirection false positive) is resolved and stops
    failing the gate; a check that fails only in the plan is a failure and is gated. Needs
    terraform, the AWS provider mirror and moto_server; nothing leaves the machine.
    """
    from mlgen import api

    api.check(
        dest,
        frameworks=list(frameworks) or None,
        formats=tuple(f.strip() for f in formats.split(",") if f.strip()),
        fail_on=None if fail_on == "none" else fail_on,
        echo=_echo,
        plan=plan_scan,
    )


@main.command(epilog=EXIT_HELP)
@click.argument("dest", type=click.Path(path_type=Path, file_okay=False), default=".")
@answers_option
@set_option
@click.option(
    "--replace-answers",
    is_flag=True,
    help="Replace the recorded answers with --answers instead of merging it into them.",
)
@click.option(
    "--yes", is_flag=True, help="Delete files you edited that the update no longer generates, without asking."
)
@click.option(
    "--no-check", is_flag=True, help="Skip validation and the scan (otherwise they must pass before your tree changes)."
)
@budget_option
@handle_errors
def update(
    dest: Path,
    answers_file: Path | None,
    overrides: tuple[str, ...],
    replace_answers: bool,
    yes: bool,
    no_check: bool,
    allow_over_budget: bool,
) -> None:
    """Re-apply this mlgen's template, or changed answers, keeping your edits (copier update).

    --answers is merged into the recorded answers. The merge runs in a clone; your working tree
    changes only when it (and the checks) succeeded. Conflicts keep both sides between <<<<<<< and
    >>>>>>> markers and exit 5.
    """
    from mlgen import api

    if replace_answers and answers_file is None:
        raise click.UsageError("--replace-answers needs --answers FILE")

    def confirm(paths: list[str]) -> bool:
        if not sys.stdin.isatty():
            return False
        click.echo("The update no longer generates these files, which you edited:", err=True)
        for path in paths:
            click.echo(f"  {path}", err=True)
        return click.confirm("Delete them?", default=False, err=True)

    api.update(
        dest,
        answers_file=answers_file,
        overrides=overrides,
        replace_answers=replace_answers,
        check=not no_check,
        allow_over_budget=allow_over_budget,
        yes=yes,
        confirm=confirm,
        echo=_echo,
    )


@main.command(epilog=EXIT_HELP)
@click.argument("dest", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--env", "env", default=None, help="Environment whose account to check (default: the account owner).")
@click.option("--endpoint-url", default=None, help="Send every AWS call here (a local emulator).", hidden=True)
@handle_errors
def preflight(dest: Path, env: str | None, endpoint_url: str | None) -> None:
    """Check the AWS account before the first apply: quotas, zones, cost tags, existing singletons.

    Uses your AWS credentials (boto3; the aws extra). Prints a table; exits 6 when a check fails.
    """
    from mlgen import preflight as pf
    from mlgen.errors import PreflightFailed

    report = pf.run(dest, env=env, endpoint_url=endpoint_url)
    click.echo(f"account {report.account}, region {report.region}")
    for line in report.table():
        click.echo(line)
    if report.failed:
        raise PreflightFailed(
            f"{len(report.failed)} preflight check(s) failed",
            details=[f"{c.subject}: {c.detail}" for c in report.failed],
        )


@main.command()
def schema() -> None:
    """Print the JSON schema of the answers file."""
    from mlgen.answers import json_schema

    click.echo(json_schema(), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
