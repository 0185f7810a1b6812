"""``eakte audit``: query the audit log (Protokoll) as a table, CSV or JSON.

Who sees which events is decided by :func:`eakte.records.query_audit`, as on
the web's Protokoll pages: auditors and administrators everything, everybody
else the events of the objects they may read.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click

from eakte.cli import AppContext, pass_app
from eakte.exceptions import RecordsError
from eakte.records import (
    AuditEntry,
    AuditPage,
    Principal,
    query_audit,
)
from eakte.records._audit_query import MAX_LIMIT, check_actor, object_by_reference

BERLIN = ZoneInfo("Europe/Berlin")  # the day a date means, as on the web
TABLE_LIMIT = 50
COLUMNS = ("seq", "occurred_at", "actor", "action", "object_type", "object_id", "details")


@dataclass(frozen=True)
class AuditQuery:
    """The filters of one ``eakte audit`` call, ready for :func:`query_audit`."""

    principal: Principal
    filters: dict[str, Any]
    limit: int | None  # None: every matching event


def moment(text: str | None, *, end: bool = False) -> datetime | None:
    """A date (JJJJ-MM-TT or TT.MM.JJJJ: the start of that day in Berlin; ``end``: the
    start of the next day) or an ISO date-time (Berlin time unless it names a zone)."""
    if text is None:
        return None
    value = text.strip()
    day = _day(value)
    if day is not None:
        return datetime.combine(day + timedelta(days=1 if end else 0), time(), tzinfo=BERLIN)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RecordsError(
            f"{text!r} is no date or time: write 2026-01-31, 31.01.2026 "
            "or 2026-01-31T14:30:00+01:00."
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=BERLIN)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.strptime(value, "%d.%m.%Y").date()
    except ValueError:
        return None


def build_query(
    app: AppContext,
    *,
    username: str | None,
    actor: str | None,
    object_ref: str | None,
    object_type: str | None,
    action: str | None,
    since: str | None,
    until: str | None,
    limit: int | None,
) -> AuditQuery:
    principal = app.principal(username)
    start, stop = moment(since), moment(until, end=True)
    if start is not None and stop is not None and start >= stop:
        raise RecordsError(f"--since {since} is not before --until {until}.")
    if actor:
        check_actor(app.records, actor)
    object_id = object_ref.strip() if object_ref else None
    if object_id:
        found = object_by_reference(app.records, principal, object_id)
        if found is not None:
            if object_type and object_type != found[0]:
                raise RecordsError(f"{object_id} is a {found[0]}, not a {object_type}.")
            object_type, object_id = found
    filters = {
        "actor": actor or None,
        "action": action or None,
        "object_type": object_type or None,
        "object_id": object_id or None,
        "since": start,
        "until": stop,
    }
    return AuditQuery(principal, filters, limit)


def entries(app: AppContext, query: AuditQuery) -> Iterator[AuditEntry]:
    """Matching events, newest first, fetched page by page (never the whole log).

    The first page is read at once, so that errors come before any output."""

    def page(before: int | None, remaining: int | None) -> AuditPage:
        size = MAX_LIMIT if remaining is None else min(MAX_LIMIT, remaining)
        return query_audit(app.records, query.principal, limit=size, before=before, **query.filters)

    def pages(current: AuditPage, remaining: int | None) -> Iterator[AuditEntry]:
        while True:
            yield from current.entries
            if remaining is not None:
                remaining -= len(current.entries)
            if not current.has_more or not current.entries or remaining == 0:
                return
            current = page(current.entries[-1].seq, remaining)

    return pages(page(None, query.limit), query.limit)


def details_text(entry: AuditEntry) -> str:
    return json.dumps(entry.details, ensure_ascii=False, sort_keys=True)


def write_json(rows: Iterator[AuditEntry]) -> None:
    """A JSON list, one event per line, written as the events arrive."""
    out = sys.stdout
    out.write("[")
    for count, entry in enumerate(rows):
        out.write(",\n" if count else "\n")
        out.write(json.dumps(entry.as_dict(), ensure_ascii=False))
    out.write("\n]\n")


def write_csv(rows: Iterator[AuditEntry]) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(COLUMNS)
    for entry in rows:
        record = entry.as_dict()
        writer.writerow([*(record[c] for c in COLUMNS[:-1]), details_text(entry)])


def table_rows(rows: list[AuditEntry]) -> list[list[str]]:
    return [
        [
            str(e.seq),
            e.occurred_at.astimezone(BERLIN).isoformat(sep=" ", timespec="seconds"),
            e.actor,
            e.action,
            f"{e.object_type} {e.object_id}",
            details_text(e),
        ]
        for e in rows
    ]


def write_table(rows: list[AuditEntry], more: bool) -> None:
    """Rich on a terminal, plain aligned columns otherwise."""
    if not rows:
        click.echo("No audit events match.")
        return
    header = ["Seq", "Time (Berlin)", "Actor", "Action", "Object", "Details"]
    cells = table_rows(rows)
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*header)
        for row in cells:
            table.add_row(*row)
        Console().print(table)
    else:
        widths = [max(len(r[i]) for r in [header, *cells]) for i in range(len(header) - 1)]
        for row in [header, *cells]:
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            click.echo(f"{line}  {row[-1]}".rstrip())
    if more:
        click.echo(f"The newest {len(rows)} events; more match (--limit N, --csv or --json).")


@click.command("audit")
@click.option("--actor", help="Who acted: a user name, or system / ingest.")
@click.option(
    "--object",
    "object_ref",
    metavar="ID_OR_REFERENCE",
    help="One object: its id, or the Aktenzeichen of a case file or case.",
)
@click.option("--object-type", help="Kind of object: document, casefile, case, workflow, …")
@click.option("--action", help="Action, also its sub-actions: 'workflow' finds workflow.started.")
@click.option("--since", metavar="DATE|DATETIME", help="From this day or moment on.")
@click.option("--until", metavar="DATE|DATETIME", help="Up to this day (inclusive) or moment.")
@click.option(
    "--limit",
    type=int,
    help=f"At most N events, newest first (default: {TABLE_LIMIT} in the table, "
    "all with --csv or --json).",
)
@click.option("--as", "username", metavar="USER", help="Query as this user (default: system).")
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "csv", "json"]),
    help="Output format (default: table).",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--csv", "as_csv", is_flag=True, help="Same as --format csv.")
@pass_app
def audit(
    app: AppContext,
    actor: str | None,
    object_ref: str | None,
    object_type: str | None,
    action: str | None,
    since: str | None,
    until: str | None,
    limit: int | None,
    username: str | None,
    output: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Query the audit log (Protokoll), newest event first.

    \b
    eakte audit --object 1.2-0001/2026 --since 2026-01-01
    eakte audit --actor anna --action document --csv > anna.csv
    eakte audit --as pruefer --json

    Dates are days in Berlin time; --until includes its day. CSV and JSON
    carry each event's details as JSON.
    """
    chosen = {name for name, on in (("json", as_json), ("csv", as_csv)) if on}
    if output:
        chosen.add(output)
    if len(chosen) > 1:
        raise RecordsError("Choose one output format: table, csv or json.")
    fmt = chosen.pop() if chosen else "table"
    if limit is not None and limit < 1:
        raise RecordsError("--limit must be 1 or more.")
    query = build_query(
        app,
        username=username,
        actor=actor,
        object_ref=object_ref,
        object_type=object_type,
        action=action,
        since=since,
        until=until,
        limit=(limit or TABLE_LIMIT) + 1 if fmt == "table" else limit,
    )
    if fmt == "json":
        write_json(entries(app, query))
    elif fmt == "csv":
        write_csv(entries(app, query))
    else:
        rows = list(entries(app, query))
        shown = limit or TABLE_LIMIT
        write_table(rows[:shown], more=len(rows) > shown)


COMMANDS = [audit]
