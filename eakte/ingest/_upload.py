"""Uploads from the web UI: into the same pipeline as the scanner inbox.

The uploaded bytes are written to a temporary file with a random name in the
data directory (never to a path built from the client's file name), then moved
into a new job folder of the inbox's processing area, like a file the watcher
claims. The web process runs the job in a background thread (see
:class:`UploadRunner`); a watcher that finds the job first on its rescan runs
it instead (the per-job lock decides), and after a crash the watcher picks it
up from the processing area. What became of it is read from its ingest item,
whose id is the job id.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import NotFound, RecordsError
from eakte.ingest._inbox import PAYLOAD, Inbox, Job, read_job
from eakte.ingest._names import safe_display_name
from eakte.ingest._pipeline import Pipeline
from eakte.ingest._runner import run_job
from eakte.models import Document, IngestItem, IngestStatus, OrgUnit
from eakte.records import Principal, Records
from eakte.records._orgs import orgunit_by_code
from eakte.records._principal import Permission, allowed, require

log = logging.getLogger(__name__)
SOURCE = "upload"
CHUNK = 1024 * 1024


def upload_targets(records: Records, principal: Principal) -> list[tuple[str, str]]:
    """(code, name) of the org units whose Posteingang the principal may put documents into."""
    with records.reading() as session:
        units = session.scalars(select(OrgUnit).order_by(OrgUnit.code)).all()
        return [
            (u.code, u.name) for u in units if allowed(session, principal, Permission.DEPOSIT, u.id)
        ]


def submit_upload(
    records: Records, principal: Principal, stream: IO[bytes], filename: str, orgunit: str
) -> Job:
    """Check the permission, write the bytes to a temporary file, put it into the inbox as a job."""
    with records.reading() as session:
        unit = orgunit_by_code(session, orgunit)
        require(session, principal, Permission.DEPOSIT, unit.id)
    settings = records.settings
    settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    limit = settings.max_file_mb * 1024 * 1024
    with tempfile.NamedTemporaryFile(dir=settings.tmp_dir, prefix="upload-", delete=False) as tmp:
        temporary = Path(tmp.name)
        try:
            size = 0
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise RecordsError(
                        f"The file is larger than {settings.max_file_mb} MiB; upload a smaller "
                        "one or ask the operator to raise EAKTE_MAX_FILE_MB."
                    )
                tmp.write(chunk)
            tmp.flush()
            os.fsync(tmp.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    inbox = Inbox(settings)
    inbox.ensure()
    name = safe_display_name(filename)
    job = inbox._new_job(  # a job like the watcher's claim, with the client's name as data only
        original=f"upload:{principal.name}/{name}",
        name=name,
        orgunit=unit.code,
        source=SOURCE,
        sidecar=False,
    )
    partial = job.folder / f".{PAYLOAD}.partial"
    shutil.move(temporary, partial)  # a rename, or a copy onto another file system
    partial.rename(job.payload)
    return job


@dataclass(frozen=True)
class UploadStatus:
    job_id: str
    name: str
    status: str  # queued, stored, duplicate, failed
    document_id: str | None = None  # only when the principal may read the document
    reason: str | None = None


def upload_status(
    records: Records, principal: Principal, job_id: str, runner: UploadRunner | None = None
) -> UploadStatus:
    """What became of an upload; the principal must be allowed to deposit where it went in."""
    found = _recorded(records, principal, job_id) or _waiting(records, principal, job_id)
    # a job that finished between the two looks has its item now (a new read: a new snapshot)
    found = found or _recorded(records, principal, job_id)
    if found is not None:
        return found
    failure = runner.failure(job_id, principal.name) if runner is not None else None
    if failure is not None:
        return UploadStatus(job_id, failure[0], IngestStatus.FAILED.value, reason=failure[1])
    raise NotFound(f"There is no upload {job_id!r}.")


def _recorded(records: Records, principal: Principal, job_id: str) -> UploadStatus | None:
    with records.reading() as session:
        item = session.get(IngestItem, job_id)
        if item is None or item.source != SOURCE:
            return None
        _may_deposit(session, principal, item.orgunit, job_id)
        document_id = item.document_id
        if document_id is not None:  # a link only for who may read it (routing may move it)
            document = session.get(Document, document_id)
            if document is None or not allowed(
                session, principal, Permission.READ, document.orgunit_id
            ):
                document_id = None
        return UploadStatus(job_id, item.source_name, item.status, document_id, item.reason)


def _waiting(records: Records, principal: Principal, job_id: str) -> UploadStatus | None:
    if not _plain_id(job_id):
        return None
    job = read_job(Inbox(records.settings).processing / job_id)
    if job is None or job.source != SOURCE:
        return None
    with records.reading() as session:
        _may_deposit(session, principal, job.orgunit, job_id)
    return UploadStatus(job_id, job.name, "queued")


def _may_deposit(session: Session, principal: Principal, code: str | None, job_id: str) -> None:
    unit = session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
    if unit is None or not allowed(session, principal, Permission.DEPOSIT, unit):
        raise NotFound(f"There is no upload {job_id!r}.")  # never say whose it is


def _plain_id(job_id: str) -> bool:
    return len(job_id) <= 64 and all(c.isalnum() or c == "-" for c in job_id)


class UploadRunner:
    """Runs uploaded jobs in a background thread of the web process, through the same
    pipeline as the inbox watcher (OCR and Tika run in their own worker processes)."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="upload")
        self._pipeline: Pipeline | None = None
        self._lock = threading.Lock()
        # failures the pipeline could not record (e.g. an outage): job id -> (user, name, reason)
        self._failures: dict[str, tuple[str, str, str]] = {}

    def submit(self, job: Job, username: str) -> None:
        self._pool.submit(self._run, job, username)

    def failure(self, job_id: str, username: str) -> tuple[str, str] | None:
        with self._lock:
            found = self._failures.get(job_id)
        return (found[1], found[2]) if found and found[0] == username else None

    def _run(self, job: Job, username: str) -> None:
        try:
            if self._pipeline is None:
                self._pipeline = Pipeline(self.records)
            result = run_job(self._pipeline, Inbox(self.records.settings), job)
        except Exception as exc:  # logged; the job stays for the watcher's next rescan
            log.exception("Upload %s failed", job.job_id)
            self._remember(job, username, str(exc) or type(exc).__name__)
            return
        if result is not None and result.outcome.status == IngestStatus.FAILED:
            self._remember(job, username, result.outcome.reason or "")

    def _remember(self, job: Job, username: str, reason: str) -> None:
        with self._lock:
            self._failures[job.job_id] = (username, job.name, reason)

    def wait(self) -> None:
        """Let every submitted job finish (tests, shutdown)."""
        self._pool.submit(lambda: None).result()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
