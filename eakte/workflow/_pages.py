"""Reading for the web pages: an Akte/Vorgang with its workflows, and one task with
what the reader may do on it. Permissions are checked here, as in every service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import NotFound
from eakte.models import (
    Case,
    Circulation,
    CirculationStep,
    Document,
    OrgUnit,
    TaskKind,
    TaskStatus,
    User,
    WorkflowInstance,
    WorkflowTask,
)
from eakte.records import CaseFileView, Principal, Records, casefile_view
from eakte.records._principal import Permission, ancestors, require
from eakte.workflow._definition import FieldType, StateType
from eakte.workflow._people import is_assignee, may_take
from eakte.workflow._registry import list_definitions, parsed
from eakte.workflow._tasks import InstanceView, _view


@dataclass(frozen=True)
class RecordPage:
    """An Akte or Vorgang, the workflows of its Vorgänge, and what can start on a Vorgang."""

    record: CaseFileView
    workflows: dict[str, tuple[InstanceView, ...]]  # by Vorgang reference
    startable: tuple[tuple[str, str], ...]  # (name, title) of workflows that fit the Vorgang


def record_page(records: Records, principal: Principal, reference: str) -> RecordPage:
    view = casefile_view(records, principal, reference)  # checks the reading permission
    cases = (view.case,) if view.case is not None else view.cases
    with records.reading() as session:
        rows = session.scalars(
            select(WorkflowInstance)
            .where(WorkflowInstance.case_id.in_([c.id for c in cases]))
            .order_by(WorkflowInstance.started_at)
        ).all()
        by_case = {c.id: c.reference for c in cases}
        workflows: dict[str, list[InstanceView]] = {}
        for row in rows:
            assert row.case_id is not None
            workflows.setdefault(by_case[row.case_id], []).append(_view(session, row))
        startable: tuple[tuple[str, str], ...] = ()
        if view.case is not None and view.case.closed_at is None and view.may_write:
            runs = workflows.get(view.case.reference, [])
            if not any(run.status == "running" for run in runs):  # one at a time on a Vorgang
                startable = _fitting(session, view.orgunit_id)
    return RecordPage(view, {k: tuple(v) for k, v in workflows.items()}, startable)


def _fitting(session: Session, orgunit_id: str) -> tuple[tuple[str, str], ...]:
    """The newest version of each workflow that runs on a Vorgang of this org unit."""
    above = set(ancestors(session, orgunit_id))
    codes = {code: unit for code, unit in session.execute(select(OrgUnit.code, OrgUnit.id))}
    fitting, seen = [], set()
    for row in list_definitions(session):  # newest first within each name
        if row.name in seen:
            continue
        seen.add(row.name)
        definition = parsed(row)
        if definition.subject == "document":
            continue
        if definition.orgunit is not None and codes.get(definition.orgunit) not in above:
            continue
        fitting.append((definition.name, definition.title))
    return tuple(sorted(fitting, key=lambda pair: pair[1]))


@dataclass(frozen=True)
class FieldView:
    name: str
    label: str
    type: str  # text, number, date, orgunit, user
    required: bool


@dataclass(frozen=True)
class MoveView:
    """A transition the reader may take now (guards such as Vier-Augen are checked on taking)."""

    name: str
    label: str
    comment_required: bool
    fields: tuple[FieldView, ...]
    umlauf: bool  # its target state is an Umlauf: co-signers are named with it


@dataclass(frozen=True)
class CirculationStepView:
    position: int
    who: str  # a user name, or "OE <code>"
    status: str  # pending, open, signed, refused, cancelled
    acted_by: str | None
    acted_at: datetime | None
    comment: str | None


@dataclass(frozen=True)
class TaskPage:
    id: str
    kind: str  # step, cosign, notice, resubmission
    title: str
    status: str  # open, waiting, done, cancelled
    due_date: date | None
    assignee: str | None
    pool: str | None  # "sachbearbeitung in 32" for a pool task
    done_by: str | None
    done_at: datetime | None
    case_reference: str | None
    document_id: str | None
    document_title: str | None
    instance: InstanceView | None
    moves: tuple[MoveView, ...]
    may_act: bool  # the reader is (one of) the assignee(s) and the task is open
    circulation: tuple[CirculationStepView, ...]  # the Umlauf this task belongs to or waits on
    circulation_mode: str | None
    orgunits: tuple[tuple[str, str], ...]  # (code, name) for org unit fields and co-signers
    users: tuple[tuple[str, str], ...]  # (username, display name)


def task_page(records: Records, principal: Principal, task_id: str) -> TaskPage:
    """One task for its page: an assignee sees it; others need the reading permission
    in the workflow's org unit (a task of another department: PermissionDenied)."""
    with records.reading() as session:
        task = session.get(WorkflowTask, task_id)
        if task is None:
            raise NotFound(f"There is no task {task_id!r}.")
        instance = session.get(WorkflowInstance, task.instance_id) if task.instance_id else None
        assignee = is_assignee(session, principal, task)
        if not assignee:
            require(session, principal, Permission.READ, _orgunit_of(session, task, instance))
        is_open = task.status == TaskStatus.OPEN.value
        moves: tuple[MoveView, ...] = ()
        if instance is not None and task.kind == TaskKind.STEP.value and is_open:
            moves = _moves(session, principal, task, instance)
        steps, mode = _circulation(session, task, instance)
        pool = None
        if task.assignee is None and task.pool_orgunit_id is not None:
            unit = session.get(OrgUnit, task.pool_orgunit_id)
            pool = f"{task.pool_role or 'Mitarbeitende'} in {unit.code if unit else '?'}"
        case = session.get(Case, task.case_id) if task.case_id else None
        document = (
            session.get(Document, instance.document_id)
            if instance is not None and instance.document_id
            else None
        )
        return TaskPage(
            task.id,
            task.kind,
            task.title,
            task.status,
            task.due_date,
            task.assignee,
            pool,
            task.done_by.removeprefix("user:") if task.done_by else None,
            task.done_at,
            case.reference if case else None,
            document.id if document else None,
            document.title if document else None,
            _view(session, instance) if instance is not None else None,
            moves,
            assignee and is_open,
            steps,
            mode,
            tuple(session.execute(select(OrgUnit.code, OrgUnit.name).order_by(OrgUnit.code))),
            tuple(
                session.execute(
                    select(User.username, User.display_name)
                    .where(User.active.is_(True))
                    .order_by(User.username)
                )
            ),
        )


