"""The timer job: overdue tasks are escalated, due Wiedervorlagen become tasks.

Idempotent: each task escalates once (``escalated_at``) and each
Wiedervorlage becomes a task once (``status`` pending → due, unique task
link), so running it twice, or in two processes, changes nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from eakte.exceptions import WorkflowError
from eakte.models import (
    Case,
    Circulation,
    CirculationStep,
    Resubmission,
    TaskKind,
    TaskStatus,
    WorkflowTask,
)
from eakte.records import SYSTEM, Records
from eakte.workflow._actions import notice
from eakte.workflow._calendar import today
from eakte.workflow._journal import record
from eakte.workflow._people import resolve
from eakte.workflow._registry import parsed
from eakte.workflow._rows import flush_or_conflict, lock_instance

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    day: date
    escalated: list[str] = field(default_factory=list)  # task ids
    resubmissions: list[int] = field(default_factory=list)  # resubmission ids now due


def tick(records: Records, day: date | None = None) -> TickReport:
    """Handle everything due on ``day`` (default: today, local time)."""
    report = TickReport(day or today())
    with records.reading() as session:
        overdue = list(
            session.scalars(
                select(WorkflowTask.id).where(
                    WorkflowTask.status == TaskStatus.OPEN.value,
                    WorkflowTask.kind.in_([TaskKind.STEP.value, TaskKind.COSIGN.value]),
                    WorkflowTask.due_date < report.day,
                    WorkflowTask.escalated_at.is_(None),
                )
            )
        )
        due = list(
            session.scalars(
                select(Resubmission.id).where(
                    Resubmission.status == "pending", Resubmission.due_date <= report.day
                )
            )
        )
    for task_id in overdue:  # one transaction each: one bad task blocks no other
        if _guarded(_escalate, records, task_id, report.day):
            report.escalated.append(task_id)
    for resubmission_id in due:
        if _guarded(_resubmit, records, resubmission_id, report.day):
            report.resubmissions.append(resubmission_id)
    return report


def _guarded(
    handle: Callable[[Records, Any, date], bool], records: Records, key: Any, day: date
) -> bool:
    try:
        return handle(records, key, day)
    except WorkflowError as e:  # e.g. an org unit the definition names was removed
        log.warning("Timer job: %s %s not handled: %s", handle.__name__.strip("_"), key, e)
        return False


def _escalate(records: Records, task_id: str, day: date) -> bool:
    with records.transaction() as session:
        task = session.get(WorkflowTask, task_id)
        if task is None or task.instance_id is None:
            return False
        instance = lock_instance(session, task.instance_id)  # a second timer job waits here
        session.refresh(task)
        if task.status != TaskStatus.OPEN.value or task.escalated_at is not None:
            return False  # done or escalated meanwhile
        task.escalated_at = datetime.now(UTC)
        flush_or_conflict(session)
        due = f"{task.due_date:%d.%m.%Y}" if task.due_date else "?"
        if task.kind == TaskKind.COSIGN.value:
            step = session.get(CirculationStep, task.circulation_step_id)
            circulation = session.get(Circulation, step.circulation_id) if step else None
            starter = circulation.started_by if circulation else None
            notice(
                session,
                instance,
                f"Mitzeichnung überfällig (Frist {due}): {task.title}",
                starter,
                None if starter else instance.orgunit_id,
                "leitung",
            )
            record(
                records, session, instance, SYSTEM, "overdue", f"Mitzeichnung überfällig seit {due}"
            )
            return True
        definition = parsed(instance.definition)
        state = definition.states.get(task.state or "")
        rule = state.deadline.escalation if state and state.deadline else None
        if rule is None:
            record(records, session, instance, SYSTEM, "overdue", f"Frist {due} überschritten")
            return True
        who = resolve(session, rule.to, instance)
        if rule.action == "reassign":
            task.assignee, task.pool_orgunit_id, task.pool_role = who.user, who.orgunit_id, who.role
            label = f"Frist {due} überschritten: neu zugewiesen an {_who(who.user, who.role)}"
        else:
            notice(
                session,
                instance,
                f"Frist überschritten ({due}): {task.title}",
                who.user,
                who.orgunit_id,
                who.role,
            )
            label = f"Frist {due} überschritten: {_who(who.user, who.role)} benachrichtigt"
        record(records, session, instance, SYSTEM, "escalated", label)
        return True


def _who(user: str | None, role: str | None) -> str:
    return user if user else {"leitung": "die Leitung"}.get(role or "", f"Rolle {role}")


def _resubmit(records: Records, resubmission_id: int, day: date) -> bool:
    with records.transaction() as session:
        row = session.get(Resubmission, resubmission_id, with_for_update=True)
        if row is None or row.status != "pending" or row.due_date > day:
            return False
        case = session.get(Case, row.case_id)
        assert case is not None
        row.status = "due"
        session.add(
            WorkflowTask(
                kind=TaskKind.RESUBMISSION.value,
                case_id=case.id,
                title=f"Wiedervorlage {case.reference}: {row.note or case.title}",
                assignee=row.for_user,
                due_date=row.due_date,
                resubmission_id=row.id,
            )
        )
        session.flush()
        records.audit.append(
            session,
            actor=SYSTEM.actor,
            action="resubmission.due",
            object_type="case",
            object_id=case.id,
            details={"reference": case.reference, "due": row.due_date.isoformat()},
        )
        return True
