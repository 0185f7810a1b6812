"""A file that keeps failing (it crashes or hangs the OCR/Tika worker) is tried at
most EAKTE_INGEST_MAX_ATTEMPTS times, then kept in the failed area with the reason.

The faults are injected by replacing the text stage; everything else is real.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from eakte import records as svc
from eakte.config import Settings
from eakte.exceptions import DatabaseError, ExtractionError
from eakte.ingest import Inbox, InboxService, Job, JobResult, Pipeline, run_job
from eakte.ingest import _pipeline as pipeline_module
from eakte.ingest._inbox import read_job
from eakte.models import IngestItem
from eakte.records import SYSTEM, Records
from tests.integration.ingest.conftest import FIXTURES

pytestmark = pytest.mark.integration
HUNG = "Tika did not finish within 300 s; the worker was stopped. The file is tried again later."
real_extract = pipeline_module.extract_content


def hanging_tika(*args: Any, **kwargs: Any) -> Any:
    raise ExtractionError(HUNG)


def limited(records: Records, attempts: int, **extra: object) -> Settings:
    return records.settings.model_copy(update={"ingest_max_attempts": attempts, **extra})


def drop(settings: Settings, name: str = "Gutachten.txt", extra: bytes = b"") -> Path:
    """A copy of note.txt, appearing at once (as a scan station that renames at the end)."""
    folder = settings.inbox_dir / "32"
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.part"
    partial.write_bytes((FIXTURES / "note.txt").read_bytes() + extra)
    return partial.rename(folder / name)


def claim(settings: Settings, path: Path) -> Job:
    job = Inbox(settings).claim(path)
    assert job is not None
    return job


def after_restart(settings: Settings, job: Job) -> tuple[Inbox, Job]:
    """What a restarted service sees: a new Inbox reading the job folder again."""
    inbox = Inbox(settings)
    found = read_job(job.folder)
    assert found is not None and [j.folder for j in inbox.pending_jobs()] == [job.folder]
    return inbox, found


def attempts(job: Job) -> int:
    return int(json.loads((job.folder / "job.json").read_text(encoding="utf-8"))["attempts"])


def item(records: Records, job: Job) -> IngestItem | None:
    with records.reading() as session:
        return session.get(IngestItem, job.job_id)


def test_a_file_that_keeps_failing_is_given_up_after_the_limit(
    pipeline: Pipeline, installation: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = limited(installation, 3)
    monkeypatch.setattr(pipeline_module, "extract_content", hanging_tika)
    dropped = drop(settings)
    job = claim(settings, dropped)
    for attempt in (1, 2):
        inbox, job = after_restart(settings, job)
        result = run_job(pipeline, inbox, job)
        assert result is not None and result.retry and result.outcome.code == "retry"
        assert attempts(job) == attempt and job.payload.exists()
        assert item(installation, job) is None
    inbox, job = after_restart(settings, job)
    result = run_job(pipeline, inbox, job)
    assert result is not None and not result.retry
    assert result.outcome.status == "failed" and result.outcome.code == "gave-up"

    kept = settings.resolved_failed_dir / "32" / "Gutachten.txt"
    assert kept.read_bytes() == (FIXTURES / "note.txt").read_bytes()
    report = kept.with_name("Gutachten.txt.error.txt").read_text(encoding="utf-8")
    assert "Grund (gave-up): Nach 3 Versuchen aufgegeben" in report
    assert "Reason (gave-up): Given up after 3 attempts" in report
    assert report.count(HUNG) == 2  # the last error, in both languages
    assert "eakte log" in report and "eakte-Protokoll" in report
    assert [f.reason for f in inbox.failed_files()] == [result.outcome.reason]
    assert not job.folder.exists() and not dropped.exists()
    recorded = item(installation, job)
    assert recorded is not None and recorded.status == "failed"
    assert recorded.reason_code == "gave-up" and HUNG in (recorded.reason or "")


def test_a_file_that_succeeds_on_a_later_attempt_is_stored(
    pipeline: Pipeline, installation: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = limited(installation, 2)
    failures = iter([ExtractionError("OCR of payload failed (tesseract crashed).")])

    def flaky(*args: Any, **kwargs: Any) -> Any:
        for error in failures:
            raise error
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(pipeline_module, "extract_content", flaky)
    job = claim(settings, drop(settings, "Aktenvermerk.txt"))
    first = run_job(pipeline, Inbox(settings), job)
    assert first is not None and first.retry and attempts(job) == 1
    inbox, job = after_restart(settings, job)
    second = run_job(pipeline, inbox, job)
    assert second is not None and second.outcome.status == "stored", second
    report = svc.document_report(installation, SYSTEM, str(second.outcome.document_id))
    assert report["versions"][0]["filename"] == "Aktenvermerk.txt"
    assert "Weißmüller" in report["text"]
    assert not job.folder.exists() and inbox.failed_files() == []


def test_an_outage_uses_no_attempt(
    pipeline: Pipeline, installation: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Database unavailable: not the file's fault, so it never makes a file give up."""
    settings = limited(installation, 1)

    def database_down(*args: Any, **kwargs: Any) -> Any:
        lost = OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        raise DatabaseError(f"Database error ({lost.orig}).") from lost

    monkeypatch.setattr(pipeline_module, "extract_content", database_down)
    job = claim(settings, drop(settings))
    for _ in range(3):
        result = run_job(pipeline, Inbox(settings), job)
        assert result is not None and result.retry
        assert attempts(job) == 0
    monkeypatch.setattr(pipeline_module, "extract_content", real_extract)
    result = run_job(pipeline, Inbox(settings), job)
    assert result is not None and result.outcome.status == "stored"


