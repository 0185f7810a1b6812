"""The file plan (Aktenplan) and its items."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import AlreadyExists, NotFound, RecordsError
from eakte.models import Disposition, FilePlanItem
from eakte.records._context import Records
from eakte.records._principal import Permission, Principal, require
from eakte.records._references import check_plan_code


def plan_item_by_code(session: Session, code: str) -> FilePlanItem:
    item = session.scalar(select(FilePlanItem).where(FilePlanItem.code == code))
    if item is None:
        raise NotFound(f"Unknown file plan item {code!r}.")
    return item


def create_plan_item(
    records: Records,
    principal: Principal,
    *,
    code: str,
    title: str,
    retention_years: int | None = None,
    disposition: str = Disposition.EVALUATE.value,
) -> FilePlanItem:
    """Add a node; its parent is the item whose code is the longest dotted prefix."""
    code = check_plan_code(code.strip())
    if not title.strip():
        raise RecordsError("A file plan item needs a title.")
    if retention_years is not None and not 0 <= retention_years <= 1000:
        raise RecordsError("Retention must be 0 to 1000 years, or unlimited.")
    try:
        disposition = Disposition(disposition.upper()).value
    except ValueError:
        raise RecordsError(
            "Disposition must be A (archive), B (evaluate) or V (destroy)."
        ) from None
    with records.transaction() as session:
        require(session, principal, Permission.MANAGE_FILEPLAN)
        if session.scalar(select(FilePlanItem).where(FilePlanItem.code == code)) is not None:
            raise AlreadyExists(f"File plan item {code!r} exists already.")
        parent_code = code.rpartition(".")[0]
        parent = plan_item_by_code(session, parent_code) if parent_code else None
        item = FilePlanItem(
            code=code,
            title=title.strip(),
            parent_id=parent.id if parent else None,
            retention_years=retention_years,
            disposition=disposition,
        )
        session.add(item)
        session.flush()
        records.audit.append(
            session,
            actor=principal.actor,
            action="fileplan.item_created",
            object_type="fileplan_item",
            object_id=item.id,
            details={
                "code": code,
                "title": item.title,
                "retention_years": retention_years,
                "disposition": disposition,
            },
        )
    return item


def list_plan_items(records: Records) -> list[FilePlanItem]:
    with records.reading() as session:
        return list(session.scalars(select(FilePlanItem).order_by(FilePlanItem.code)).all())
