"""The inbox service: watch the folder, claim complete files, run them, retry.

File events (watchdog) trigger a scan soon; a full rescan runs at start and
every ``EAKTE_INBOX_RESCAN_SECONDS`` to catch anything the events missed,
together with the jobs left in the processing area (after a crash, or
postponed because a service was down). A worker process that dies (killed, out
of memory, crashed on a file) breaks the local pool; a new pool is started and
the jobs it took are retried, their attempts counted (see ``_runner``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import BrokenExecutor
from pathlib import Path
from typing import Protocol

from watchdog.events import (
    DirCreatedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from eakte.config import Settings
from eakte.ingest._executor import LocalExecutor
from eakte.ingest._inbox import Inbox, Job
from eakte.ingest._runner import JobResult

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
#: While a file settles, the inbox is looked at every quarter of the settle time
#: (at most POLL_SECONDS apart, at least this).
SETTLE_CHECK_MIN = 0.05


#: The events that can make a file ready: it appears (written here, or moved in), or a
#: writer closes it. Not every write (IN_MODIFY), nor opening or reading a file: while a
#: file settles the inbox is looked at regularly anyway, and reads by the pipeline's own
#: processes (tesseract reading a scan) would wake the service for nothing.
WAKING_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileMovedEvent,
    FileClosedEvent,
    DirCreatedEvent,
    DirMovedEvent,
]


class _Nudge(FileSystemEventHandler):
    """Wakes the service for events in the inbox proper, not in its hidden areas: a job
    in the processing area writes and moves its own files about a dozen times."""

    def __init__(self, event: threading.Event, areas: tuple[Path, ...]) -> None:
        self._event = event
        self._areas = tuple(f"{area}{os.sep}" for area in areas)

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [os.fsdecode(event.src_path), os.fsdecode(event.dest_path or "")]
        if any(path and not path.startswith(self._areas) for path in paths):
            self._event.set()


class Pending(Protocol):
    def done(self) -> bool: ...
    def result(self, timeout: float | None = None) -> JobResult | None: ...


class Executor(Protocol):
    def submit(self, job: Job) -> Pending: ...
    def shutdown(self, wait: bool = True) -> None: ...


def make_executor(settings: Settings) -> Executor:
    """Celery workers when a broker is configured, else local worker processes."""
    if settings.broker_url:
        from eakte.ingest._celery import CeleryExecutor

        return CeleryExecutor(settings)
    return LocalExecutor(settings)


class InboxService:
    """Runs until ``stop()``; safe to run several on one inbox (claiming is a rename)."""

    def __init__(self, settings: Settings, executor: Executor | None = None) -> None:
        self.settings = settings
        self.inbox = Inbox(settings)
        self._own_executor = executor is None
        self.executor = executor or make_executor(settings)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._running: dict[Path, Pending] = {}

    def run(self) -> None:
        self.inbox.ensure()
        observer = Observer()
        areas = (self.inbox.processing.resolve(), self.inbox.failed.resolve())
        observer.schedule(
            _Nudge(self._wake, areas),
            str(self.inbox.root.resolve()),
            recursive=True,
            event_filter=WAKING_EVENTS,
        )
        observer.start()
        next_rescan = 0.0
        try:
            while not self._stop.is_set():
                settling = False
                try:
                    if time.monotonic() >= next_rescan:
                        self._recover()
                        next_rescan = time.monotonic() + self.settings.inbox_rescan_seconds
                    settling = self._scan()
                    self._reap()
                except OSError:  # e.g. the inbox share went away: keep watching
                    log.exception("Inbox scan failed; trying again")
                self._wake.wait(self._pause(settling))
                self._wake.clear()
        finally:
            observer.stop()
            observer.join()
            self.executor.shutdown(wait=True)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _pause(self, settling: bool) -> float:
        """Seconds until the next look: soon after a waiting file may have settled."""
        if not settling:
            return POLL_SECONDS
        return min(POLL_SECONDS, max(SETTLE_CHECK_MIN, self.settings.inbox_settle_seconds / 4))

    def _scan(self) -> bool:
        """Claim and submit every complete file; True if some are still settling."""
        settling = False
        for path in self.inbox.candidates():
            if self._stop.is_set():
                return settling
            if not self.inbox.is_complete(path):
                settling = True
                continue
            job = self.inbox.claim(path)
            if job is not None:
                self._submit(job)
        return settling

    def _recover(self) -> None:
        for job in self.inbox.pending_jobs():
            if job.folder not in self._running:
                self._submit(job)
        for sidecar in self.inbox.orphan_sidecars():
            self.inbox.fail_orphan(sidecar)

    def _submit(self, job: Job) -> None:
        log.info("Ingesting %s", job.original)
        try:
            pending = self.executor.submit(job)
        except BrokenExecutor:
            if not self._own_executor:
                raise
            log.error("An ingest worker process died; starting new workers")
            self.executor.shutdown(wait=False)
            self.executor = make_executor(self.settings)
            pending = self.executor.submit(job)
        self._running[job.folder] = pending

    def _reap(self) -> None:
        for folder, future in list(self._running.items()):
            if not future.done():
                continue
            del self._running[folder]
            try:
                result = future.result()
            except Exception:  # a bug: keep the job for the next rescan, say so loudly
                log.exception("Ingest job %s crashed; it stays in the processing area", folder)
                continue
            if result is not None:
                log.info("Ingest %s: %s", result.outcome.path, result.outcome.status)
