"""The one writer of the search index: it follows the audit log.

Every change of a document writes an audit event in the same transaction, and
events are numbered in commit order. The indexer reads the events after its
watermark, re-indexes the documents they name, commits the index, and only
then moves the watermark. So the index is written only after the database
commit, and a crash anywhere in between is repaired by the next ``sync``
(re-indexing a document twice is harmless). Web requests never write.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from eakte.models import AuditEvent, Document, WorkflowInstance
from eakte.records import Records

from . import _location
from ._analysis import ANALYSIS_VERSION
from ._model import Backend, IndexDoc, SearchIndexError

log = logging.getLogger(__name__)

BATCH = 5_000
_EVENTS_PER_ROUND = 10_000
Progress = Callable[[int, int], None]


def index_doc(document: Document, workflow: str = "") -> IndexDoc:
    case_file, case = document.case_file, document.case
    received = document.created_at
    if received.tzinfo is None:
        received = received.replace(tzinfo=UTC)
    return IndexDoc(
        doc_id=document.id,
        title=document.title,
        text=document.text or "",
        orgunit=document.orgunit.code,
        orgunit_id=document.orgunit_id,
        received=received,
        version_count=document.version_count,
        reference=(case.reference if case else case_file.reference if case_file else ""),
        case_file_reference=case_file.reference if case_file else "",
        plan_code=case_file.plan_item.code if case_file else "",
        doc_type=document.document_type or "",
        sender=document.sender or "",
        document_date=document.document_date,
        state="abgelegt" if case_file else "posteingang",
        case_file_id=document.case_file_id or "",
        case_id=document.case_id or "",
        workflow=workflow,
        confidential=document.confidential,
    )


def index_docs(session: Session, documents: Sequence[Document]) -> list[IndexDoc]:
    """Index entries for these documents, with the state of the newest workflow that
    runs (or ran) on each document or on its Vorgang; one query per batch."""
    ids = [d.id for d in documents]
    cases = {d.case_id for d in documents if d.case_id}
    condition: ColumnElement[bool] = WorkflowInstance.document_id.in_(ids)
    if cases:
        condition = or_(condition, WorkflowInstance.case_id.in_(cases))
    newest: dict[str, str] = {}
    for subject_document, subject_case, state in session.execute(
        select(WorkflowInstance.document_id, WorkflowInstance.case_id, WorkflowInstance.state)
        .where(condition)
        .order_by(WorkflowInstance.started_at, WorkflowInstance.id)
    ):
        newest[subject_document or subject_case or ""] = state  # the later one wins
    return [
        index_doc(d, newest.get(d.id) or (newest.get(d.case_id, "") if d.case_id else ""))
        for d in documents
    ]


@dataclass
class CheckReport:
    """Differences between the index and the database (empty lists: in step)."""

    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    extra: list[str] = field(default_factory=list)  # in the index, not in the database
    stale: list[str] = field(default_factory=list)  # indexed with an older version count
    behind: int = 0  # audit events not yet applied

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.behind)


class SearchIndexer:
    def __init__(self, records: Records) -> None:
        self.records = records
        self.settings = records.settings
        self._backend: Backend | None = None
        self._generation: Path | None = None

    # -- the index in use ------------------------------------------------------------

    def _open(self) -> tuple[Backend, Path]:
        current = _location.current_generation(self.settings)
        if self._backend is not None and self._generation == current and current is not None:
            return self._backend, current
        self.close()  # first use, or a reindex elsewhere swapped generations
        generation = _location.current_generation(self.settings)
        if generation is not None and _location.analysis_version(generation) != ANALYSIS_VERSION:
            log.info("Search index built with another text analysis: rebuilding it")
            generation = None
        if generation is None:
            log.info("Building the search index")
            self.reindex()
            generation = _location.current_generation(self.settings)
            assert generation is not None
        try:
            backend = _location.open_backend(self.settings, generation, writable=True)
        except SearchIndexError as e:
            log.error("Search index unusable (%s): rebuilding it", e)
            self.reindex()
            generation = _location.current_generation(self.settings)
            assert generation is not None
            backend = _location.open_backend(self.settings, generation, writable=True)
        self._backend, self._generation = backend, generation
        return backend, generation

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
        self._backend = self._generation = None

    # -- keeping up ------------------------------------------------------------------

    def sync(self) -> int:
        """Index what changed since the watermark; returns the number of documents."""
        backend, generation = self._open()
        watermark = _location.read_watermark(generation)
        total = 0
        while True:
            with self.records.reading() as session:
                events = session.execute(
                    select(AuditEvent.seq, AuditEvent.object_type, AuditEvent.object_id)
                    .where(AuditEvent.seq > watermark)
                    .order_by(AuditEvent.seq)
                    .limit(_EVENTS_PER_ROUND)
                ).all()
                if not events:
                    return total
                docs = list(_affected(session, events))
            if docs:
                backend.upsert(docs)
            total += len(docs)
            watermark = events[-1].seq
            _location.write_watermark(generation, watermark)

    # -- rebuilding --------------------------------------------------------------------

    def reindex(self, progress: Progress | None = None) -> int:
        """Build a new generation from the database and swap it in; searches keep
        using the old one meanwhile. Returns the number of documents indexed."""
        self.close()
        generation = _location.new_generation(self.settings)
        backend = _location.open_backend(self.settings, generation, writable=True)
        done = 0
        try:
            with self.records.reading() as session:
                head = session.scalar(select(func.max(AuditEvent.seq))) or 0
                total = session.scalar(select(func.count()).select_from(Document)) or 0
                for batch in _batches(
                    session.scalars(select(Document).execution_options(yield_per=1000))
                ):
                    backend.upsert(index_docs(session, batch))
                    done += len(batch)
                    if progress:
                        progress(done, total)
            _location.write_watermark(generation, head)
        finally:
            backend.close()
        _location.make_current(self.settings, generation)
        return done

    def repair(self, report: CheckReport) -> int:
        """Catch up with the audit log, then index whatever is still missing or stale;
        documents only in the index (a restored database) need a rebuild. Returns the
        number of documents indexed."""
        if report.extra:
            return self.reindex()
        count = self.sync()  # what the audit log says; then whatever is still off
        backend, _ = self._open()
        left = self.check()
        ids = set(left.missing) | set(left.stale)
        if ids:
            with self.records.reading() as session:
                docs = index_docs(
                    session, session.scalars(select(Document).where(Document.id.in_(ids))).all()
                )
            backend.upsert(docs)
            count += len(docs)
        return count

    # -- comparing ---------------------------------------------------------------------

    def check(self) -> CheckReport:
        generation = _location.current_generation(self.settings)
        report = CheckReport()
        with self.records.reading() as session:
            in_db = {
                row[0]: row[1]
                for row in session.execute(select(Document.id, Document.version_count))
            }
            head = session.scalar(select(func.max(AuditEvent.seq))) or 0
        if generation is None:
            report.missing = sorted(in_db)
            report.behind = head
            return report
        backend = _location.open_backend(self.settings, generation)
        try:
            indexed = backend.versions()
        finally:
            backend.close()
        report.missing = sorted(set(in_db) - set(indexed))
        report.extra = sorted(set(indexed) - set(in_db))
        report.stale = sorted(d for d in set(in_db) & set(indexed) if in_db[d] != indexed[d])
        report.behind = max(0, head - _location.read_watermark(generation))
        return report


def _batches(rows: Iterable[Document]) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _affected(session: Session, events: Iterable[object]) -> Iterator[IndexDoc]:
    """The documents named by these events (directly, through their Akte/Vorgang, or
    through a workflow on either)."""
    document_ids: set[str] = set()
    containers: set[str] = set()
    workflows: set[str] = set()
    for event in events:
        object_type, object_id = event[1], event[2]  # type: ignore[index]
        if object_type == "document":
            document_ids.add(object_id)
        elif object_type in ("casefile", "case"):
            containers.add(object_id)
        elif object_type == "workflow":
            workflows.add(object_id)
    if workflows:
        for document_id, case_id in session.execute(
            select(WorkflowInstance.document_id, WorkflowInstance.case_id).where(
                WorkflowInstance.id.in_(workflows)
            )
        ):
            if document_id:
                document_ids.add(document_id)
            if case_id:
                containers.add(case_id)
    condition: ColumnElement[bool] | None = Document.id.in_(document_ids) if document_ids else None
    if containers:
        by_container = or_(Document.case_file_id.in_(containers), Document.case_id.in_(containers))
        condition = by_container if condition is None else or_(condition, by_container)
    if condition is None:
        return
    found = session.scalars(select(Document).where(condition)).all()
    for batch in _batches(found):
        yield from index_docs(session, batch)