def _orgunit_of(session: Session, task: WorkflowTask, instance: WorkflowInstance | None) -> str:
    if instance is not None:
        return instance.orgunit_id
    case = session.get(Case, task.case_id) if task.case_id else None
    if case is None:
        raise NotFound(f"There is no task {task.id!r}.")
    return case.case_file.orgunit_id


def _moves(
    session: Session, principal: Principal, task: WorkflowTask, instance: WorkflowInstance
) -> tuple[MoveView, ...]:
    definition = parsed(instance.definition)
    moves = []
    for move in definition.leaving(instance.state):
        if not move.allowed or not may_take(session, principal, move.allowed, task, instance):
            continue
        target = definition.states[move.target]
        moves.append(
            MoveView(
                move.name,
                move.label,
                move.comment_required,
                tuple(
                    FieldView(f.name, f.label, FieldType(f.type).value, f.required)
                    for f in move.fields
                ),
                target.circulation is not None and target.type is not StateType.END,
            )
        )
    return tuple(moves)


def _circulation(
    session: Session, task: WorkflowTask, instance: WorkflowInstance | None
) -> tuple[tuple[CirculationStepView, ...], str | None]:
    if instance is None:
        return (), None
    circulation: Circulation | None
    if task.circulation_step_id is not None:
        step = session.get(CirculationStep, task.circulation_step_id)
        circulation = session.get(Circulation, step.circulation_id) if step else None
    elif task.status == TaskStatus.WAITING.value:
        circulation = session.scalar(
            select(Circulation)
            .where(Circulation.instance_id == instance.id, Circulation.status == "running")
            .order_by(Circulation.id.desc())
            .limit(1)
        )
    else:
        return (), None
    if circulation is None:
        return (), None
    codes = {unit: code for unit, code in session.execute(select(OrgUnit.id, OrgUnit.code))}
    return (
        tuple(
            CirculationStepView(
                s.position,
                s.user or f"OE {codes.get(s.orgunit_id or '', '?')}",
                s.status,
                s.acted_by,
                s.acted_at,
                s.comment,
            )
            for s in sorted(circulation.steps, key=lambda s: s.position)
        ),
        circulation.mode,
    )
