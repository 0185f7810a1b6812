"""Running jobs: one job = one claimed file through the pipeline, then cleanup.

The file's own faults (InputRejected) send an inbox file to the failed area
with its reason. Anything else (OCR engine, database or store unavailable)
leaves the job in the processing area to be retried: nothing is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from eakte.exceptions import EakteError, InputRejected
from eakte.ingest._inbox import Inbox, Job
from eakte.ingest._pipeline import Pipeline, Source
from eakte.ingest._record import Outcome, record_failure
from eakte.models import IngestStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobResult:
    outcome: Outcome
    retry: bool = False  # left in the processing area for a later attempt


def source_of(job: Job) -> Source:
    return Source(
        path=job.payload,
        name=job.name,
        item_id=job.job_id,
        source=job.source,
        orgunit=job.orgunit,
        scan_note=job.sidecar,
    )


def run_job(pipeline: Pipeline, inbox: Inbox, job: Job) -> JobResult | None:
    """Process one job; None when another live process holds it."""
    lock = inbox.lock(job)
    if lock is None:
        return None
    try:
        source = source_of(job)
        try:
            outcome = pipeline.ingest(source)
        except InputRejected as exc:
            outcome = record_failure(pipeline.records, source, exc.code, exc.message)
            if job.source == "inbox":
                inbox.fail(job, exc.message_de, exc.message, exc.code)
                return JobResult(outcome)
        except EakteError as exc:
            log.warning("Ingest of %s postponed: %s", job.name, exc)
            if job.source == "inbox":
                return JobResult(
                    Outcome(job.name, IngestStatus.FAILED, reason=str(exc), code="retry"),
                    retry=True,
                )
            outcome = Outcome(job.name, IngestStatus.FAILED, reason=str(exc), code="error")
        inbox.finish(job)
        return JobResult(outcome)
    finally:
        lock.close()
