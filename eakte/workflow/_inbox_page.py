"""Reading for the Posteingang and the document page: documents with the workflows
that run on them and the workflows that could start there. Permissions are
checked by the records services and here, as in every service."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import NotFound
from eakte.models import Document, InstanceStatus, OrgUnit, WorkflowInstance
from eakte.records import InboxEntry, Principal, Records, list_inbox
from eakte.records._principal import Permission, allowed, ancestors, require
from eakte.workflow._definition import Definition
from eakte.workflow._registry import list_definitions, parsed
from eakte.workflow._tasks import InstanceView, _view


@dataclass(frozen=True)
class InboxItem:
    entry: InboxEntry
    running: InstanceView | None  # the workflow running on the document, if one does
    startable: tuple[tuple[str, str], ...]  # (name, title); empty without write permission
    may_write: bool  # the reader may file it (and start workflows)


@dataclass(frozen=True)
class InboxView:
    items: tuple[InboxItem, ...]
    page: int
    pages: int
    total: int


def inbox_page(records: Records, principal: Principal, page: int = 1) -> InboxView:
    """One page of the Posteingang (see :func:`eakte.records.list_inbox`) with workflows."""
    listing = list_inbox(records, principal, page)
    with records.reading() as session:
        fitting = _FittingCache(session)
        items = []
        for entry in listing.entries:
            document = session.get(Document, entry.id)
            if document is None:  # filed and deleted meanwhile: not in the inbox any more
                continue
            running = session.scalar(
                select(WorkflowInstance).where(
                    WorkflowInstance.document_id == entry.id,
                    WorkflowInstance.status == InstanceStatus.RUNNING.value,
                )
            )
            may_write = allowed(session, principal, Permission.WRITE, document.orgunit_id)
            may_start = running is None and may_write
            items.append(
                InboxItem(
                    entry,
                    _view(session, running) if running is not None else None,
                    fitting(document.orgunit_id) if may_start else (),
                    may_write,
                )
            )
    return InboxView(tuple(items), listing.page, listing.pages, listing.total)


@dataclass(frozen=True)
class DocumentWorkflows:
    instances: tuple[InstanceView, ...]  # oldest first
    startable: tuple[tuple[str, str], ...]


def document_workflows(
    records: Records, principal: Principal, document_id: str
) -> DocumentWorkflows:
    """The workflows that ran or run on a document, and those that could start now."""
    with records.reading() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound(f"There is no document {document_id!r}.")
        require(session, principal, Permission.READ, document.orgunit_id)
        rows = session.scalars(
            select(WorkflowInstance)
            .where(WorkflowInstance.document_id == document_id)
            .order_by(WorkflowInstance.started_at)
        ).all()
        views = tuple(_view(session, row) for row in rows)
        may_start = (
            document.case_file_id is None  # document workflows run on inbox documents
            and all(r.status != InstanceStatus.RUNNING.value for r in rows)
            and allowed(session, principal, Permission.WRITE, document.orgunit_id)
        )
        startable = _FittingCache(session)(document.orgunit_id) if may_start else ()
    return DocumentWorkflows(views, startable)


class _FittingCache:
    """The newest version of each workflow that runs on a document of an org unit."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.codes = {code: id_ for code, id_ in session.execute(select(OrgUnit.code, OrgUnit.id))}
        self.by_unit: dict[str, tuple[tuple[str, str], ...]] = {}
        self.definitions: list[Definition] = []
        seen: set[str] = set()
        for row in list_definitions(session):  # newest first within each name
            if row.name not in seen:
                seen.add(row.name)
                self.definitions.append(parsed(row))

    def __call__(self, orgunit_id: str) -> tuple[tuple[str, str], ...]:
        if orgunit_id not in self.by_unit:
            above = set(ancestors(self.session, orgunit_id))
            self.by_unit[orgunit_id] = tuple(
                sorted(
                    (
                        (d.name, d.title)
                        for d in self.definitions
                        if d.subject != "case"
                        and (d.orgunit is None or self.codes.get(d.orgunit) in above)
                    ),
                    key=lambda pair: pair[1],
                )
            )
        return self.by_unit[orgunit_id]
