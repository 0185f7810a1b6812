"""``eakte serve``: the web UI on the embedded defaults."""

from __future__ import annotations

import logging
import threading

import click

from eakte import workflow as wf
from eakte.cli import AppContext, pass_app
from eakte.db import check_migrated
from eakte.exceptions import EakteError
from eakte.records import Records

log = logging.getLogger(__name__)


@click.command("serve")
@click.option("--host", default=None, help="Listen address (default: EAKTE_HOST).")
@click.option("--port", default=None, type=int, help="Port (default: EAKTE_PORT).")
@click.option(
    "--no-watch", is_flag=True, help="Do not watch the scanner inbox (a separate `eakte watch`)."
)
@pass_app
def serve(app: AppContext, host: str | None, port: int | None, no_watch: bool) -> None:
    """Run the web UI, the workflow timer and, in the embedded set-up, inbox watcher and workers."""
    from waitress import serve as waitress_serve

    from eakte.web import create_app

    settings = app.settings.model_copy(
        update={"host": host or app.settings.host, "port": port or app.settings.port}
    )
    check_migrated(app.records.engine, settings)
    host, port = settings.host, settings.port
    web_app = create_app(settings, app.records)
    wf.load_at_start(app.records)
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
    timer = WorkflowTimer(app.records, settings.workflow_tick_seconds).start()
    try:
        waitress_serve(web_app, host=host, port=port, threads=8, ident="eakte")
    finally:
        timer.stop()
        if service is not None:
            service.stop()
        if follower is not None:
            follower.stop()


class WorkflowTimer:
    """Runs the workflow timer job (``eakte workflows tick``) every ``interval`` seconds.

    The job is idempotent, so several processes may each run one. A failing
    run is logged and tried again at the next interval.
    """

    def __init__(self, records: Records, interval: float) -> None:
        self.records = records
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="workflow-timer", daemon=True)

    def start(self) -> WorkflowTimer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                report = wf.tick(self.records)
                if report.escalated or report.resubmissions:
                    log.info(
                        "Workflow timer: %d task(s) escalated, %d Wiedervorlage(n) due",
                        len(report.escalated),
                        len(report.resubmissions),
                    )
            except EakteError as e:
                log.warning("Workflow timer job failed (next try in %.0f s): %s", self.interval, e)
            except Exception:  # a bug: keep serving, say so loudly
                log.exception("Workflow timer job failed (next try in %.0f s)", self.interval)
            self._stop.wait(self.interval)


COMMANDS = [serve]
