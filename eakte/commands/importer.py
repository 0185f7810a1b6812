"""``eakte import PACKAGE.zip``: take an xdomea 0503 message into the file plan."""

from __future__ import annotations

import sys
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from eakte.cli import AppContext, pass_app, print_json, read_key_option
from eakte.export._import import ImportReport, import_package
from eakte.export._import_source import Progress


@click.command("import")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--orgunit",
    default=None,
    metavar="CODE",
    help="Org unit for objects whose org unit is not known here (default: create it).",
)
@click.option(
    "--trusted-key",
    "trusted_keys",
    multiple=True,
    metavar="PEM_FILE_OR_KEY_ID",
    help="An eakte package's trust anchor, confirmed with its sender: a key id "
    "(fingerprint, 32 hex digits) or a public key PEM file. Needed unless "
    "the anchor is a key of this installation; trusting a new key needs the admin role.",
)
@click.option("--as", "username", default=None, metavar="USER", help="Act as this user.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@click.option("--dry-run", is_flag=True, help="Check everything, import nothing.")
@pass_app
def import_command(
    app: AppContext,
    package: Path,
    orgunit: str | None,
    trusted_keys: tuple[str, ...],
    username: str | None,
    as_json: bool,
    dry_run: bool,
) -> None:
    """Import an eakte package or an xdomea 3.0 container (Aussonderung 0503).

    An eakte package is verified first and keeps its signed versions, keys and
    history. Its trust anchor (the key of its last signed checkpoint) must be
    confirmed with --trusted-key, unless it is a key of this installation:
    compare the fingerprint with the sender's over another channel. Its keys
    then become retired keys here (needs the admin role). A foreign message's
    files are signed anew by this installation. Everything is checked in a dry
    run first: the same package twice imports nothing new; a clash imports
    nothing at all and leaves nothing behind.
    """
    principal = app.principal(username)
    keys = [read_key_option(value) for value in trusted_keys]
    passes = 1 if dry_run else 2  # the checking dry run, then storing
    with _progress(package, passes, enabled=not as_json and sys.stderr.isatty()) as progress:
        report = import_package(
            app.records,
            principal,
            package,
            trusted_keys=keys,
            orgunit=orgunit,
            dry_run=dry_run,
            progress=progress,
        )
    if as_json:
        print_json(report.as_dict())
    else:
        _print(report)




@contextmanager
def _progress(package: Path, passes: int, *, enabled: bool) -> Iterator[Progress | None]:
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
            total = passes * sum(info.file_size for info in archive.infolist())
        task = bar.add_task("Importing", total=total)

        def advance(count: int) -> None:
            bar.advance(task, count)

        yield advance


def _print(report: ImportReport) -> None:
    what = "eakte package" if report.kind == "eakte-package" else "xdomea message"
    prefix = "Dry run, nothing imported: " if report.dry_run else ""
    click.echo(f"{prefix}{what} {report.prozess_id}")
    if report.anchor_key:
        click.echo(f"Trust anchor {report.anchor_key} (confirmed: {report.anchor_confirmed})")
    for outcome in report.outcomes:
        note = f" ({outcome.note})" if outcome.note else ""
        click.echo(f"  {outcome.status:<8} {outcome.kind:<9} {outcome.label}{note}")
    tally = Counter(o.status for o in report.outcomes)
    click.echo(
        f"{tally.get('created', 0)} created, {tally.get('present', 0)} already present, "
        f"{report.counts.get('history_events', 0)} history entries."
    )
    for note in report.notes:
        click.echo(f"Note: {note}")


COMMANDS = [import_command]
