"""The ingest pipeline: scanner inbox → text (Tika/OCR) → metadata → signed record.

- :class:`Inbox`: the watched folder, claiming, the processing and failed areas.
- :class:`Pipeline`: the stages for one file; :func:`run_job` runs a claimed job.
- :class:`InboxService`: the watcher loop used by ``eakte watch`` and ``eakte serve``.
"""

from eakte.ingest._executor import LocalExecutor, worker_count
from eakte.ingest._inbox import FailedFile, Inbox, Job
from eakte.ingest._pipeline import INGEST, Pipeline, Source
from eakte.ingest._record import Outcome
from eakte.ingest._runner import JobResult, run_job
from eakte.ingest._service import InboxService
from eakte.ingest._upload import (
    UploadRunner,
    UploadStatus,
    submit_upload,
    upload_status,
    upload_targets,
)

__all__ = [
    "INGEST",
    "FailedFile",
    "Inbox",
    "InboxService",
    "Job",
    "JobResult",
    "LocalExecutor",
    "Outcome",
    "Pipeline",
    "Source",
    "UploadRunner",
    "UploadStatus",
    "run_job",
    "submit_upload",
    "upload_status",
    "upload_targets",
    "worker_count",
]
