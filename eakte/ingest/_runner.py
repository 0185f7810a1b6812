"""Running jobs: one job = one claimed file through the pipeline, then cleanup.

The file's own faults (InputRejected) send an inbox file to the failed area
with its reason. Anything else (OCR or Tika worker crashed or hung, database
or store unavailable) leaves the job in the processing area to be retried:
nothing is lost.

A file that keeps failing must not be retried forever, each attempt costing
its full time limit. Every attempt at an inbox job is counted in its job.json
*before* it runs, so an attempt cut short by a crash of the worker or of the
whole service counts too. When ``EAKTE_INGEST_MAX_ATTEMPTS`` attempts have
failed, the file goes to the failed area like a refused one ("gave-up").
Outages (database or object store unavailable) are not the file's fault: such
an attempt is given back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError

from eakte.exceptions import DatabaseError, EakteError, InputRejected, StorageUnavailable
from eakte.ingest._inbox import Attempts, Inbox, Job
from eakte.ingest._names import safe_display_name
from eakte.ingest._pipeline import Pipeline, Source
from eakte.ingest._record import Outcome, record_failure
from eakte.models import IngestStatus

log = logging.getLogger(__name__)

GAVE_UP = "gave-up"
_INTERRUPTED_EN = (
    "the attempt did not finish (the worker or the whole service stopped during it: "
    "crashed, killed or out of memory)"
)
_INTERRUPTED_DE = (
    "der Versuch wurde nicht beendet (der Arbeitsprozess oder der ganze Dienst brach "
    "dabei ab: Absturz, beendet oder Speicher erschöpft)"
)


@dataclass(frozen=True)
class JobResult:
    outcome: Outcome
    retry: bool = False  # left in the processing area for a later attempt


def source_of(job: Job) -> Source:
    return Source(
        path=job.payload,
        name=safe_display_name(job.name),  # what is stored and shown, also as file name
        item_id=job.job_id,
        source=job.source,
        orgunit=job.orgunit,
        scan_note=job.sidecar,
    )


def run_job(pipeline: Pipeline, inbox: Inbox, job: Job) -> JobResult | None:
    """Process one job; None when another live process holds it (or finished it)."""
    lock = inbox.lock(job)
    if lock is None:
        return None
    try:
        if job.source == "inbox":
            return _run_counted(pipeline, inbox, job)
        return _run_once(pipeline, inbox, job)
    finally:
        lock.close()


def _run_once(pipeline: Pipeline, inbox: Inbox, job: Job) -> JobResult:
    """`eakte ingest`: one attempt; the command reports what went wrong."""
    source = source_of(job)
    try:
        outcome = pipeline.ingest(source)
    except InputRejected as exc:
        outcome = record_failure(pipeline.records, source, exc.code, exc.message)
    except EakteError as exc:
        outcome = Outcome(source.name, IngestStatus.FAILED, reason=str(exc), code="error")
    inbox.finish(job)
    return JobResult(outcome)


def _run_counted(pipeline: Pipeline, inbox: Inbox, job: Job) -> JobResult | None:
    """An inbox job: tried again at each rescan until it is done or its attempts are used."""
    before = inbox.attempts(job)
    if before is None:
        return None  # finished by another process since it was found
    if before.used >= inbox.max_attempts:  # the last one was cut short (or giving up waited)
        return _give_up(pipeline, inbox, job, before)
    attempt = Attempts(before.used + 1)
    inbox.record_attempts(job, attempt)  # before the run: a crash during it counts too
    source = source_of(job)
    try:
        return _attempt(pipeline, inbox, job, source)
    except EakteError as exc:
        if is_outage(exc):  # not the file's fault: the attempt is given back
            inbox.record_attempts(job, before)
            log.warning("Ingest of %s postponed: %s", source.name, exc)
            return _retry(source, exc)
        failed = Attempts(attempt.used, " ".join(str(exc).split()))
        inbox.record_attempts(job, failed)
        if failed.used >= inbox.max_attempts:
            return _give_up(pipeline, inbox, job, failed)
        log.warning(
            "Ingest of %s failed (attempt %d of %d), tried again at the next rescan: %s",
            source.name,
            failed.used,
            inbox.max_attempts,
            exc,
        )
        return _retry(source, exc)
    except Exception as exc:  # a bug: counted like a crash, reported loudly by the caller
        inbox.record_attempts(job, Attempts(attempt.used, f"{type(exc).__name__}: {exc}"))
        raise


def is_outage(exc: EakteError) -> bool:
    """The database (connection lost, locked) or the object store is unavailable."""
    if isinstance(exc, StorageUnavailable):
        return True
    return isinstance(exc, DatabaseError) and isinstance(exc.__cause__, OperationalError)


def _attempt(pipeline: Pipeline, inbox: Inbox, job: Job, source: Source) -> JobResult:
    try:
        outcome = pipeline.ingest(source)
    except InputRejected as exc:
        outcome = record_failure(pipeline.records, source, exc.code, exc.message)
        inbox.fail(job, exc.message_de, exc.message, exc.code)
        return JobResult(outcome)
    inbox.finish(job)
    return JobResult(outcome)


def _give_up(pipeline: Pipeline, inbox: Inbox, job: Job, attempts: Attempts) -> JobResult:
    """Move a file that failed every attempt to the failed area, with the last error."""
    message_de, message_en = gave_up_reason(attempts)
    source = source_of(job)
    log.error("Ingest of %s given up: %s", source.name, message_en)
    try:
        outcome = record_failure(pipeline.records, source, GAVE_UP, message_en)
    except EakteError as exc:  # the database is down: give up at the next rescan
        log.warning("Ingest of %s: giving up postponed: %s", source.name, exc)
        return _retry(source, exc)
    inbox.fail(job, message_de, message_en, GAVE_UP)
    return JobResult(outcome)


def gave_up_reason(attempts: Attempts) -> tuple[str, str]:
    """German and English: what happened, and what to do."""
    error_de = f"«{attempts.last_error}»" if attempts.last_error else _INTERRUPTED_DE
    error_en = f'"{attempts.last_error}"' if attempts.last_error else _INTERRUPTED_EN
    return (
        f"Nach {attempts.used} Versuchen aufgegeben; der letzte scheiterte: {error_de}. "
        "Die Datei ist vielleicht beschädigt oder bringt die Texterkennung zum Absturz. "
        "Bitte im eakte-Protokoll nachsehen, dann eine reparierte Fassung (neu "
        "gescannt oder neu als PDF gespeichert) wieder in den Eingangsordner legen.",
        f"Given up after {attempts.used} attempts; the last one failed: {error_en}. "
        "The file may be damaged or crash the text recognition. Check the eakte log, "
        "then put a repaired copy (scanned again or saved as PDF again) into the inbox.",
    )


def _retry(source: Source, exc: EakteError) -> JobResult:
    outcome = Outcome(source.name, IngestStatus.FAILED, reason=str(exc), code="retry")
    return JobResult(outcome, retry=True)
