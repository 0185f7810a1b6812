"""Every workflow change is written twice, in the same transaction: a readable
history entry for people and an event in the signed audit chain."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eakte.models import WorkflowHistory, WorkflowInstance
from eakte.records import Principal, Records


def record(
    records: Records,
    session: Session,
    instance: WorkflowInstance,
    principal: Principal,
    action: str,
    label: str,
    *,
    transition: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str | None = None,
    fields: dict[str, Any] | None = None,
) -> None:
    seq = (
        session.scalar(
            select(func.max(WorkflowHistory.seq)).where(WorkflowHistory.instance_id == instance.id)
        )
        or 0
    ) + 1
    session.add(
        WorkflowHistory(
            instance_id=instance.id,
            seq=seq,
            actor=principal.actor,
            action=action,
            transition=transition,
            label=label,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            fields=fields or None,
            definition_version=instance.definition.version,
        )
    )
    details: dict[str, Any] = {
        "workflow": instance.definition.name,
        "version": instance.definition.version,
        "label": label,
    }
    for key, value in (
        ("transition", transition),
        ("from", from_state),
        ("to", to_state),
        ("comment", comment),
        ("fields", fields or None),
    ):
        if value is not None:
            details[key] = value
    records.audit.append(
        session,
        actor=principal.actor,
        action=f"workflow.{action}",
        object_type="workflow",
        object_id=instance.id,
        details=details,
    )