def _run_and_get_killed(settings: Settings, folder: str) -> None:
    """In a child process: the text stage kills its own process (kill -9)."""

    def killed(*args: Any, **kwargs: Any) -> Any:
        os.kill(os.getpid(), signal.SIGKILL)

    pipeline_module.extract_content = killed
    job = read_job(Path(folder))
    assert job is not None
    run_job(Pipeline(Records(settings)), Inbox(settings), job)


@pytest.mark.slow
def test_attempts_killed_with_their_process_count_too(
    pipeline: Pipeline, installation: Records
) -> None:
    """A file that takes its worker (or the whole service) down must not loop either."""
    settings = limited(installation, 2)
    job = claim(settings, drop(settings, "Absturz.txt"))
    spawn = multiprocessing.get_context("spawn")
    for attempt in (1, 2):
        child = spawn.Process(target=_run_and_get_killed, args=(settings, str(job.folder)))
        child.start()
        child.join(timeout=120)
        assert child.exitcode == -signal.SIGKILL
        assert attempts(job) == attempt and job.payload.exists()
    inbox, job = after_restart(settings, job)
    result = run_job(pipeline, inbox, job)  # would succeed now, but the attempts are used
    assert result is not None and result.outcome.code == "gave-up"
    report = settings.resolved_failed_dir / "32" / "Absturz.txt.error.txt"
    text = report.read_text(encoding="utf-8")
    assert "Nach 2 Versuchen aufgegeben" in text and "did not finish" in text


class ThreadExecutor:
    """Runs jobs in threads of this process, so the injected fault applies."""

    def __init__(self, pipeline: Pipeline, settings: Settings) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pipeline = pipeline
        self._inbox = Inbox(settings)

    def submit(self, job: Job) -> Future[JobResult | None]:
        return self._pool.submit(run_job, self._pipeline, self._inbox, job)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)


#: watchdog's inotify thread warns when a new folder's watch races with its event.
WATCHDOG_RACE = "ignore:Callback with id:RuntimeWarning"


@pytest.fixture
def running() -> Iterator[Callable[[InboxService], None]]:
    """Start services in threads of this process; stopped at the end of the test."""
    services: list[tuple[InboxService, threading.Thread]] = []

    def start(service: InboxService) -> None:
        thread = threading.Thread(target=service.run, daemon=True)
        thread.start()
        services.append((service, thread))

    yield start
    for service, thread in services:
        service.stop()
        thread.join(timeout=60)


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.filterwarnings(WATCHDOG_RACE)
def test_the_watcher_stops_retrying_a_poison_file(
    pipeline: Pipeline,
    installation: Records,
    monkeypatch: pytest.MonkeyPatch,
    running: Callable[[InboxService], None],
) -> None:
    settings = limited(installation, 3, inbox_rescan_seconds=0.2, inbox_settle_seconds=0)
    calls: list[str] = []

    def hanging(*args: Any, **kwargs: Any) -> Any:
        calls.append("tika")
        return hanging_tika()

    monkeypatch.setattr(pipeline_module, "extract_content", hanging)
    running(InboxService(settings, executor=ThreadExecutor(pipeline, settings)))
    drop(settings, "Gift.txt")
    kept = settings.resolved_failed_dir / "32" / "Gift.txt"
    wait_for(lambda: kept.with_name("Gift.txt.error.txt").exists())
    time.sleep(1.0)  # five more rescans: nothing is tried again
    assert len(calls) == 3
    assert not any(settings.resolved_processing_dir.iterdir())
    assert kept.read_bytes() == (FIXTURES / "note.txt").read_bytes()


@pytest.mark.slow
@pytest.mark.filterwarnings(WATCHDOG_RACE)
def test_the_watcher_replaces_a_worker_pool_broken_by_a_dead_worker(
    installation: Records,
    running: Callable[[InboxService], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = limited(installation, 5, inbox_rescan_seconds=0.2, inbox_settle_seconds=0)
    service = InboxService(settings)  # real worker processes
    running(service)
    drop(settings, "Erster.txt")
    wait_for(lambda: not any(settings.inbox_dir.rglob("Erster.txt")), timeout=120)
    wait_for(lambda: not any(settings.resolved_processing_dir.iterdir()), timeout=120)
    workers = multiprocessing.active_children()
    assert workers
    for worker in workers:  # as the kernel's OOM killer would
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
    drop(settings, "Zweiter.txt", extra=b"\nZweiter Brief\n")

    def stored() -> bool:
        with installation.reading() as session:
            rows = session.execute(select(IngestItem.source_name, IngestItem.status)).all()
        return ("Zweiter.txt", "stored") in [tuple(row) for row in rows]

    wait_for(stored, timeout=120)
    assert "An ingest worker process died; starting new workers" in caplog.messages
