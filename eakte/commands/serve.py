"""``eakte serve``: the web UI on the embedded defaults."""

from __future__ import annotations

import threading

import click

from eakte.cli import AppContext, pass_app
from eakte.db import check_migrated


@click.command("serve")
@click.option("--host", default=None, help="Listen address (default: EAKTE_HOST).")
@click.option("--port", default=None, type=int, help="Port (default: EAKTE_PORT).")
@click.option(
    "--no-watch", is_flag=True, help="Do not watch the scanner inbox (a separate `eakte watch`)."
)
@pass_app
def serve(app: AppContext, host: str | None, port: int | None, no_watch: bool) -> None:
    """Run the web UI and, in the embedded set-up, the inbox watcher and workers."""
    from waitress import serve as waitress_serve

    from eakte.web import create_app

    settings = app.settings.model_copy(
        update={"host": host or app.settings.host, "port": port or app.settings.port}
    )
    check_migrated(app.records.engine, settings)
    host, port = settings.host, settings.port
    web_app = create_app(settings, app.records)
    click.echo(f"eakte is running at http://{host}:{port}/  (stop with Ctrl+C)")
    click.echo(
        "Log in as 'admin' with the password printed at the first start "
        "(reset it with `eakte users passwd admin`)."
    )
    service = follower = None
    if not no_watch:
        from eakte.ingest import InboxService
        from eakte.search import IndexFollower

        service = InboxService(settings)
        threading.Thread(target=service.run, name="inbox", daemon=True).start()
        follower = IndexFollower(app.records).start()  # the one writer of the search index
        click.echo(f"Watching the scanner inbox {settings.inbox_dir.resolve()}")
    try:
        waitress_serve(web_app, host=host, port=port, threads=8, ident="eakte")
    finally:
        if service is not None:
            service.stop()
        if follower is not None:
            follower.stop()


COMMANDS = [serve]
