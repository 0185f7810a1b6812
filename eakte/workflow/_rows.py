"""Changing instance and task rows safely when people act at the same moment.

Everyone who changes an instance or one of its tasks first locks the instance
row (:func:`lock_instance`), then reads the task afresh: on PostgreSQL the
second of two such transactions waits for the first and then sees its
result; SQLite runs write transactions one after the other anyway. The row
versions stay as a second line: a change lost to an unlocked writer is a
:class:`WorkflowConflict`, never a silent overwrite.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from eakte.exceptions import WorkflowConflict
from eakte.models import TaskStatus, WorkflowInstance, WorkflowTask
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


def lock_instance(session: Session, instance_id: str) -> WorkflowInstance:
    """The instance, locked until the end of the transaction and read afresh."""
    instance = session.scalar(
        select(WorkflowInstance)
        .where(WorkflowInstance.id == instance_id)
        .with_for_update(of=WorkflowInstance)  # not the eagerly joined definition
        .execution_options(populate_existing=True)
    )
    assert instance is not None  # tasks and history rows point to existing instances
    return instance
