"""The Posteingang: documents without a case file, and filing them into an Akte or Vorgang.

Filing moves a document (and with it the org unit that owns it) into the case
file's org unit. The audit event ``document.filed`` records the new
``orgunit``, ``case_file`` and ``case`` under the keys ``eakte verify``
replays, so a filed document's row still matches its audit history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from eakte.exceptions import RecordsError
from eakte.models import Case, CaseFile, Document, DocumentVersion
from eakte.records._casefiles import create_case, create_case_file, visible_case, visible_case_file
from eakte.records._context import Records
from eakte.records._documents import _locked_document, get_visible
from eakte.records._principal import Permission, Principal, allowed, readable_orgunits, require

PAGE_SIZE = 20
MAX_TARGETS = 20


@dataclass(frozen=True)
class InboxEntry:
    """One unfiled document as the Posteingang lists it."""

    id: str
    title: str
    orgunit: str
    created_at: datetime
    document_date: date | None
    sender: str | None
    document_type: str | None
    references: tuple[str, ...]
    routing: str | None
    routing_rule: str | None
    confidential: bool
    page_count: int | None


@dataclass(frozen=True)
class InboxPage:
    entries: list[InboxEntry]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class Target:
    """An Akte or Vorgang a document can be filed into."""

    kind: str  # "casefile" or "case"
    reference: str
    title: str


def list_inbox(
    records: Records, principal: Principal, page: int = 1, per_page: int = PAGE_SIZE
) -> InboxPage:
    """Documents without case file in the org units the principal may read, newest first."""
    per_page = max(1, min(per_page, 100))
    with records.reading() as session:
        units = readable_orgunits(session, principal)
        where = [Document.case_file_id.is_(None)]
        if units is not None:
            where.append(Document.orgunit_id.in_(units))
        total = session.scalar(select(func.count()).select_from(Document).where(*where)) or 0
        pages = max(1, -(-total // per_page))
        page = max(1, min(page, pages))
        rows = session.scalars(
            select(Document)
            .where(*where)
            .order_by(Document.created_at.desc(), Document.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        metadata = _latest_metadata(session, [d.id for d in rows])
        entries = [_entry(d, metadata.get(d.id, {})) for d in rows]
        return InboxPage(entries, page, pages, total)


def _latest_metadata(session: Session, ids: list[str]) -> dict[str, dict[str, object]]:
    if not ids:
        return {}
    found: dict[str, dict[str, object]] = {}
    for document_id, metadata in session.execute(
        select(DocumentVersion.document_id, DocumentVersion.doc_metadata)
        .where(DocumentVersion.document_id.in_(ids))
        .order_by(DocumentVersion.number)
    ):
        found[document_id] = metadata or {}  # the last (newest) version wins
    return found


def _entry(document: Document, metadata: dict[str, object]) -> InboxEntry:
    references = metadata.get("references")
    routing, rule = metadata.get("routing"), metadata.get("routing_rule")
    return InboxEntry(
        id=document.id,
        title=document.title,
        orgunit=document.orgunit.code,
        created_at=document.created_at,
        document_date=document.document_date,
        sender=document.sender,
        document_type=document.document_type,
        references=tuple(str(r) for r in references) if isinstance(references, list) else (),
        routing=str(routing) if routing else None,
        routing_rule=str(rule) if rule else None,
        confidential=document.confidential,
        page_count=document.page_count,
    )


def find_targets(
    records: Records, principal: Principal, query: str, limit: int = MAX_TARGETS
) -> list[Target]:
    """Open Akten and Vorgänge the principal may write, by reference or title."""
    words = query.strip()
    if not words:
        return []
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with records.reading() as session:
        files = session.scalars(_open_matching(CaseFile, pattern, limit * 5)).all()
        cases = session.scalars(_open_matching(Case, pattern, limit * 5)).all()
        found = [
            Target("casefile", f.reference, f.title)
            for f in files
            if allowed(session, principal, Permission.WRITE, f.orgunit_id)
        ] + [
            Target("case", c.reference, c.title)
            for c in cases
            if allowed(session, principal, Permission.WRITE, c.case_file.orgunit_id)
        ]
        return sorted(found, key=lambda t: t.reference)[:limit]


def file_document(
    records: Records,
    principal: Principal,
    document_id: str,
    case_file: str | None = None,
    case: str | None = None,
) -> Document:
    """Put a document into an Akte (and optionally one of its Vorgänge).

    Needs WRITE on the document's org unit and on the target's; the document
    moves to the target's org unit.
    """
    case_file = (case_file or "").strip() or None
    case = (case or "").strip() or None
    if case_file is None and case is None:
        raise RecordsError("Name the Akte or the Vorgang to file the document in.")
    with records.transaction() as session:
        document = _locked_document(session, document_id)
        require(session, principal, Permission.READ, document.orgunit_id)
        require(session, principal, Permission.WRITE, document.orgunit_id)
        the_case = visible_case(session, principal, case, Permission.WRITE) if case else None
        the_file = (
            visible_case_file(session, principal, case_file, Permission.WRITE)
            if case_file
            else the_case.case_file
            if the_case
            else None
        )
        assert the_file is not None
        if the_case is not None and the_case.case_file_id != the_file.id:
            raise RecordsError(f"Vorgang {case} does not belong to Akte {case_file}.")
        if the_file.closed_at is not None or (the_case and the_case.closed_at is not None):
            closed = the_case.reference if the_case and the_case.closed_at else the_file.reference
            raise RecordsError(f"{closed} is closed (zdA); file the document somewhere open.")
        before = {
            "orgunit": document.orgunit.code,
            "case_file": document.case_file.reference if document.case_file else None,
            "case": document.case.reference if document.case else None,
        }
        document.case_file_id = the_file.id
        document.case_id = the_case.id if the_case else None
        document.orgunit_id = the_file.orgunit_id
        session.flush()
        session.refresh(document)
        records.audit.append(
            session,
            actor=principal.actor,
            action="document.filed",
            object_type="document",
            object_id=document.id,
            details={  # orgunit/case_file/case: the keys eakte verify replays
                "orgunit": the_file.orgunit.code,
                "case_file": the_file.reference,
                "case": the_case.reference if the_case else None,
                "from": before,
            },
        )
        return document


def file_by_reference(
    records: Records, principal: Principal, document_id: str, reference: str
) -> Document:
    """File into the Vorgang or the Akte with this reference (a Vorgang's comes first)."""
    reference = reference.strip()
    if not reference:
        raise RecordsError("Name the Akte or the Vorgang (its reference) to file the document in.")
    with records.reading() as session:
        is_case = session.scalar(select(Case.id).where(Case.reference == reference)) is not None
    if is_case:
        return file_document(records, principal, document_id, case=reference)
    return file_document(records, principal, document_id, case_file=reference)


def file_in_new_case_file(
    records: Records, principal: Principal, document_id: str, *, plan_code: str, title: str
) -> Document:
    """Open a new Akte in the document's org unit and file the document there."""
    unit = _writable_unit(records, principal, document_id)
    created = create_case_file(records, principal, plan_code=plan_code, title=title, orgunit=unit)
    return file_document(records, principal, document_id, case_file=created.reference)


def file_in_new_case(
    records: Records, principal: Principal, document_id: str, *, case_file: str, title: str
) -> Document:
    """Open a new Vorgang in an Akte and file the document there."""
    _writable_unit(records, principal, document_id)
    created = create_case(records, principal, case_file_reference=case_file, title=title)
    return file_document(records, principal, document_id, case=created.reference)


def _writable_unit(records: Records, principal: Principal, document_id: str) -> str:
    """The document's org unit code, if the principal may change the document."""
    with records.reading() as session:
        document = get_visible(session, document_id)
        require(session, principal, Permission.READ, document.orgunit_id)
        require(session, principal, Permission.WRITE, document.orgunit_id)
        return document.orgunit.code


_M = TypeVar("_M", CaseFile, Case)


def _open_matching(model: type[_M], pattern: str, limit: int) -> Select[_M]:
    """Open Akten or Vorgänge whose reference or title contains the (escaped) pattern."""
    return (
        select(model)
        .where(
            model.closed_at.is_(None),
            or_(
                model.reference.ilike(pattern, escape="\\"), model.title.ilike(pattern, escape="\\")
            ),
        )
        .order_by(model.reference)
        .limit(limit)
    )
