"""What an export takes: the selection, resolved into case files, cases and documents.

A selection names Akten, Vorgänge and org units, or everything; a date range
narrows it to the documents created in it (alone, it narrows everything).
Resolving checks that every named object exists and that the principal may
read every object it takes in: an export is refused, never silently thinned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from eakte.exceptions import NotFound, PermissionDenied, RecordsError
from eakte.models import Case, CaseFile, Document, DocumentVersion, OrgUnit
from eakte.records._orgs import orgunit_by_code
from eakte.records._principal import Permission, Principal, require


@dataclass(frozen=True)
class Selection:
    """What to export (``eakte export --akte/--vorgang/--orgunit/--from/--to/--all``)."""

    akte: tuple[str, ...] = ()
    vorgang: tuple[str, ...] = ()
    orgunit: tuple[str, ...] = ()
    date_from: date | None = None  # documents created on or after this day (UTC)
    date_to: date | None = None  # ... and on or before this day
    everything: bool = False

    @classmethod
    def of(
        cls,
        *,
        akte: Iterable[str] = (),
        vorgang: Iterable[str] = (),
        orgunit: Iterable[str] = (),
        date_from: date | None = None,
        date_to: date | None = None,
        everything: bool = False,
    ) -> Selection:
        def clean(values: Iterable[str]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))

        return cls(clean(akte), clean(vorgang), clean(orgunit), date_from, date_to, everything)

    @property
    def dated(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    @property
    def empty(self) -> bool:
        return not (self.akte or self.vorgang or self.orgunit or self.everything or self.dated)

    def as_dict(self) -> dict[str, Any]:
        """The form recorded in package.json and in the export's audit event."""
        return {
            "akte": list(self.akte),
            "vorgang": list(self.vorgang),
            "orgunit": list(self.orgunit),
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "all": self.everything,
        }

    def describe(self) -> str:
        """The selection in words (bag-info.txt External-Description)."""
        parts = [f"Akte {ref}" for ref in self.akte]
        parts += [f"Vorgang {ref}" for ref in self.vorgang]
        parts += [f"Organisationseinheit {code}" for code in self.orgunit]
        if self.everything or (self.dated and not parts):
            parts.append("alle Akten und Posteingänge")
        text = "; ".join(parts)
        if self.date_from or self.date_to:
            since = self.date_from.isoformat() if self.date_from else "Anfang"
            until = self.date_to.isoformat() if self.date_to else "heute"
            text += f"; Dokumente erstellt {since} bis {until}"
        return f"eakte-Export: {text}"


@dataclass
class Scope:
    """The resolved selection: ids of everything the package holds."""

    case_files: list[str] = field(default_factory=list)  # ordered by reference
    cases: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    inbox_documents: list[str] = field(default_factory=list)  # Posteingang, oldest first
    versions: int = 0
    content_bytes: int = 0

    @property
    def empty(self) -> bool:
        return not self.case_files and not self.documents


