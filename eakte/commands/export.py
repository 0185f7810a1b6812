"""``eakte export``: an auditor package (BagIt ZIP with an xdomea 3.0.0 message)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import click

from eakte.cli import AppContext, pass_app, print_json
from eakte.exceptions import RecordsError
from eakte.export import ExportResult, Selection, export_package
from eakte.export._package import ProgressCallback

_DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command("export")
@click.option("--akte", multiple=True, metavar="REF", help="An Akte with all its content.")
@click.option("--vorgang", multiple=True, metavar="REF", help="A Vorgang with its documents.")
@click.option(
    "--orgunit", multiple=True, metavar="CODE", help="The Akten and Posteingang of an org unit."
)
@click.option(
    "--from",
    "date_from",
    type=_DAY,
    metavar="YYYY-MM-DD",
    help="Only documents created on or after this day (UTC).",
)
@click.option(
    "--to",
    "date_to",
    type=_DAY,
    metavar="YYYY-MM-DD",
    help="Only documents created on or before this day (UTC).",
)
@click.option("--all", "everything", is_flag=True, help="All Akten and Posteingänge.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The package to write (a .zip).",
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.option("--as", "username", default=None, metavar="USER", help="Export as this user.")
@click.option("--recipient", default=None, help='The receiving institution (default "Prüfung").')
@click.option("--json", "as_json", is_flag=True, help="Machine-readable result.")
@pass_app
def export(
    app: AppContext,
    akte: tuple[str, ...],
    vorgang: tuple[str, ...],
    orgunit: tuple[str, ...],
    date_from: datetime | None,
    date_to: datetime | None,
    everything: bool,
    output: Path,
    force: bool,
    username: str | None,
    recipient: str | None,
    as_json: bool,
) -> None:
    """Write an auditor package: a BagIt ZIP with the xdomea 3.0.0 message, every version's
    files, signed manifests, public keys, the audit trail and a German report.

    \b
    eakte export --akte 1.2-0001/2026 -o pruefung.zip
    eakte export --orgunit 32 --from 2026-01-01 --to 2026-06-30 -o ordnungsamt.zip
    eakte export --all --as pruefer -o alles.zip

    --akte, --vorgang and --orgunit may be repeated; --from/--to narrow any
    selection (alone: everything in that range). Exporting needs read access to
    every object taken. Check a package with `eakte verify PACKAGE.zip` (offline).
    """
    if output.exists() and not force:
        raise RecordsError(f"{output} exists already. Choose another name or pass --force.")
    if not output.parent.is_dir():
        raise RecordsError(f"The folder {output.parent} does not exist. Create it first.")
    selection = Selection.of(
        akte=akte,
        vorgang=vorgang,
        orgunit=orgunit,
        date_from=_day(date_from),
        date_to=_day(date_to),
        everything=everything,
    )
    principal = app.principal(username)
    with _progress(enabled=not as_json and sys.stdout.isatty()) as progress:
        result = export_package(
            app.records, principal, selection, output, progress, recipient=recipient
        )
    if as_json:
        print_json(result.as_dict())
    else:
        _print(result)


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A rich progress bar over the content bytes, on a terminal only."""
    if not enabled:
        yield None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("Export", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield advance


def _print(result: ExportResult) -> None:
    counts = result.counts
    click.echo(
        f"Exported {counts['case_files']} Akten, {counts['cases']} Vorgänge, "
        f"{counts['documents']} documents ({counts['versions']} versions, {counts['files']} "
        f"files, {counts['bytes'] / 1e6:.1f} MB) and {counts['audit_events']} audit events "
        f"to {result.path} in {result.seconds:.1f} s."
    )
    click.echo(f"ProzessID {result.prozess_id}; check it with: eakte verify {result.path}")


COMMANDS = [export]
