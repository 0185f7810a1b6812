"""Scale-out: the same job runner as Celery tasks over Redis (``eakte worker``).

The watcher claims files as usual and sends each job's folder to the queue;
workers on any machine that mounts the inbox (processing and failed areas
included) and reaches the database and object store run the job. Tasks are
acknowledged late and re-queued when a worker dies, and a job runs to the same
result however often it is started (job lock, ingest item, content hash).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery import Celery
from celery.result import AsyncResult

from eakte.config import Settings
from eakte.exceptions import ConfigError
from eakte.ingest._inbox import Inbox, Job, read_job
from eakte.ingest._pipeline import Pipeline
from eakte.ingest._record import Outcome
from eakte.ingest._runner import JobResult, run_job
from eakte.records import Records

TASK = "eakte.ingest.run_job"
_state: dict[str, Any] = {}


def make_celery(settings: Settings) -> Celery:
    if not settings.broker_url:
        raise ConfigError("Scale-out needs a broker: set EAKTE_BROKER_URL=redis://host:6379/0.")
    app = Celery("eakte", broker=settings.broker_url, backend=settings.broker_url)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        result_expires=24 * 3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )

    @app.task(name=TASK)  # type: ignore[untyped-decorator]
    def run_job_task(folder: str) -> dict[str, Any] | None:
        if "pipeline" not in _state:  # once per worker process
            _state["pipeline"] = Pipeline(Records(settings))
            _state["inbox"] = Inbox(settings)
        job = read_job(Path(folder))
        if job is None:
            return None
        result = run_job(_state["pipeline"], _state["inbox"], job)
        if result is None:
            return None
        return {"outcome": result.outcome.as_dict(), "retry": result.retry}

    return app


class CeleryFuture:
    """The parts of ``concurrent.futures.Future`` the inbox service uses."""

    def __init__(self, result: AsyncResult) -> None:
        self._result = result

    def done(self) -> bool:
        return bool(self._result.ready())

    def result(self, timeout: float | None = None) -> JobResult | None:
        data = self._result.get(timeout=timeout)
        if data is None:
            return None
        raw = data["outcome"]
        outcome = Outcome(
            path=raw["path"],
            status=raw["status"],
            document_id=raw.get("document_id"),
            reason=raw.get("reason"),
            code=raw.get("code"),
            routing=raw.get("routing"),
        )
        return JobResult(outcome, retry=bool(data.get("retry")))


class CeleryExecutor:
    """Sends jobs to the Celery workers instead of local processes."""

    def __init__(self, settings: Settings) -> None:
        self.app = make_celery(settings)

    def submit(self, job: Job) -> CeleryFuture:
        return CeleryFuture(self.app.send_task(TASK, args=[str(job.folder)]))

    def shutdown(self, wait: bool = True) -> None:
        del wait  # the workers keep running; queued jobs stay queued
