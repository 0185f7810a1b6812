"""How ``eakte workflows`` prints: German dates (TT.MM.JJJJ), local times, JSON shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from eakte import workflow as wf
from eakte.cli import print_json
from eakte.models import WorkflowDefinition

LOCAL = ZoneInfo("Europe/Berlin")  # the administration's time zone, as for deadlines
CIRCULATION_STATUS = {
    "running": "The Umlauf is still running.",
    "completed": "All have co-signed; the workflow continues.",
    "refused": "The Umlauf has ended with a refusal; the workflow returns.",
}
Problem = tuple[str, int, str]


def german(day: date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else "-"


def local_time(moment: datetime) -> str:
    return f"{moment.astimezone(LOCAL):%d.%m.%Y %H:%M}"


def person(actor: str) -> str:
    return actor.removeprefix("user:")


def problem_line(problem: Problem) -> str:
    source, line, text = problem
    return f"{source}, line {line}: {text}" if line else f"{source}: {text}"


def problem_dict(problem: Problem) -> dict[str, Any]:
    return {"file": problem[0], "line": problem[1], "problem": problem[2]}


def check_summary(result: wf.FolderResult) -> str:
    valid = f"{len(result.files)} valid definition{'s' if len(result.files) != 1 else ''}"
    if not result.problems:
        return f"{result.folder}: {valid} ({', '.join(sorted(result.files))}); no problems."
    files = len({source for source, _, _ in result.problems})
    return (
        f"{result.folder}: {len(result.problems)} problem(s) in {files} file(s), {valid}. "
        "Correct the files (docs/workflows.md explains the format)."
    )


def load_summary(report: wf.SyncReport) -> str:
    text = f"{report.folder}: {len(report.added)} new version(s), {len(report.unchanged)} unchanged"
    if report.problems:
        text += (
            f", {len(report.problems)} problem(s): the invalid files were not loaded, "
            "their last valid version stays in use"
        )
    return text + "."


def definition_dict(row: WorkflowDefinition) -> dict[str, Any]:
    return {
        "name": row.name,
        "version": row.version,
        "title": row.title,
        "orgunit": row.orgunit,
        "file": row.source_name,
        "sha256": row.source_sha256,
        "loaded_at": row.loaded_at.isoformat(),
        "loaded_by": row.loaded_by,
    }


def print_definitions(rows: list[dict[str, Any]]) -> None:
    if not rows:
        click.echo("No workflow definitions are loaded; `eakte workflows load` loads them.")
        return
    newest: set[str] = set()
    for row in rows:  # newest version first within each name
        mark = "" if row["name"] in newest else "  (current)"
        newest.add(row["name"])
        unit = f"OE {row['orgunit']}" if row["orgunit"] else "all org units"
        click.echo(
            f"{row['name']:<20} v{row['version']:<3} {row['title']:<40} {unit:<14} "
            f"{local_time(datetime.fromisoformat(row['loaded_at']))} {row['loaded_by']}{mark}"
        )


def print_outcome(result: wf.Outcome, as_json: bool, first: str) -> None:
    if as_json:
        print_json(
            {
                "instance": result.instance_id,
                "state": result.state,
                "state_label": result.state_label,
                "status": result.status,
            }
        )
        return
    click.echo(first)
    if result.status == "running":
        click.echo(f"Now at the step: {result.state_label}")
    else:
        click.echo(f"The workflow has ended: {result.state_label} ({result.status}).")


def task_dict(view: wf.TaskView) -> dict[str, Any]:
    return {
        "id": view.id,
        "kind": view.kind,
        "title": view.title,
        "due_date": view.due_date.isoformat() if view.due_date else None,
        "overdue": view.overdue,
        "assignee": view.assignee,
        "instance": view.instance_id,
        "case_id": view.case_id,
        "transitions": [{"name": n, "label": label} for n, label in view.transitions],
    }


def print_tasks(views: list[wf.TaskView], username: str, day: date) -> None:
    if not views:
        click.echo(f"No open tasks for {username}.")
        return
    click.echo(f"{len(views)} open task(s) for {username} on {german(day)}:")
    for view in views:
        due = f"due {german(view.due_date)}" if view.due_date else "no deadline"
        if view.overdue:
            due += click.style("  OVERDUE", fg="red", bold=True)
        pool = "" if view.assignee else "  (for your role)"
        click.echo("")
        click.echo(f"{view.id or '(not yet a task)'}  {view.title}  {due}{pool}")
        click.echo(f"    {_what_to_do(view)}")


def _what_to_do(view: wf.TaskView) -> str:
    if view.kind == "step":
        moves = ", ".join(f"{name} ({label})" for name, label in view.transitions)
        return f"take: {moves}" if moves else "waits for the engine (Umlauf running)"
    if view.kind == "cosign":
        return "cosign, or refuse --comment"
    if view.id is None:
        return "becomes a task at the next timer run (eakte workflows tick)"
    return "done"


def instance_dict(view: wf.InstanceView) -> dict[str, Any]:
    return {
        "id": view.id,
        "workflow": view.workflow,
        "title": view.title,
        "version": view.version,
        "state": view.state,
        "state_label": view.state_label,
        "status": view.status,
        "subject": view.subject,
        "open_tasks": list(view.open_tasks),
        "history": [
            {
                "seq": h.seq,
                "at": h.at.isoformat(),
                "actor": h.actor,
                "action": h.action,
                "label": h.label,
                "transition": h.transition,
                "from": h.from_state,
                "to": h.to_state,
                "comment": h.comment,
                "fields": h.fields,
                "definition_version": h.definition_version,
            }
            for h in view.history
        ],
    }


def print_instance(view: wf.InstanceView) -> None:
    click.echo(f"{view.title} ({view.workflow}, version {view.version}) on {view.subject}")
    click.echo(f"Status: {view.status}; step: {view.state_label}")
    if view.open_tasks:
        click.echo(f"Open tasks: {', '.join(view.open_tasks)}")
    click.echo("")
    click.echo("History:")
    for h in view.history:
        click.echo(
            f"  {local_time(h.at)}  {person(h.actor):<12} {h.label}  (v{h.definition_version})"
        )
        if h.fields:
            click.echo("      " + ", ".join(f"{k} = {v}" for k, v in h.fields.items()))
        if h.comment:
            click.echo(f"      „{h.comment}“")


def circulation_text(spec: wf.CirculationSpec) -> str:
    mode = "one after another" if spec.mode == "sequential" else "all at once"
    due = f", due {german(spec.due)}" if spec.due else ""
    return f"{', '.join(str(p) for p in spec.participants)} ({mode}{due})"


def print_tick(report: wf.TickReport) -> None:
    click.echo(
        f"Timer job for {german(report.day)}: {len(report.escalated)} overdue task(s) escalated, "
        f"{len(report.resubmissions)} Wiedervorlage(n) due."
    )
    for task_id in report.escalated:
        click.echo(f"  escalated      task {task_id}")
    for number in report.resubmissions:
        click.echo(f"  Wiedervorlage  {number} is now a task")
