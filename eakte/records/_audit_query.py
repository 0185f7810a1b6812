"""Reading the audit trail: filters, paging and who may see which events.

Auditors and administrators see every event. Everybody else sees the events of
the objects they may read: documents, case files, Vorgänge, workflows and
their tasks in their org units. The web's Protokoll pages and ``eakte audit`` both use
:func:`query_audit`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import Session

from eakte.exceptions import NotFound, RecordsError
from eakte.models import (
    AuditEvent,
    Case,
    CaseFile,
    Document,
    Role,
    User,
    WorkflowInstance,
    WorkflowTask,
)
from eakte.records._context import Records
from eakte.records._principal import Principal, readable_orgunits

MAX_LIMIT = 1000
SEE_ALL = {Role.AUDITOR, Role.ADMIN}  # held in any org unit
SYSTEM_ACTORS = ("system", "ingest")  # actors that are no user account


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "occurred_at": self.occurred_at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "details": self.details,
        }


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    offset: int
    limit: int
    has_more: bool


def sees_everything(principal: Principal) -> bool:
    return principal.system or any(role in SEE_ALL for _, role in principal.roles)


def _visible(session: Session, principal: Principal) -> ColumnElement[bool] | None:
    """A condition on AuditEvent for what the principal may see (None: everything)."""
    if sees_everything(principal):
        return None
    units = readable_orgunits(session, principal)
    if not units:
        return false()
    documents = select(Document.id).where(Document.orgunit_id.in_(units))
    case_files = select(CaseFile.id).where(CaseFile.orgunit_id.in_(units))
    cases = select(Case.id).join(CaseFile).where(CaseFile.orgunit_id.in_(units))
    workflows = select(WorkflowInstance.id).where(WorkflowInstance.orgunit_id.in_(units))
    tasks = select(WorkflowTask.id).where(
        or_(WorkflowTask.instance_id.in_(workflows), WorkflowTask.case_id.in_(cases))
    )
    kinds: list[tuple[str, Select[str]]] = [
        ("document", documents),
        ("casefile", case_files),
        ("case", cases),
        ("workflow", workflows),
        ("task", tasks),
    ]
    return or_(
        *(
            and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(ids))
            for kind, ids in kinds
        )
    )


def _moment(value: datetime) -> str:
    if value.tzinfo is None:
        raise RecordsError("Give times with a time zone (e.g. 2026-01-31T12:00:00+01:00).")
    return value.astimezone(UTC).isoformat()  # the stored events' format, so text order works


def _filters(
    actor: str | None,
    action: str | None,
    object_type: str | None,
    object_id: str | None,
    since: datetime | None,
    until: datetime | None,
    before: int | None = None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if before is not None:
        conditions.append(AuditEvent.seq < before)
    if actor:
        conditions.append(AuditEvent.actor.in_({actor, f"user:{actor}"}))
    if action:
        prefix = action.rstrip(".")
        conditions.append(
            or_(
                AuditEvent.action == prefix,
                AuditEvent.action.startswith(prefix + ".", autoescape=True),
            )
        )
    if object_type:
        conditions.append(AuditEvent.object_type == object_type)
    if object_id:
        conditions.append(AuditEvent.object_id == object_id)
    if since is not None:
        conditions.append(AuditEvent.occurred_at >= _moment(since))
    if until is not None:
        conditions.append(AuditEvent.occurred_at < _moment(until))
    return conditions


def query_audit(
    records: Records,
    principal: Principal,
    *,
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
    before: int | None = None,
) -> AuditPage:
    """Events newest first. ``action`` matches the action and its sub-actions
    ("workflow" finds "workflow.started"); ``actor`` is a user name or "system";
    ``until`` is exclusive. ``before`` keeps only events with a smaller seq (page
    on with the last seq seen: stable while new events arrive). Asking for one
    object the principal may not read is NotFound (its existence is not revealed)."""
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise RecordsError(f"Ask for 1 to {MAX_LIMIT} events from an offset of 0 or more.")
    conditions = _filters(actor, action, object_type, object_id, since, until, before)
    with records.reading() as session:
        visible = _visible(session, principal)
        if visible is not None:
            conditions.append(visible)
            if object_type and object_id and not _may_see_object(session, visible, object_id):
                raise NotFound(f"There is no {object_type} {object_id!r} you may see.")
        rows = session.scalars(
            select(AuditEvent)
            .where(*conditions)
            .order_by(AuditEvent.seq.desc())
            .offset(offset)
            .limit(limit + 1)
        ).all()
        entries = [_entry(row) for row in rows[:limit]]
    return AuditPage(entries, offset, limit, has_more=len(rows) > limit)


def check_actor(records: Records, actor: str) -> None:
    """NotFound unless ``actor`` is a user name (also ``user:NAME``, also of an
    inactive account, whose past events stay in the log) or a system actor."""
    if actor in SYSTEM_ACTORS:
        return
    name = actor.removeprefix("user:")
    with records.reading() as session:
        if session.scalar(select(User.id).where(User.username == name)) is None:
            known = ", ".join(SYSTEM_ACTORS)
            raise NotFound(f"Unknown actor {actor!r}: give a user name or one of {known}.")


def object_by_reference(
    records: Records, principal: Principal, reference: str
) -> tuple[str, str] | None:
    """The (object_type, object_id) of the case file or case with this Aktenzeichen,
    if the principal may see its events; else None, as for no such reference."""
    text = reference.strip()
    with records.reading() as session:
        units = None if sees_everything(principal) else readable_orgunits(session, principal)
        case_file = session.scalar(select(CaseFile).where(CaseFile.reference == text))
        if case_file is not None and (units is None or case_file.orgunit_id in units):
            return "casefile", case_file.id
        case = session.scalar(select(Case).where(Case.reference == text))
        if case is not None and (units is None or case.case_file.orgunit_id in units):
            return "case", case.id
    return None


def _may_see_object(session: Session, visible: ColumnElement[bool], object_id: str) -> bool:
    """Whether the object has any visible event (objects without events show nothing)."""
    found = session.scalar(
        select(AuditEvent.seq).where(visible, AuditEvent.object_id == object_id).limit(1)
    )
    return found is not None


def _entry(row: AuditEvent) -> AuditEntry:
    try:
        details = json.loads(row.details)
    except ValueError:
        details = {"raw": row.details}
    return AuditEntry(
        seq=row.seq,
        occurred_at=datetime.fromisoformat(row.occurred_at),
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        details=details if isinstance(details, dict) else {"value": details},
    )