def resolve(session: Session, principal: Principal, selection: Selection) -> Scope:
    """Ids of what ``selection`` takes; raises NotFound, PermissionDenied or RecordsError."""
    if selection.empty:
        raise RecordsError(
            "Say what to export: --akte REF, --vorgang REF, --orgunit CODE, --from/--to or --all."
        )
    if selection.date_from and selection.date_to and selection.date_from > selection.date_to:
        raise RecordsError("--from must not be later than --to.")
    akte_ids = [_case_file_id(session, ref) for ref in selection.akte]
    case_ids = [_case_id(session, ref) for ref in selection.vorgang]
    unit_ids = [orgunit_by_code(session, code).id for code in selection.orgunit]
    everything = selection.everything or not (akte_ids or case_ids or unit_ids)

    whole_files: ColumnElement[bool] = (
        true()
        if everything
        else or_(false(), CaseFile.id.in_(akte_ids), CaseFile.orgunit_id.in_(unit_ids))
    )
    file_ids = select(CaseFile.id).where(whole_files)
    documents = _documents_condition(selection, everything, file_ids, case_ids, unit_ids)
    _check_readable(session, principal, whole_files, case_ids, documents)

    scope = Scope()
    rows = session.execute(
        select(Document.id, Document.case_file_id, Document.case_id).where(documents)
    ).all()
    for row in rows:
        scope.documents.add(row.id)
    case_rows = session.execute(
        select(Case.id, Case.case_file_id).where(
            or_(Case.case_file_id.in_(file_ids), Case.id.in_(case_ids))
        )
    ).all()
    wanted_files: set[str] | None = None  # None: every case file the selection names
    if selection.dated:  # only containers that hold a document of the range
        holding_cases = {row.case_id for row in rows if row.case_id}
        wanted_files = {row.case_file_id for row in rows if row.case_file_id}
        scope.cases = {row.id for row in case_rows if row.id in holding_cases}
    else:
        scope.cases = {row.id for row in case_rows}
    named_files = select(Case.case_file_id).where(Case.id.in_(case_ids))
    ordered = session.scalars(
        select(CaseFile.id)
        .where(or_(whole_files, CaseFile.id.in_(named_files)))
        .order_by(CaseFile.reference)
    ).all()
    scope.case_files = [cf for cf in ordered if wanted_files is None or cf in wanted_files]
    scope.inbox_documents = [
        row.id
        for row in session.execute(
            select(Document.id)
            .where(documents, Document.case_file_id.is_(None))
            .order_by(Document.created_at, Document.id)
        ).all()
    ]
    totals = session.execute(
        select(func.count(DocumentVersion.id), func.coalesce(func.sum(DocumentVersion.size), 0))
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(documents)
    ).one()
    scope.versions, scope.content_bytes = int(totals[0]), int(totals[1])
    if scope.empty:
        raise RecordsError(
            f"Nothing to export: {selection.describe().removeprefix('eakte-Export: ')} "
            "holds no Akte and no document. Check the selection."
        )
    return scope


def _documents_condition(
    selection: Selection,
    everything: bool,
    file_ids: Any,
    case_ids: list[str],
    unit_ids: list[str],
) -> ColumnElement[bool]:
    taken: ColumnElement[bool] = (
        true()
        if everything
        else or_(
            false(),
            Document.case_file_id.in_(file_ids),
            Document.case_id.in_(case_ids),
            and_(Document.case_file_id.is_(None), Document.orgunit_id.in_(unit_ids)),
        )
    )
    conditions = [taken]
    if selection.date_from is not None:
        conditions.append(Document.created_at >= _start_of(selection.date_from))
    if selection.date_to is not None:
        conditions.append(Document.created_at < _start_of(selection.date_to + timedelta(days=1)))
    return and_(*conditions)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _case_file_id(session: Session, reference: str) -> str:
    found = session.scalar(select(CaseFile.id).where(CaseFile.reference == reference))
    if found is None:
        raise NotFound(f"No Akte with reference {reference!r}. Check the reference.")
    return found


def _case_id(session: Session, reference: str) -> str:
    found = session.scalar(select(Case.id).where(Case.reference == reference))
    if found is None:
        raise NotFound(f"No Vorgang with reference {reference!r}. Check the reference.")
    return found


def _check_readable(
    session: Session,
    principal: Principal,
    whole_files: ColumnElement[bool],
    case_ids: list[str],
    documents: ColumnElement[bool],
) -> None:
    """READ on the org unit of every case file and document taken (one check per unit)."""
    if principal.system:
        return
    units = set(session.scalars(select(CaseFile.orgunit_id).where(whole_files).distinct()).all())
    units |= set(
        session.scalars(
            select(CaseFile.orgunit_id)
            .join(Case, Case.case_file_id == CaseFile.id)
            .where(Case.id.in_(case_ids))
            .distinct()
        ).all()
    )
    units |= set(session.scalars(select(Document.orgunit_id).where(documents).distinct()).all())
    rows = session.execute(select(OrgUnit.id, OrgUnit.code).where(OrgUnit.id.in_(units))).all()
    codes = {row.id: row.code for row in rows}
    for unit in sorted(units, key=lambda u: codes.get(u, u)):
        try:
            require(session, principal, Permission.READ, unit)
        except PermissionDenied as exc:
            raise PermissionDenied(f"Export refused: {exc}") from None
