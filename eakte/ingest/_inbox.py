"""The scanner inbox on disk: completeness, claiming, the processing and failed areas.

A file is *claimed* by renaming it into a job folder under the processing area;
the rename is the lock, so two watchers never take the same file. Each job
folder holds ``job.json`` (written before the file moves in), the payload and
an optional sidecar. A job folder that survives a crash is processed again;
a per-job ``flock`` keeps two live processes off the same job. ``job.json``
also counts the attempts at the job, so a file that keeps failing (or keeps
crashing the worker) is given up after ``EAKTE_INGEST_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from eakte.config import Settings
from eakte.ingest._names import failed_name, is_hidden_or_temp, safe_display_name

SIDECAR = ".json"
JOB_FILE = "job.json"
PAYLOAD = "payload"
CLAIMED_SIDECAR = "sidecar.json"
CLI_AREA = ".cli"
INBOX_README = "README.md"  # at the inbox root: documentation, never a document
STALE_SECONDS = 10  # a job folder without job.json this old was left by a crash


@dataclass(frozen=True)
class Job:
    """One claimed input file."""

    job_id: str
    folder: Path
    original: str  # path relative to the inbox, or the path given to `eakte ingest`
    name: str  # the file name as delivered
    orgunit: str | None  # from the inbox folder, or --orgunit
    source: str  # "inbox" or "cli"

    @property
    def payload(self) -> Path:
        return self.folder / PAYLOAD

    @property
    def sidecar(self) -> Path | None:
        path = self.folder / CLAIMED_SIDECAR
        return path if path.exists() else None


@dataclass(frozen=True)
class Attempts:
    """How often a job was started, and how the last attempt ended."""

    used: int
    last_error: str | None = None  # None: no attempt yet, or the last one was cut short


@dataclass(frozen=True)
class FailedFile:
    path: Path
    reason: str


class Inbox:
    """The inbox folder and its ``.processing`` and ``.failed`` areas."""

    def __init__(self, settings: Settings) -> None:
        self.root = settings.inbox_dir
        self.processing = settings.resolved_processing_dir
        self.failed = settings.resolved_failed_dir
        self.settle = settings.inbox_settle_seconds
        self.orgunit_folders = settings.inbox_orgunit_folders
        self.max_attempts = settings.ingest_max_attempts
        self._seen: dict[Path, tuple[int, int, float]] = {}

    def ensure(self) -> None:
        for folder in (self.root, self.processing, self.failed):
            folder.mkdir(parents=True, exist_ok=True)

    # -- finding complete files ---------------------------------------------------

    def _files(self) -> Iterator[Path]:
        """Every file in the inbox outside its hidden areas (.processing, .failed)."""
        areas = {self.processing.resolve(), self.failed.resolve()}
        for folder, dirs, files in os.walk(self.root):  # vanishing folders are skipped
            here = Path(folder)
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and (here / d).resolve() not in areas
            )
            for name in sorted(files):
                yield here / name

    def candidates(self) -> Iterator[Path]:
        """Files waiting in the inbox (sidecars, hidden and temporary files excluded,
        and the inbox's own README.md that explains the folder to scan stations)."""
        readme = self.root / INBOX_README
        for path in self._files():
            if path == readme or is_hidden_or_temp(path.name) or path.name.endswith(SIDECAR):
                continue
            yield path

    def orphan_sidecars(self) -> Iterator[Path]:
        """Sidecars whose file is gone for longer than the settle time."""
        for path in self._files():
            if not path.name.endswith(SIDECAR):
                continue
            partner = path.with_name(path.name[: -len(SIDECAR)])
            if not partner.exists() and time.time() - _mtime(path) > max(self.settle, 60):
                yield path

    def is_complete(self, path: Path) -> bool:
        """Complete when its sidecar exists (written last) or size and mtime settled."""
        if path.with_name(path.name + SIDECAR).exists():
            return True
        try:
            stat = path.stat()
        except FileNotFoundError:
            self._seen.pop(path, None)
            return False
        now = time.monotonic()
        previous = self._seen.get(path)
        if previous is None or previous[:2] != (stat.st_size, stat.st_mtime_ns):
            self._seen[path] = (stat.st_size, stat.st_mtime_ns, now)
            return self.settle == 0 and time.time() - stat.st_mtime >= 0
        settled = now - previous[2] >= self.settle
        return settled and time.time() - stat.st_mtime >= self.settle

    def orgunit_of(self, path: Path) -> str | None:
        relative = path.relative_to(self.root)
        if self.orgunit_folders and len(relative.parts) > 1:
            return relative.parts[0]
        return None

    # -- claiming ----------------------------------------------------------------

    def claim(self, path: Path) -> Job | None:
        """Move the file into a new job folder; None if another process took it first."""
        sidecar = path.with_name(path.name + SIDECAR)
        job = self._new_job(
            original=str(path.relative_to(self.root)),
            name=path.name,
            orgunit=self.orgunit_of(path),
            source="inbox",
            sidecar=sidecar.exists(),
        )
        try:
            path.rename(job.payload)  # the lock
        except FileNotFoundError:
            shutil.rmtree(job.folder, ignore_errors=True)
            return None
        self._seen.pop(path, None)
        self._take_sidecar(job)
        return job

    def submit_copy(self, source: Path, orgunit: str | None) -> Job:
        """A job for `eakte ingest`: the file is copied, never moved or deleted."""
        job = self._new_job(
            original=str(source),
            name=source.name,
            orgunit=orgunit,
            source="cli",
            sidecar=False,
        )
        partial = job.folder / f".{PAYLOAD}.partial"
        shutil.copyfile(source, partial)
        with partial.open("rb") as stream:
            os.fsync(stream.fileno())
        partial.rename(job.payload)
        note = source.with_name(source.name + SIDECAR)
        if note.is_file():
            shutil.copyfile(note, job.folder / CLAIMED_SIDECAR)
        return job

    def _clean_stale_cli_jobs(self) -> None:
        area = self.processing / CLI_AREA
        if not area.is_dir():
            return
        for folder in area.iterdir():
            job = read_job(folder)
            if time.time() - _mtime(folder) < 3600:
                continue
            lock = self.lock(job) if job is not None else None
            if job is None or lock is not None:
                shutil.rmtree(folder, ignore_errors=True)
            if lock is not None:
                lock.close()

    def _new_job(
        self,
        *,
        original: str,
        name: str,
        orgunit: str | None,
        source: str,
        sidecar: bool,
        area: Path | None = None,
    ) -> Job:
        job_id = str(uuid.uuid4())
        folder = (area or self.processing) / job_id
        folder.mkdir(parents=True)
        record = {
            "job_id": job_id,
            "original": original,
            "name": name,
            "orgunit": orgunit,
            "source": source,
            "sidecar": sidecar,
            "claimed_at": datetime.now(UTC).isoformat(),
        }
        _write_record(folder, record)
        return Job(job_id, folder, original, name, orgunit, source)

    def _take_sidecar(self, job: Job) -> None:
        record = _read_job(job.folder)
        if not record or not record.get("sidecar") or job.sidecar is not None:
            return
        original = self.root / (job.original + SIDECAR)
        with contextlib.suppress(FileNotFoundError):
            original.rename(job.folder / CLAIMED_SIDECAR)

    # -- jobs left in the processing area -----------------------------------------

    def pending_jobs(self) -> Iterator[Job]:
        """Jobs in the processing area (after a crash, or still running elsewhere)."""
        if not self.processing.is_dir():
            return
        for folder in sorted(self.processing.iterdir()):
            if folder.name.startswith("."):
                continue  # .cli: jobs of `eakte ingest` runs
            job = read_job(folder)
            if job is None:  # crashed between mkdir and job.json (or being created now)
                if folder.is_dir() and time.time() - _mtime(folder) > STALE_SECONDS:
                    shutil.rmtree(folder, ignore_errors=True)
                continue
            if not job.payload.exists():  # crashed before the file moved in
                shutil.rmtree(folder, ignore_errors=True)
                continue
            if job.source == "inbox":
                self._take_sidecar(job)
            yield job

    def lock(self, job: Job) -> IO[bytes] | None:
        """An exclusive lock on the job (None if a live process holds it, or it is done)."""
        try:
            handle = (job.folder / ".lock").open("ab")
        except FileNotFoundError:  # finished and removed since it was found
            return None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        return handle

    def attempts(self, job: Job) -> Attempts | None:
        """The attempts at a job so far; None when it is gone (finished elsewhere)."""
        record = _read_job(job.folder)
        if record is None:
            return None
        return Attempts(int(record.get("attempts", 0)), record.get("last_error"))

    def record_attempts(self, job: Job, attempts: Attempts) -> None:
        """Keep the attempts in job.json (atomically: a crash leaves the old or the new)."""
        record = _read_job(job.folder)
        if record is not None:
            record.update(attempts=attempts.used, last_error=attempts.last_error)
            _write_record(job.folder, record)

    def finish(self, job: Job) -> None:
        shutil.rmtree(job.folder, ignore_errors=True)

    # -- the failed area -------------------------------------------------------------

    def fail(self, job: Job, message_de: str, message_en: str, code: str) -> Path:
        """Move an inbox job's file (and sidecar) to the failed area, with the reason."""
        target_dir = self.failed / (job.orgunit or "")
        target_dir.mkdir(parents=True, exist_ok=True)
        target = _free_name(target_dir / failed_name(job.name))
        text = (
            f"Datei: {safe_display_name(job.name)}\n"
            f"Grund ({code}): {message_de}\n\n"
            f"File: {safe_display_name(job.name)}\n"
            f"Reason ({code}): {message_en}\n\n"
            f"Job: {job.job_id}\nTime: {datetime.now(UTC).isoformat()}\n"
        )
        _write_atomic(target.with_name(target.name + ".error.txt"), text.encode())
        if job.sidecar is not None:
            job.sidecar.rename(target.with_name(target.name + SIDECAR))
        job.payload.rename(target)
        self.finish(job)
        return target

    def fail_orphan(self, sidecar: Path) -> Path:
        """A sidecar whose file never came: keep it in the failed area, with the reason."""
        relative = sidecar.relative_to(self.root)
        target_dir = self.failed / relative.parent
        target_dir.mkdir(parents=True, exist_ok=True)
        target = _free_name(target_dir / failed_name(sidecar.name))
        text = (
            f"Datei: {safe_display_name(sidecar.name)}\n"
            "Grund (orphan-sidecar): Zu diesem Transfervermerk kam keine Datei an. "
            "Bitte den Scan erneut ablegen.\n\n"
            f"File: {safe_display_name(sidecar.name)}\n"
            "Reason (orphan-sidecar): No file arrived for this transfer note. "
            "Put the scan into the inbox again.\n"
        )
        _write_atomic(target.with_name(target.name + ".error.txt"), text.encode())
        sidecar.rename(target)
        return target

    def failed_files(self) -> list[FailedFile]:
        found = []
        for report in sorted(self.failed.rglob("*.error.txt")):
            path = report.with_name(report.name[: -len(".error.txt")])
            found.append(FailedFile(path, _first_reason(report)))
        return found


def read_job(folder: Path) -> Job | None:
    record = _read_job(folder)
    if record is None:
        return None
    return Job(
        record["job_id"],
        folder,
        record["original"],
        record["name"],
        record.get("orgunit"),
        record.get("source", "inbox"),
    )


def _first_reason(report: Path) -> str:
    for line in report.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("Reason"):
            return line.partition(": ")[2]
    return "unknown"


def _free_name(path: Path) -> Path:
    candidate, n = path, 2
    while candidate.exists() or candidate.with_name(candidate.name + ".error.txt").exists():
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        n += 1
    return candidate


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return time.time()


def _read_job(folder: Path) -> dict[str, Any] | None:
    try:
        record: dict[str, Any] = json.loads((folder / JOB_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record


def _write_record(folder: Path, record: dict[str, Any]) -> None:
    # ASCII JSON: a name with bytes that are not UTF-8 (os.fsdecode gives lone
    # surrogates for them) is written as \udcxx escapes and read back unchanged.
    _write_atomic(folder / JOB_FILE, json.dumps(record).encode("ascii"))


def _write_atomic(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    partial.rename(path)
