"""The engine: start a workflow on a Vorgang or an inbox document, and take a
transition on a task. Permissions and guards are checked here, in the service
layer; every change writes a history entry and an audit event.

Concurrency: of two people acting on one task at the same moment the second
waits for the first (the instance row is locked, see :mod:`._rows`), then
finds the task done and gets :class:`WorkflowConflict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import (
    CommentRequired,
    FourEyesViolation,
    NotFound,
    PermissionDenied,
    WorkflowConflict,
    WorkflowError,
)
from eakte.models import (
    Case,
    Document,
    InstanceStatus,
    OrgUnit,
    TaskKind,
    TaskStatus,
    User,
    WorkflowInstance,
    WorkflowTask,
)
from eakte.records import Principal, Records
from eakte.records._principal import Permission, ancestors, require
from eakte.workflow._actions import run_entry_actions
from eakte.workflow._calendar import add_working_days, today
from eakte.workflow._circulation import CirculationSpec, open_circulation
from eakte.workflow._definition import Definition, FieldSpec, FieldType, StateType, Transition
from eakte.workflow._journal import record
from eakte.workflow._people import describe, is_assignee, last_actor, may_take, resolve
from eakte.workflow._registry import latest_definition, parsed
from eakte.workflow._rows import finish_task, flush_or_conflict, lock_instance


@dataclass(frozen=True)
class Outcome:
    """Where an instance stands after a change."""

    instance_id: str
    state: str
    state_label: str
    status: str
    version: int


def start_workflow(
    records: Records,
    principal: Principal,
    name: str,
    *,
    case: str | None = None,
    document_id: str | None = None,
    reason: str | None = None,
) -> Outcome:
    """Start the newest version of workflow ``name`` on a Vorgang (by reference) or a document."""
    if (case is None) == (document_id is None):
        raise WorkflowError("A workflow runs on one Vorgang or one document: name exactly one.")
    with records.transaction() as session:
        row = latest_definition(session, name)
        definition = parsed(row)
        subject, unit = _subject(session, case, document_id)
        require(session, principal, Permission.WRITE, unit)
        _check_fits(session, definition, subject, unit)
        subject_filter = (
            WorkflowInstance.case_id == subject.id
            if isinstance(subject, Case)
            else WorkflowInstance.document_id == subject.id
        )
        running = session.scalar(
            select(WorkflowInstance).where(
                subject_filter, WorkflowInstance.status == InstanceStatus.RUNNING.value
            )
        )
        if running is not None:
            raise WorkflowError(
                f"Workflow {running.definition.title!r} is already running on this "
                f"{'Vorgang' if isinstance(subject, Case) else 'document'}; finish it first."
            )
        instance = WorkflowInstance(
            definition=row,
            case_id=subject.id if isinstance(subject, Case) else None,
            document_id=subject.id if isinstance(subject, Document) else None,
            orgunit_id=unit,
            state=definition.start.name,
            fields={},
            started_by=principal.actor,
        )
        session.add(instance)
        session.flush()
        label = f"{definition.title} gestartet (Version {row.version})"
        record(
            records,
            session,
            instance,
            principal,
            "started",
            label,
            comment=reason,
            to_state=definition.start.name,
        )
        enter(records, session, instance, definition, definition.start.name)
        return outcome(instance, definition)


def _subject(
    session: Session, case: str | None, document_id: str | None
) -> tuple[Case | Document, str]:
    # the subject stays locked until the new instance is committed: of two people
    # starting a workflow on it at once, the second then finds the first one running
    if case is not None:
        found = session.scalar(select(Case).where(Case.reference == case).with_for_update(of=Case))
        if found is None:
            raise NotFound(f"There is no Vorgang {case!r}.")
        if found.closed_at is not None:
            raise WorkflowError(f"Vorgang {case} is closed (zdA); no workflow can start on it.")
        return found, found.case_file.orgunit_id
    document = session.scalar(
        select(Document).where(Document.id == document_id).with_for_update(of=Document)
    )
    if document is None:
        raise NotFound(f"There is no document {document_id!r}.")
    return document, document.orgunit_id


def _check_fits(
    session: Session, definition: Definition, subject: Case | Document, unit: str
) -> None:
    kind = "case" if isinstance(subject, Case) else "document"
    if definition.subject not in ("any", kind):
        what = "a Vorgang" if definition.subject == "case" else "an inbox document"
        raise WorkflowError(f"Workflow {definition.name!r} runs on {what} only.")
    if definition.orgunit is not None:
        owner = session.scalar(select(OrgUnit.id).where(OrgUnit.code == definition.orgunit))
        if owner is None or owner not in ancestors(session, unit):
            raise WorkflowError(
                f"Workflow {definition.name!r} belongs to org unit {definition.orgunit}; "
                "start it there or use another workflow."
            )


def enter(
    records: Records,
    session: Session,
    instance: WorkflowInstance,
    definition: Definition,
    state_name: str,
    circulation: CirculationSpec | None = None,
) -> None:
    """Put the instance into a state: its task, deadline, Umlauf and entry actions."""
    state = definition.states[state_name]
    instance.state = state_name
    run_entry_actions(records, session, instance, state)
    if state.type is StateType.END:
        instance.status = InstanceStatus.COMPLETED.value
        instance.ended_at = datetime.now(UTC)
        session.flush()
        return
    assert state.assign is not None  # the loader insists on it
    who = resolve(session, state.assign, instance)
    due = (
        add_working_days(today(), state.deadline.working_days, records.settings.holiday_state)
        if state.deadline
        else None
    )
    task = WorkflowTask(
        kind=TaskKind.STEP.value,
        instance_id=instance.id,
        case_id=instance.case_id,
        state=state_name,
        title=f"{definition.title}: {state.label}",
        assignee=who.user,
        pool_orgunit_id=who.orgunit_id,
        pool_role=who.role,
        due_date=due,
    )
    session.add(task)
    session.flush()
    if state.circulation is not None:
        if circulation is None:
            raise WorkflowError(
                f"The step {state.label!r} is an Umlauf: name the people or org units who "
                "co-sign (Mitzeichnung)."
            )
        open_circulation(records, session, instance, task, circulation)
    elif circulation is not None:
        raise WorkflowError(f"The step {state.label!r} is no Umlauf; leave out the co-signers.")


def take(
    records: Records,
    principal: Principal,
    task_id: str,
    transition: str,
    *,
    comment: str | None = None,
    fields: dict[str, Any] | None = None,
    circulation: CirculationSpec | None = None,
) -> Outcome:
    """Take ``transition`` on a step task, as ``principal``."""
    comment = (comment or "").strip() or None
    with records.transaction() as session:
        task, instance, definition = _open_step(session, principal, task_id)
        move = definition.transition(transition)
        if move is None or instance.state not in move.sources:
            names = ", ".join(t.name for t in definition.leaving(instance.state)) or "none"
            raise WorkflowError(
                f"{transition!r} cannot be taken in step {instance.state!r} (possible: {names})."
            )
        _check_guards(session, principal, task, instance, move, comment)
        values = check_fields(session, move.fields, fields or {})
        from_state = instance.state
        finish_task(session, task, principal)
        instance.fields = {**instance.fields, **values}
        flush_or_conflict(session)
        record(
            records,
            session,
            instance,
            principal,
            "transition",
            move.label,
            transition=move.name,
            from_state=from_state,
            to_state=move.target,
            comment=comment,
            fields=values,
        )
        enter(records, session, instance, definition, move.target, circulation)
        return outcome(instance, definition)


def _open_step(
    session: Session, principal: Principal, task_id: str
) -> tuple[WorkflowTask, WorkflowInstance, Definition]:
    task = session.get(WorkflowTask, task_id)
    if task is None or task.kind != TaskKind.STEP.value or task.instance_id is None:
        raise NotFound(f"There is no workflow task {task_id!r}.")
    instance = lock_instance(session, task.instance_id)  # who came second waits here
    session.refresh(task)  # ... and then sees what the first did
    if not is_assignee(session, principal, task):  # tell outsiders nothing about the task
        require(session, principal, Permission.READ, instance.orgunit_id)
    if task.status == TaskStatus.DONE.value:
        who = (task.done_by or "someone").removeprefix("user:")
        raise WorkflowConflict(
            f"{who} has completed this task already ({task.done_at:%d.%m.%Y %H:%M} UTC). "
            "Reload to see where the workflow stands now."
        )
    if task.status == TaskStatus.WAITING.value:
        raise WorkflowError("An Umlauf is running on this task; wait until it has ended.")
    if task.status != TaskStatus.OPEN.value:
        raise WorkflowConflict("This task was cancelled. Reload to see the current tasks.")
    return task, instance, parsed(instance.definition)


def _check_guards(
    session: Session,
    principal: Principal,
    task: WorkflowTask,
    instance: WorkflowInstance,
    move: Transition,
    comment: str | None,
) -> None:
    if not move.allowed and not principal.system:
        raise WorkflowError(f"{move.label!r} is taken by the engine when the Umlauf ends.")
    if not may_take(session, principal, move.allowed, task, instance):
        raise PermissionDenied(
            f"{principal.name} may not take {move.label!r}: this needs {describe(move.allowed)}."
        )
    for earlier in move.four_eyes:
        if last_actor(session, instance, earlier) == principal.actor:
            raise FourEyesViolation(
                f"Vier-Augen-Prinzip: {principal.name} took the step {earlier!r} and may not "
                f"also take {move.label!r}. Another person has to do it."
            )
    if move.comment_required and not comment:
        raise CommentRequired(f"{move.label!r} needs a comment: say why.")


def check_fields(
    session: Session, specs: tuple[FieldSpec, ...], given: dict[str, Any]
) -> dict[str, Any]:
    """The transition's field values, checked and normalised (JSON-ready)."""
    known = {spec.name for spec in specs}
    unknown = sorted(set(given) - known)
    if unknown:
        raise WorkflowError(
            f"Unknown field {unknown[0]!r} (this step asks for: "
            f"{', '.join(sorted(known)) or 'no fields'})."
        )
    values: dict[str, Any] = {}
    for spec in specs:
        raw = given.get(spec.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.required:
                raise WorkflowError(f"Field {spec.label!r} ({spec.name}) is required.")
            continue
        values[spec.name] = _field_value(session, spec, raw)
    return values


def _field_value(session: Session, spec: FieldSpec, raw: Any) -> Any:
    text = str(raw).strip()
    if spec.type is FieldType.NUMBER:  # kept as exact decimal text (no binary floats)
        plain = text.replace(".", "").replace(",", ".") if "," in text else text
        try:
            number = Decimal(plain)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise WorkflowError(f"{spec.label!r} must be a number, not {text!r}.")
        return str(number)
    if spec.type is FieldType.DATE:
        for parse in (date.fromisoformat, lambda v: datetime.strptime(v, "%d.%m.%Y").date()):
            try:
                return parse(text).isoformat()
            except ValueError:
                continue
        raise WorkflowError(f"{spec.label!r} must be a date (TT.MM.JJJJ), not {text!r}.")
    exists = {
        FieldType.ORGUNIT: lambda: select(OrgUnit.id).where(OrgUnit.code == text),
        FieldType.USER: lambda: select(User.id).where(User.username == text),
    }
    if spec.type in exists and session.scalar(exists[spec.type]()) is None:
        what = "org unit" if spec.type is FieldType.ORGUNIT else "user"
        raise WorkflowError(f"{spec.label!r}: there is no {what} {text!r}.")
    return text


def outcome(instance: WorkflowInstance, definition: Definition) -> Outcome:
    return Outcome(
        instance.id,
        instance.state,
        definition.states[instance.state].label,
        instance.status,
        instance.row_version,
    )


def assignee_may_act(session: Session, principal: Principal, task: WorkflowTask) -> None:
    if not is_assignee(session, principal, task):
        raise PermissionDenied(f"{principal.name} is not assigned to this task.")
