"""Reading: a person's task list, and an instance with its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from eakte.exceptions import NotFound
from eakte.models import (
    Case,
    Document,
    Resubmission,
    TaskStatus,
    WorkflowHistory,
    WorkflowInstance,
    WorkflowTask,
)
from eakte.records import Principal, Records
from eakte.records._principal import Permission, require
from eakte.workflow._calendar import today
from eakte.workflow._people import EDITORS, pools_of
from eakte.workflow._registry import parsed


@dataclass(frozen=True)
class TaskView:
    id: str | None  # None: a Wiedervorlage due today that the timer has not turned into a task yet
    kind: str
    title: str
    due_date: date | None
    overdue: bool
    assignee: str | None  # None: a pool task (role in an org unit)
    instance_id: str | None
    case_id: str | None
    transitions: tuple[tuple[str, str], ...]  # (name, German label) possible in this step


def tasks_for(records: Records, principal: Principal, day: date | None = None) -> list[TaskView]:
    """Open tasks of the principal and of the pools they belong to, earliest due first."""
    day = day or today()
    with records.reading() as session:
        pools = pools_of(session, principal)
        mine = [WorkflowTask.assignee == principal.name]
        mine += [
            and_(
                WorkflowTask.assignee.is_(None),
                WorkflowTask.pool_orgunit_id == unit,
                # a pool without a role (an org unit asked to co-sign) is for its editors
                or_(WorkflowTask.pool_role == role, WorkflowTask.pool_role.is_(None))
                if role in EDITORS
                else WorkflowTask.pool_role == role,
            )
            for unit, role in pools
        ]
        rows = session.scalars(
            select(WorkflowTask)
            .where(WorkflowTask.status == TaskStatus.OPEN.value, or_(*mine))
            .order_by(
                WorkflowTask.due_date.is_(None), WorkflowTask.due_date, WorkflowTask.created_at
            )
        ).all()
        # the step tasks' instances in one query, not one each
        wanted = {t.instance_id for t in rows if t.kind == "step" and t.instance_id}
        found = session.scalars(select(WorkflowInstance).where(WorkflowInstance.id.in_(wanted)))
        instances = {instance.id: instance for instance in found}
        views = []
        for task in rows:
            moves: tuple[tuple[str, str], ...] = ()
            if task.kind == "step" and task.instance_id:
                instance = instances[task.instance_id]
                definition = parsed(instance.definition)
                moves = tuple(
                    (t.name, t.label) for t in definition.leaving(instance.state) if t.allowed
                )
            views.append(
                TaskView(
                    task.id,
                    task.kind,
                    task.title,
                    task.due_date,
                    task.due_date is not None and task.due_date < day,
                    task.assignee,
                    task.instance_id,
                    task.case_id,
                    moves,
                )
            )
        for row, case in session.execute(
            select(Resubmission, Case)
            .join(Case, Case.id == Resubmission.case_id)
            .where(
                Resubmission.status == "pending",
                Resubmission.due_date <= day,
                Resubmission.for_user == principal.name,
            )
        ).all():
            views.append(
                TaskView(
                    None,
                    "resubmission",
                    f"Wiedervorlage {case.reference}: {row.note or case.title}",
                    row.due_date,
                    row.due_date < day,
                    principal.name,
                    None,
                    case.id,
                    (),
                )
            )
        return views


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    label: str
    transition: str | None
    from_state: str | None
    to_state: str | None
    comment: str | None
    fields: dict[str, object] | None
    definition_version: int


@dataclass(frozen=True)
class InstanceView:
    id: str
    workflow: str
    title: str
    version: int
    state: str
    state_label: str
    status: str
    subject: str  # "Vorgang 1.2-0001/2026-1" or "Dokument <id>"
    open_tasks: tuple[str, ...]
    row_version: int
    history: tuple[HistoryEntry, ...]


def get_instance(records: Records, principal: Principal, instance_id: str) -> InstanceView:
    with records.reading() as session:
        instance = session.get(WorkflowInstance, instance_id)
        if instance is None:
            raise NotFound(f"There is no workflow {instance_id!r}.")
        require(session, principal, Permission.READ, instance.orgunit_id)
        return _view(session, instance)


def instances_of(
    records: Records,
    principal: Principal,
    *,
    case: str | None = None,
    document_id: str | None = None,
) -> list[InstanceView]:
    """Every workflow that ran or runs on a Vorgang (by reference) or a document."""
    with records.reading() as session:
        if case is not None:
            found = session.scalar(select(Case).where(Case.reference == case))
            if found is None:
                raise NotFound(f"There is no Vorgang {case!r}.")
            require(session, principal, Permission.READ, found.case_file.orgunit_id)
            where = WorkflowInstance.case_id == found.id
        else:
            document = session.get(Document, document_id)
            if document is None:
                raise NotFound(f"There is no document {document_id!r}.")
            require(session, principal, Permission.READ, document.orgunit_id)
            where = WorkflowInstance.document_id == document.id
        rows = session.scalars(
            select(WorkflowInstance).where(where).order_by(WorkflowInstance.started_at)
        ).all()
        return [_view(session, row) for row in rows]


def _view(session: Session, instance: WorkflowInstance) -> InstanceView:
    definition = parsed(instance.definition)
    history = session.scalars(
        select(WorkflowHistory)
        .where(WorkflowHistory.instance_id == instance.id)
        .order_by(WorkflowHistory.seq)
    ).all()
    tasks = session.scalars(
        select(WorkflowTask.id).where(
            WorkflowTask.instance_id == instance.id,
            WorkflowTask.status.in_([TaskStatus.OPEN.value, TaskStatus.WAITING.value]),
        )
    ).all()
    if instance.case_id:
        case = session.get(Case, instance.case_id)
        subject = f"Vorgang {case.reference if case else '?'}"
    else:
        subject = f"Dokument {instance.document_id}"
    return InstanceView(
        instance.id,
        definition.name,
        definition.title,
        instance.definition.version,
        instance.state,
        definition.states[instance.state].label,
        instance.status,
        subject,
        tuple(tasks),
        instance.row_version,
        tuple(
            HistoryEntry(
                h.seq,
                h.at,
                h.actor,
                h.action,
                h.label,
                h.transition,
                h.from_state,
                h.to_state,
                h.comment,
                h.fields,
                h.definition_version,
            )
            for h in history
        ),
    )
