"""Case files (Akten) and cases (Vorgänge)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eakte.exceptions import AlreadyExists, NotFound, RecordsError
from eakte.models import Case, CaseFile, Document, FilePlanItem, Resubmission
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

OPEN_RESUBMISSION = ("pending", "due")


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


# -- reading: the file plan tree and the Akte / Vorgang page ------------------------


@dataclass(frozen=True)
class CaseFileRef:
    reference: str
    title: str
    closed: bool


@dataclass(frozen=True)
class PlanNode:
    """A file plan item with its children and the Akten the principal may read."""

    code: str
    title: str
    retention_years: int | None  # None: unlimited
    disposition: str  # A, B or V
    case_files: tuple[CaseFileRef, ...]
    children: tuple[PlanNode, ...]

    @property
    def case_file_count(self) -> int:
        return len(self.case_files) + sum(child.case_file_count for child in self.children)


def file_plan_tree(records: Records, principal: Principal) -> list[PlanNode]:
    """The whole file plan (it is no secret), with only the readable Akten under each item."""
    with records.reading() as session:
        items = session.scalars(select(FilePlanItem).order_by(FilePlanItem.code)).all()
        units = readable_orgunits(session, principal)
        query = select(CaseFile).order_by(CaseFile.reference)
        if units is not None:
            query = query.where(CaseFile.orgunit_id.in_(units))
        files: dict[str, list[CaseFileRef]] = {}
        for cf in session.scalars(query):
            ref = CaseFileRef(cf.reference, cf.title, cf.closed_at is not None)
            files.setdefault(cf.plan_item_id, []).append(ref)
    children: dict[str | None, list[FilePlanItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)

    def node(item: FilePlanItem) -> PlanNode:
        return PlanNode(
            item.code,
            item.title,
            item.retention_years,
            item.disposition,
            tuple(files.get(item.id, ())),
            tuple(node(child) for child in children.get(item.id, ())),
        )

    return [node(item) for item in children.get(None, [])]


@dataclass(frozen=True)
class CaseRow:
    id: str
    reference: str
    title: str
    owner: str | None
    created_at: datetime
    created_by: str
    closed_at: datetime | None
    retention_until: date | None


@dataclass(frozen=True)
class DocumentRow:
    id: str
    title: str
    document_date: date | None
    document_type: str | None
    case_reference: str | None
    created_at: datetime


@dataclass(frozen=True)
class ResubmissionRow:
    due_date: date
    note: str
    for_user: str
    status: str


@dataclass(frozen=True)
class CaseFileView:
    """An Akte as its page shows it; ``case`` is set when the page is one of its Vorgänge."""

    reference: str
    title: str
    plan_code: str
    plan_title: str
    retention_years: int | None
    disposition: str
    orgunit_id: str
    orgunit_code: str
    orgunit_name: str
    created_at: datetime
    created_by: str
    closed_at: datetime | None
    cases: tuple[CaseRow, ...]
    documents: tuple[DocumentRow, ...]  # the Akte's, or the Vorgang's when ``case`` is set
    may_write: bool
    case: CaseRow | None = None
    resubmissions: tuple[ResubmissionRow, ...] = ()


def _case_row(case: Case) -> CaseRow:
    return CaseRow(
        case.id,
        case.reference,
        case.title,
        case.owner,
        case.created_at,
        case.created_by,
        case.closed_at,
        case.retention_until,
    )


def casefile_view(records: Records, principal: Principal, reference: str) -> CaseFileView:
    """The Akte or Vorgang with this reference, if the principal may read it (else NotFound)."""
    with records.reading() as session:
        case = session.scalar(select(Case).where(Case.reference == reference.strip()))
        if case is not None:
            case = visible_case(session, principal, reference, Permission.READ)
            case_file = case.case_file
        else:
            case_file = visible_case_file(session, principal, reference, Permission.READ)
        cases = session.scalars(
            select(Case).where(Case.case_file_id == case_file.id).order_by(Case.seq)
        ).all()
        documents = session.execute(  # the listed columns only: no text, no eager joins
            select(
                Document.id,
                Document.title,
                Document.document_date,
                Document.document_type,
                Case.reference,
                Document.created_at,
            )
            .outerjoin(Case, Document.case_id == Case.id)
            .where(
                Document.case_id == case.id
                if case is not None
                else Document.case_file_id == case_file.id
            )
            .order_by(Document.created_at, Document.id)
        ).all()
        resubmissions = (
            session.scalars(
                select(Resubmission)
                .where(Resubmission.case_id == case.id, Resubmission.status.in_(OPEN_RESUBMISSION))
                .order_by(Resubmission.due_date)
            ).all()
            if case is not None
            else []
        )
        item = case_file.plan_item
        return CaseFileView(
            case_file.reference,
            case_file.title,
            item.code,
            item.title,
            item.retention_years,
            item.disposition,
            case_file.orgunit_id,
            case_file.orgunit.code,
            case_file.orgunit.name,
            case_file.created_at,
            case_file.created_by,
            case_file.closed_at,
            tuple(_case_row(c) for c in cases),
            tuple(DocumentRow(*row) for row in documents),
            allowed(session, principal, Permission.WRITE, case_file.orgunit_id),
            _case_row(case) if case is not None else None,
            tuple(ResubmissionRow(r.due_date, r.note, r.for_user, r.status) for r in resubmissions),
        )
