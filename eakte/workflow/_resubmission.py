"""Wiedervorlage: a clerk sets a date on a Vorgang; on that day the case comes
back as a task (made by the timer job, see :mod:`eakte.workflow._tick`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from eakte.exceptions import NotFound, PermissionDenied, WorkflowConflict, WorkflowError
from eakte.models import Case, Resubmission, TaskKind, TaskStatus, WorkflowTask
from eakte.records import Principal, Records
from eakte.records._principal import Permission, require
from eakte.workflow._calendar import today
from eakte.workflow._rows import finish_task


def set_resubmission(
    records: Records, principal: Principal, case: str, due: date, note: str = ""
) -> int:
    """Put Vorgang ``case`` on the principal's Wiedervorlage for ``due``; returns its id."""
    if principal.system:
        raise WorkflowError("A Wiedervorlage is for a person; run it as a user (--as).")
    if due < today():
        raise WorkflowError(f"{due:%d.%m.%Y} has passed; choose a day from today on.")
    with records.transaction() as session:
        found = session.scalar(select(Case).where(Case.reference == case))
        if found is None:
            raise NotFound(f"There is no Vorgang {case!r}.")
        require(session, principal, Permission.WRITE, found.case_file.orgunit_id)
        row = Resubmission(
            case_id=found.id,
            due_date=due,
            note=note.strip(),
            for_user=principal.name,
            created_by=principal.name,
        )
        session.add(row)
        session.flush()
        records.audit.append(
            session,
            actor=principal.actor,
            action="resubmission.set",
            object_type="case",
            object_id=found.id,
            details={"reference": found.reference, "due": due.isoformat(), "note": row.note},
        )
        return row.id


def complete_task(records: Records, principal: Principal, task_id: str) -> None:
    """Mark a Wiedervorlage or a notice as done (``erledigt``)."""
    with records.transaction() as session:
        task = session.get(WorkflowTask, task_id)
        if task is None or task.kind not in (TaskKind.RESUBMISSION.value, TaskKind.NOTICE.value):
            raise NotFound(f"There is no Wiedervorlage or notice {task_id!r}.")
        from eakte.workflow._people import is_assignee

        if not is_assignee(session, principal, task):
            raise PermissionDenied(f"{principal.name} is not assigned to this task.")
        if task.status != TaskStatus.OPEN.value:
            who = (task.done_by or "someone").removeprefix("user:")
            raise WorkflowConflict(f"{who} has completed this task already.")
        finish_task(session, task, principal)
        if task.resubmission_id is not None:
            resubmission = session.get(Resubmission, task.resubmission_id)
            assert resubmission is not None
            resubmission.status = "done"
        records.audit.append(
            session,
            actor=principal.actor,
            action="task.done",
            object_type="task",
            object_id=task.id,
            details={"kind": task.kind, "title": task.title},
        )
