"""Workflows (Geschäftsgang) from the command line: definitions, tasks, Umlauf,
Wiedervorlage and the timer job. The YAML format is in docs/workflows.md."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from eakte import workflow as wf
from eakte.cli import AppContext, pass_app, print_json
from eakte.commands import _workflow_output as out
from eakte.commands._workflow_input import (
    as_admin,
    as_user,
    circulation_options,
    configured_folder,
    field_values,
    german_date,
    json_option,
    problems_printed_here,
    umlauf_spec,
)
from eakte.exceptions import ConfigError


@click.group("workflows")
def workflows() -> None:
    """Workflows (Geschäftsgang): definitions, tasks, Umlauf, Wiedervorlage, timer job.

    The definition format is in docs/workflows.md, operation in docs/operator-guide.md.
    """


# -- definitions ----------------------------------------------------------------------------


@workflows.command("check")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@json_option
@pass_app
def workflows_check(app: AppContext, folder: Path | None, as_json: bool) -> None:
    """Check the definition files in FOLDER (default: the configured folder).

    Needs no database. Exit code 11 when a file is invalid.
    """
    result = wf.read_folder(folder or configured_folder(app.settings))
    if as_json:
        print_json(
            {
                "folder": str(result.folder),
                "ok": not result.problems,
                "valid": sorted(result.files),
                "problems": [out.problem_dict(p) for p in result.problems],
            }
        )
    else:
        for problem in result.problems:
            click.echo(out.problem_line(problem))
        click.echo(out.check_summary(result))
    if result.problems:
        raise SystemExit(ConfigError.exit_code)


@workflows.command("load")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@as_admin
@json_option
@pass_app
def workflows_load(
    app: AppContext, folder: Path | None, username: str | None, as_json: bool
) -> None:
    """Store each valid, changed definition file of FOLDER as a new version.

    Running workflows keep the version they started with. An invalid file is
    not loaded (its last valid version stays in use); the others are, and the
    exit code is 11.
    """
    principal = app.principal(username)
    with problems_printed_here():
        report = wf.sync_definitions(app.records, principal, folder)
    if as_json:
        print_json(
            {
                "folder": str(report.folder),
                "added": [{"name": n, "version": v} for n, v in report.added],
                "unchanged": report.unchanged,
                "problems": [out.problem_dict(p) for p in report.problems],
            }
        )
    else:
        for name, version in report.added:
            click.echo(f"loaded     {name} (version {version})")
        for name in report.unchanged:
            click.echo(f"unchanged  {name}")
        for problem in report.problems:
            click.echo(f"invalid    {out.problem_line(problem)}")
        click.echo(out.load_summary(report))
    if report.problems:
        raise SystemExit(ConfigError.exit_code)


@workflows.command("list")
@json_option
@pass_app
def workflows_list(app: AppContext, as_json: bool) -> None:
    """The stored definitions and their versions (newest first)."""
    with app.records.reading() as session:
        rows = [out.definition_dict(row) for row in wf.list_definitions(session)]
    if as_json:
        print_json(rows)
    else:
        out.print_definitions(rows)


# -- running workflows ----------------------------------------------------------------------


@workflows.command("start")
@click.argument("name")
@click.option("--case", "case", metavar="REF", help="Run on this Vorgang (its Aktenzeichen).")
@click.option("--document", "document_id", metavar="ID", help="Run on this inbox document.")
@click.option("--comment", default=None, help="Why it is started (shown in the history).")
@as_user
@json_option
@pass_app
def workflows_start(
    app: AppContext,
    name: str,
    case: str | None,
    document_id: str | None,
    comment: str | None,
    username: str,
    as_json: bool,
) -> None:
    """Start the newest version of workflow NAME on a Vorgang or a document."""
    if (case is None) == (document_id is None):
        raise click.UsageError("Name either --case REF or --document ID.")
    principal = app.principal(username)
    result = wf.start_workflow(
        app.records, principal, name, case=case, document_id=document_id, reason=comment
    )
    out.print_outcome(result, as_json, f"Workflow {name} started ({result.instance_id}).")


@workflows.command("tasks")
@as_user
@json_option
@pass_app
def workflows_tasks(app: AppContext, username: str, as_json: bool) -> None:
    """My open tasks (and my pools'), earliest due first, with what can be done."""
    views = wf.tasks_for(app.records, app.principal(username))
    if as_json:
        print_json([out.task_dict(view) for view in views])
    else:
        out.print_tasks(views, username, wf.today())


@workflows.command("take")
@click.argument("task_id")
@click.argument("transition")
@click.option("--comment", default=None, help="Comment for the history (some steps need one).")
@click.option(
    "--field", "fields", multiple=True, metavar="NAME=VALUE", help="A field the step asks for."
)
@circulation_options
@as_user
@json_option
@pass_app
def workflows_take(
    app: AppContext,
    task_id: str,
    transition: str,
    comment: str | None,
    fields: tuple[str, ...],
    cosigners: tuple[str, ...],
    mode: str,
    due: date | None,
    username: str,
    as_json: bool,
) -> None:
    """Take TRANSITION on task TASK_ID (`tasks` lists the possible ones).

    When the next step is an Umlauf, name its co-signers with --cosigner.
    Exit code 16 when a rule forbids it (Vier-Augen, missing comment or
    field), 17 when someone else has acted on the task first.
    """
    result = wf.take(
        app.records,
        app.principal(username),
        task_id,
        transition,
        comment=comment,
        fields=field_values(fields),
        circulation=umlauf_spec(cosigners, mode, due),
    )
    out.print_outcome(result, as_json, "Done.")


@workflows.command("show")
@click.argument("instance_id")
@as_admin
@json_option
@pass_app
def workflows_show(app: AppContext, instance_id: str, username: str | None, as_json: bool) -> None:
    """A workflow's state and its history: who did what, when, with which comment."""
    view = wf.get_instance(app.records, app.principal(username), instance_id)
    if as_json:
        print_json(out.instance_dict(view))
    else:
        out.print_instance(view)


# -- Umlauf, Wiedervorlage ------------------------------------------------------------------


@workflows.command("umlauf")
@click.argument("task_id")
@circulation_options
@as_user
@pass_app
def workflows_umlauf(
    app: AppContext,
    task_id: str,
    cosigners: tuple[str, ...],
    mode: str,
    due: date | None,
    username: str,
) -> None:
    """Send task TASK_ID round for Mitzeichnung (Umlauf); it comes back when all co-signed."""
    spec = umlauf_spec(cosigners, mode, due)
    if spec is None:
        raise click.UsageError("Name at least one --cosigner (a user name or oe:CODE).")
    wf.start_circulation(app.records, app.principal(username), task_id, spec)
    click.echo(f"Umlauf started: {out.circulation_text(spec)}.")


@workflows.command("cosign")
@click.argument("task_id")
@click.option("--comment", default=None, help="Comment for the history.")
@as_user
@pass_app
def workflows_cosign(app: AppContext, task_id: str, comment: str | None, username: str) -> None:
    """Co-sign (mitzeichnen) the Mitzeichnung task TASK_ID."""
    status = wf.cosign(app.records, app.principal(username), task_id, comment)
    click.echo(f"Mitgezeichnet. {out.CIRCULATION_STATUS[status]}")


@workflows.command("refuse")
@click.argument("task_id")
@click.option("--comment", required=True, help="Why you do not co-sign.")
@as_user
@pass_app
def workflows_refuse(app: AppContext, task_id: str, comment: str, username: str) -> None:
    """Refuse to co-sign the Mitzeichnung task TASK_ID; the workflow returns."""
    status = wf.refuse(app.records, app.principal(username), task_id, comment)
    click.echo(f"Mitzeichnung verweigert. {out.CIRCULATION_STATUS[status]}")


@workflows.command("done")
@click.argument("task_id")
@as_user
@pass_app
def workflows_done(app: AppContext, task_id: str, username: str) -> None:
    """Mark a Wiedervorlage or a notice as done (erledigt)."""
    wf.complete_task(app.records, app.principal(username), task_id)
    click.echo("Erledigt.")


@workflows.command("wiedervorlage")
@click.argument("case")
@click.argument("day", metavar="DATE", callback=german_date)
@click.option("--note", default="", help="What to look at then.")
@as_user
@pass_app
def workflows_wiedervorlage(
    app: AppContext, case: str, day: date, note: str, username: str
) -> None:
    """Put Vorgang CASE on my Wiedervorlage for DATE (TT.MM.JJJJ); it comes back as a task."""
    number = wf.set_resubmission(app.records, app.principal(username), case, day, note)
    click.echo(f"Wiedervorlage {number}: {case} comes back to {username} on {day:%d.%m.%Y}.")


# -- timer ----------------------------------------------------------------------------------


@workflows.command("tick")
@click.option(
    "--day", default=None, callback=german_date, metavar="TT.MM.JJJJ", help="Default: today."
)
@json_option
@pass_app
def workflows_tick(app: AppContext, day: date | None, as_json: bool) -> None:
    """Run the timer job: escalate overdue tasks, turn due Wiedervorlagen into tasks.

    Safe to repeat: what was handled once is not handled again.
    """
    report = wf.tick(app.records, day)
    if as_json:
        print_json(
            {
                "day": report.day.isoformat(),
                "escalated": report.escalated,
                "resubmissions": report.resubmissions,
            }
        )
    else:
        out.print_tick(report)


COMMANDS = [workflows]
