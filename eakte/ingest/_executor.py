"""Where jobs run: a pool of worker processes (embedded default).

In-process Tika gains nothing from threads, so extraction needs processes to
use every core; each worker builds its own records context once.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from eakte.config import Settings
from eakte.ingest._inbox import Inbox, Job, read_job
from eakte.ingest._pipeline import Pipeline
from eakte.ingest._runner import JobResult, run_job
from eakte.records import Records

_worker: tuple[Pipeline, Inbox] | None = None


def _init_worker(settings: Settings) -> None:
    global _worker
    _worker = (Pipeline(Records(settings)), Inbox(settings))


def _run(folder: str) -> JobResult | None:
    assert _worker is not None, "worker not initialised"
    pipeline, inbox = _worker
    job = read_job(Path(folder))
    return None if job is None else run_job(pipeline, inbox, job)


def worker_count(settings: Settings) -> int:
    return settings.ingest_workers or os.cpu_count() or 1


class LocalExecutor:
    """Runs jobs in worker processes of this machine."""

    def __init__(self, settings: Settings, workers: int | None = None) -> None:
        self._pool = ProcessPoolExecutor(
            max_workers=workers or worker_count(settings),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(settings,),
        )

    def submit(self, job: Job) -> Future[JobResult | None]:
        return self._pool.submit(_run, str(job.folder))

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
