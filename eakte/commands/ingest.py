"""Ingest: ``eakte ingest``, ``eakte watch``, ``eakte show``, ``eakte inbox status``."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import click

from eakte import records
from eakte.cli import AppContext, pass_app, print_json
from eakte.exceptions import EakteError
from eakte.ingest import Inbox, InboxService, LocalExecutor, Outcome, Pipeline, run_job
from eakte.ingest._status import inbox_status
from eakte.models import IngestStatus
from eakte.records import SYSTEM
from eakte.workflow import load_at_start


def _files(paths: tuple[Path, ...]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        else:
            found.append(path)
    return found


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--orgunit", default=None, help="Receiving org unit (default: EAKTE_DEFAULT_ORGUNIT)."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def ingest(app: AppContext, paths: tuple[Path, ...], orgunit: str | None, as_json: bool) -> None:
    """Run the ingest pipeline once on files (copies them; never moves or deletes)."""
    settings = app.settings
    inbox = Inbox(settings)
    load_at_start(app.records)  # the workflows that routing rules start must be loaded
    results: list[dict[str, Any]] = []
    jobs = []
    for path in _files(paths):
        if not path.is_file():
            outcome = Outcome(
                str(path), IngestStatus.FAILED, reason="No such file.", code="missing"
            )
            results.append(outcome.as_dict())
            continue
        jobs.append((path, inbox.submit_copy(path, orgunit)))
    if len(jobs) > 1:
        executor = LocalExecutor(settings)
        futures = [(path, executor.submit(job)) for path, job in jobs]
        done = [(path, future.result()) for path, future in futures]
        executor.shutdown()
    else:
        pipeline = Pipeline(app.records)
        done = [(path, run_job(pipeline, inbox, job)) for path, job in jobs]
    for path, result in done:
        assert result is not None
        data = result.outcome.as_dict()
        data["path"] = str(path)
        results.append(data)
    _update_search_index(app)
    if as_json:
        print_json(results)
    else:
        for data in results:
            detail = data.get("reason") or data.get("routing") or ""
            click.echo(f"{data['status']:<10} {data.get('document_id') or '-':<36}  {data['path']}")
            if detail:
                click.echo(f"           {detail}")
    if any(r["status"] == IngestStatus.FAILED for r in results):
        raise SystemExit(1)


def _update_search_index(app: AppContext) -> None:
    """Make the new documents searchable now, unless a running service holds the index
    (it indexes them within a second then)."""
    from eakte.search import SearchIndexer

    indexer = SearchIndexer(app.records)
    try:
        indexer.sync()
    except EakteError as exc:
        click.echo(f"Note: the search index was not updated now ({exc}).", err=True)
    finally:
        indexer.close()


@click.command("watch")
@pass_app
def watch(app: AppContext) -> None:
    """Watch the scanner inbox and ingest what arrives (until Ctrl+C)."""
    app.records  # noqa: B018  (fail early on a bad configuration or database)
    from eakte.search import IndexFollower

    load_at_start(app.records)
    service = InboxService(app.settings)
    signal.signal(signal.SIGTERM, lambda *_: service.stop())
    follower = IndexFollower(app.records).start()  # keeps the search index in step
    click.echo(f"Watching {app.settings.inbox_dir.resolve()} (stop with Ctrl+C)")
    try:
        service.run()
    except KeyboardInterrupt:
        service.stop()
    finally:
        follower.stop()


@click.command("show")
@click.argument("document_id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def show(app: AppContext, document_id: str, as_json: bool) -> None:
    """Show a document: metadata, text, versions with live signature check."""
    report = records.document_report(app.records, SYSTEM, document_id)
    if as_json:
        print_json(report)
        return
    for key in (
        "title",
        "reference",
        "document_date",
        "sender",
        "document_type",
        "orgunit",
        "language",
        "page_count",
        "routing",
    ):
        click.echo(f"{key:<14} {report[key] if report[key] is not None else '-'}")
    for version in report["versions"]:
        mark = "valid" if version["signature_valid"] else "INVALID"
        click.echo(
            f"version {version['number']}: {version['filename']} {version['media_type']} "
            f"sha256 {version['sha256'][:16]}… signature {mark} (key {version['key_id']})"
        )
    click.echo("")
    click.echo(report["text"])


@click.group("inbox")
def inbox_group() -> None:
    """The scanner inbox."""


@inbox_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def inbox_status_command(app: AppContext, as_json: bool) -> None:
    """Queued, processing, failed (with reasons) and recent results."""
    status = inbox_status(app.records)
    if as_json:
        print_json(status)
        return
    click.echo(
        f"Queued: {len(status['queued'])}  Processing: {len(status['processing'])}  "
        f"Failed: {len(status['failed'])}"
    )
    for item in status["failed"]:
        click.echo(f"  failed  {item['path']}: {item['reason']}")
    for item in status["recent"]:
        click.echo(f"  {item['status']:<9} {item['created_at'][:19]}  {item['name']}")


COMMANDS = [ingest, watch, show, inbox_group]
