"""What the engine does when an instance enters a state (``on_enter``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from eakte.exceptions import WorkflowError
from eakte.models import Case, Document, TaskKind, WorkflowInstance, WorkflowTask
from eakte.records import SYSTEM, Records
from eakte.workflow._calendar import LOCAL
from eakte.workflow._definition import EntryAction, State
from eakte.workflow._journal import record
from eakte.workflow._people import orgunit_id, resolve


def run_entry_actions(
    records: Records, session: Session, instance: WorkflowInstance, state: State
) -> None:
    for action in state.on_enter:
        if action.action == "zda":
            _zda(records, session, instance)
        elif action.action == "notify":
            _notify(session, instance, state, action)
        elif action.action == "hand_over":
            _hand_over(records, session, instance, action)


def retention_end(closed: date, years: int | None) -> date | None:
    """Retention runs from the end of the year of zdA: 10 years after a 2026 zdA end 31.12.2036."""
    return None if years is None else date(closed.year + years, 12, 31)


def _zda(records: Records, session: Session, instance: WorkflowInstance) -> None:
    case = session.get(Case, instance.case_id) if instance.case_id else None
    if case is None:
        raise WorkflowError("zda needs a Vorgang, and this workflow runs on none.")
    if case.closed_at is not None:
        return
    case.closed_at = datetime.now(UTC)
    case.retention_until = retention_end(  # the year of zdA is the local one
        case.closed_at.astimezone(LOCAL).date(), case.case_file.plan_item.retention_years
    )
    records.audit.append(
        session,
        actor=SYSTEM.actor,
        action="case.closed",
        object_type="case",
        object_id=case.id,
        details={
            "reference": case.reference,
            "workflow": instance.id,
            "retention_until": case.retention_until.isoformat() if case.retention_until else None,
        },
    )
    record(
        records,
        session,
        instance,
        SYSTEM,
        "zda",
        f"Vorgang {case.reference} zu den Akten (zdA)"
        + (
            f", aufzubewahren bis {case.retention_until:%d.%m.%Y}"
            if case.retention_until
            else ", dauernd aufzubewahren"
        ),
    )


def notice(
    session: Session,
    instance: WorkflowInstance,
    title: str,
    assignee_user: str | None,
    pool_orgunit_id: str | None,
    pool_role: str | None,
) -> WorkflowTask:
    task = WorkflowTask(
        kind=TaskKind.NOTICE.value,
        instance_id=instance.id,
        case_id=instance.case_id,
        state=instance.state,
        title=title,
        assignee=assignee_user,
        pool_orgunit_id=pool_orgunit_id,
        pool_role=pool_role,
    )
    session.add(task)
    return task


def _notify(
    session: Session, instance: WorkflowInstance, state: State, action: EntryAction
) -> None:
    assert action.to is not None
    who = resolve(session, action.to, instance)
    notice(
        session,
        instance,
        f"Zur Kenntnis: {instance.definition.title} – {state.label}",
        who.user,
        who.orgunit_id,
        who.role,
    )


def _hand_over(
    records: Records, session: Session, instance: WorkflowInstance, action: EntryAction
) -> None:
    assert action.field is not None
    code = instance.fields.get(action.field)
    if not isinstance(code, str):
        raise WorkflowError(f"The field {action.field!r} names no org unit to hand over to.")
    target = orgunit_id(session, code)
    if target == instance.orgunit_id:
        return
    instance.orgunit_id = target
    document = session.get(Document, instance.document_id) if instance.document_id else None
    if document is not None and document.case_file_id is None:
        previous = document.orgunit.code
        document.orgunit_id = target
        records.audit.append(
            session,
            actor=SYSTEM.actor,
            action="document.moved",
            object_type="document",
            object_id=document.id,
            # "orgunit" is the field's new value, as in every document event (eakte verify
            # replays these to check the document row)
            details={"orgunit": code, "from_orgunit": previous, "workflow": instance.id},
        )
    record(records, session, instance, SYSTEM, "handed_over", f"Abgegeben an {code}")
