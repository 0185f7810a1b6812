"""Case files (Akten) and cases (Vorgänge)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eakte.exceptions import AlreadyExists, NotFound, RecordsError
from eakte.models import Case, CaseFile
from eakte.records._context import Records
from eakte.records._fileplan import plan_item_by_code
from eakte.records._orgs import orgunit_by_code
from eakte.records._principal import (
    Permission,
    Principal,
    allowed,
    readable_orgunits,
    require,
)
from eakte.records._references import ReferencePattern, next_sequence, raise_sequence_to


def create_case_file(
    records: Records,
    principal: Principal,
    *,
    plan_code: str,
    title: str,
    orgunit: str,
    year: int | None = None,
    reference: str | None = None,
) -> CaseFile:
    """Open an Akte; its reference is allocated from the pattern unless given (imports)."""
    if not title.strip():
        raise RecordsError("A case file needs a title.")
    pattern = ReferencePattern(records.settings.reference_pattern)
    year = year or datetime.now(UTC).year
    with records.transaction() as session:
        unit = orgunit_by_code(session, orgunit)
        require(session, principal, Permission.WRITE, unit.id)
        item = plan_item_by_code(session, plan_code)
        fields = {"plan": item.code, "year": year, "orgunit": unit.code}
        scope = pattern.scope(**fields)
        if reference is None:
            reference = pattern.format(seq=next_sequence(session, scope), **fields)
        else:
            parsed = pattern.parse(reference)
            if parsed.get("plan", item.code) != item.code:
                raise RecordsError(
                    f"Reference {reference!r} names file plan item {parsed['plan']}, "
                    f"not {item.code}."
                )
            raise_sequence_to(session, scope, int(parsed["seq"]))
        if session.scalar(select(CaseFile).where(CaseFile.reference == reference)) is not None:
            raise AlreadyExists(f"A case file with reference {reference!r} exists already.")
        case_file = CaseFile(
            reference=reference,
            title=title.strip(),
            plan_item_id=item.id,
            orgunit_id=unit.id,
            created_by=principal.name,
        )
        session.add(case_file)
        session.flush()
        records.audit.append(
            session,
            actor=principal.actor,
            action="casefile.created",
            object_type="casefile",
            object_id=case_file.id,
            details={"reference": reference, "title": case_file.title, "plan": item.code},
        )
    return case_file


def visible_case_file(
    session: Session, principal: Principal, reference: str, permission: Permission
) -> CaseFile:
    """The case file, if the principal has the permission there; else the same NotFound
    as for a missing one (references are guessable: never reveal that one exists)."""
    case_file = session.scalar(select(CaseFile).where(CaseFile.reference == reference.strip()))
    if case_file is None or not allowed(session, principal, permission, case_file.orgunit_id):
        raise NotFound(f"No case file with reference {reference!r} that you may {permission}.")
    return case_file


def visible_case(
    session: Session, principal: Principal, reference: str, permission: Permission
) -> Case:
    case = session.scalar(select(Case).where(Case.reference == reference.strip()))
    if case is None or not allowed(session, principal, permission, case.case_file.orgunit_id):
        raise NotFound(f"No case with reference {reference!r} that you may {permission}.")
    return case


def get_case_file(records: Records, principal: Principal, reference: str) -> CaseFile:
    with records.reading() as session:
        return visible_case_file(session, principal, reference, Permission.READ)


def create_case(
    records: Records, principal: Principal, *, case_file_reference: str, title: str
) -> Case:
    """Open a Vorgang inside an Akte, numbered within it."""
    if not title.strip():
        raise RecordsError("A case needs a title.")
    pattern = records.settings.case_reference_pattern
    with records.transaction() as session:
        case_file = visible_case_file(session, principal, case_file_reference, Permission.WRITE)
        session.execute(  # lock: case numbers are counted within the case file
            select(CaseFile.id).where(CaseFile.id == case_file.id).with_for_update()
        )
        if case_file.closed_at is not None:
            raise RecordsError(f"Case file {case_file.reference} is closed (zdA).")
        seq = (
            session.scalar(select(func.max(Case.seq)).where(Case.case_file_id == case_file.id)) or 0
        ) + 1
        case = Case(
            case_file_id=case_file.id,
            seq=seq,
            reference=pattern.format(akte=case_file.reference, seq=seq),
            title=title.strip(),
            created_by=principal.name,
            owner=None if principal.system else principal.name,
        )
        session.add(case)
        session.flush()
        records.audit.append(
            session,
            actor=principal.actor,
            action="case.created",
            object_type="case",
            object_id=case.id,
            details={"reference": case.reference, "title": case.title},
        )
    return case


def list_case_files(records: Records, principal: Principal) -> list[CaseFile]:
    with records.reading() as session:
        units = readable_orgunits(session, principal)
        query = select(CaseFile).order_by(CaseFile.reference)
        if units is not None:
            query = query.where(CaseFile.orgunit_id.in_(units))
        return list(session.scalars(query).all())
