"""``eakte worker``: a Celery worker for the ingest pipeline (scale-out)."""

from __future__ import annotations

import click

from eakte.cli import AppContext, pass_app
from eakte.ingest import worker_count


@click.command("worker")
@click.option("--concurrency", type=int, default=None, help="Worker processes (default: cores).")
@pass_app
def worker(app: AppContext, concurrency: int | None) -> None:
    """Run pipeline jobs from the Redis queue (needs EAKTE_BROKER_URL)."""
    from eakte.ingest._celery import make_celery

    app.records  # noqa: B018  (fail early on a bad configuration or database)
    celery = make_celery(app.settings)
    processes = concurrency or worker_count(app.settings)
    celery.worker_main(
        [
            "worker",
            "--loglevel=INFO",
            f"--concurrency={processes}",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )


COMMANDS = [worker]
