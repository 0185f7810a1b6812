"""Changing task rows under optimistic concurrency."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from eakte.exceptions import WorkflowConflict
from eakte.models import TaskStatus, WorkflowTask
from eakte.records import Principal


def flush_or_conflict(session: Session) -> None:
    """Write pending changes; a row someone else changed meanwhile is a conflict."""
    try:
        session.flush()
    except StaleDataError:
        raise WorkflowConflict(
            "Someone else acted on this task at the same moment and was first. "
            "Reload to see where the workflow stands now."
        ) from None


def finish_task(session: Session, task: WorkflowTask, principal: Principal) -> None:
    task.status = TaskStatus.DONE.value
    task.done_at = datetime.now(UTC)
    task.done_by = principal.actor
    flush_or_conflict(session)
