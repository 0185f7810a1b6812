"""``eakte import PACKAGE.zip``: take an xdomea 0503 message into the file plan."""

from __future__ import annotations

import sys
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from eakte.cli import AppContext, pass_app, print_json
from eakte.export._import import ImportReport, import_package
from eakte.export._import_source import Progress
from eakte.records import SYSTEM, Principal, load_principal


@click.command("import")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--orgunit",
    default=None,
    metavar="CODE",
    help="Org unit for objects whose org unit is not known here (default: create it).",
)
@click.option("--as", "username", default=None, metavar="USER", help="Act as this user.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@click.option("--dry-run", is_flag=True, help="Check everything, import nothing.")
@pass_app
def import_command(
    app: AppContext,
    package: Path,
    orgunit: str | None,
    username: str | None,
    as_json: bool,
    dry_run: bool,
) -> None:
    """Import an eakte package or an xdomea 3.0 container (Aussonderung 0503).

    An eakte package is verified first and keeps its signed versions, keys and
    history; a foreign message's files are signed anew by this installation.
    The same package twice imports nothing new; a clash imports nothing at all.
    """
    principal = _principal(app, username)
    with _progress(package, enabled=not as_json and sys.stderr.isatty()) as progress:
        report = import_package(
            app.records, principal, package, orgunit=orgunit, dry_run=dry_run, progress=progress
        )
    if as_json:
        print_json(report.as_dict())
    else:
        _print(report)


def _principal(app: AppContext, username: str | None) -> Principal:
    if username is None:
        return SYSTEM
    with app.records.reading() as session:
        return load_principal(session, username)


@contextmanager
def _progress(package: Path, *, enabled: bool) -> Iterator[Progress | None]:
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress(
        "{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        with zipfile.ZipFile(package) as archive:
            total = sum(info.file_size for info in archive.infolist())
        task = bar.add_task("Importing", total=total)

        def advance(count: int) -> None:
            bar.advance(task, count)

        yield advance


def _print(report: ImportReport) -> None:
    what = "eakte package" if report.kind == "eakte-package" else "xdomea message"
    prefix = "Dry run, nothing imported: " if report.dry_run else ""
    click.echo(f"{prefix}{what} {report.prozess_id}")
    for outcome in report.outcomes:
        note = f" ({outcome.note})" if outcome.note else ""
        click.echo(f"  {outcome.status:<8} {outcome.kind:<9} {outcome.label}{note}")
    tally = Counter(o.status for o in report.outcomes)
    click.echo(
        f"{tally.get('created', 0)} created, {tally.get('present', 0)} already present, "
        f"{report.counts.get('history_events', 0)} history entries."
    )


COMMANDS = [import_command]
