"""The whoosh backend (pure Python, ``whoosh-reloaded``): the same terms as the
tantivy backend (analysed in ``_analysis``) indexed with a whitespace-only
analyzer, so that whoosh neither lowercases nor drops stopwords, and queries
built from whoosh query objects, never with whoosh's query parser."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from whoosh import fields, index, sorting  # type: ignore[import-untyped]
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer  # type: ignore[import-untyped]

from ._analysis import stems, terms
from ._model import (
    FACETS,
    MIN_PREFIX_WORD,
    BackendResult,
    DateRange,
    IndexDoc,
    ParsedQuery,
    SearchIndexError,
    Sort,
    StoredHit,
    stored_json,
)

_WRITER_MB = 128
_TITLE_BOOST = 3.0
_REFERENCE_BOOST = 10.0
_PREFIX_SCORE = 0.5
_FACET_SIZE = 50
#: Held by the backend that writes, from its first upsert until ``close()``, like
#: tantivy's writer lock (whoosh's own lock is only held during one commit).
_INDEXER_LOCK = "EAKTE_INDEXER_LOCK"


def _schema() -> Any:
    words = SpaceSeparatedTokenizer()
    return fields.Schema(
        doc_id=fields.ID(stored=True, unique=True),
        text=fields.TEXT(analyzer=words, phrase=True),  # stems, with positions
        title=fields.TEXT(analyzer=words, phrase=False),
        sender=fields.TEXT(analyzer=words, phrase=False),
        folded=fields.TEXT(analyzer=words, phrase=False),
        reference=fields.ID,
        case_file_reference=fields.ID,
        plan_code=fields.ID,
        orgunit=fields.ID(sortable=True),
        orgunit_id=fields.ID,
        doc_type=fields.ID(sortable=True),
        state=fields.ID(sortable=True),
        workflow=fields.ID(sortable=True),
        year=fields.NUMERIC(int, sortable=True),
        sort_date=fields.DATETIME(stored=True, sortable=True),
        document_date=fields.DATETIME,
        received=fields.DATETIME,
        stored=fields.STORED,
    )


def _signature(schema: Any) -> list[tuple[str, ...]]:
    """What must match between our schema and an index's (whoosh's columns lack ``==``)."""
    return [
        (name, type(field).__name__, type(field.format).__name__, str(field.stored))
        for name, field in schema.items()
    ]


def _at(day: date) -> datetime:
    return datetime.combine(day, time())


class WhooshBackend:
    name = "whoosh"

    def __init__(self, path: Path, *, writable: bool = False) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.schema = _schema()
        try:
            if index.exists_in(str(path)):
                self.index: Any = index.open_dir(str(path))
            else:
                self.index = index.create_in(str(path), self.schema)
        except Exception as e:  # whoosh reports damage as anything from EOFError to KeyError
            raise SearchIndexError(
                f"The search index in {path} cannot be opened ({type(e).__name__}: {e}). "
                "Rebuild it with 'eakte search reindex'."
            ) from e
        if _signature(self.index.schema) != _signature(self.schema):
            raise SearchIndexError(
                f"The search index in {path} was built with other fields. Rebuild it with "
                "'eakte search reindex'."
            )
        self._lock: Any = None
        self._writable = writable

    # -- writing ----------------------------------------------------------------------

    def _lock_or_fail(self) -> None:
        if self._lock is not None:
            return
        if not self._writable:
            raise SearchIndexError("This search index was opened for reading only.")
        lock = self.index.storage.lock(_INDEXER_LOCK)
        if not lock.acquire(blocking=False):
            raise SearchIndexError(
                f"The search index in {self.path} is locked by another writer. "
                "Only the indexer may write; stop the other one."
            )
        self._lock = lock

    def upsert(self, docs: Sequence[IndexDoc]) -> None:
        self._lock_or_fail()
        try:
            writer = self.index.writer(limitmb=_WRITER_MB, procs=1)
        except index.LockError as e:
            raise SearchIndexError(
                f"The search index in {self.path} is locked by another writer ({e}). "
                "Only the indexer may write; stop the other one."
            ) from e
        try:
            # whoosh replaces only committed documents: the last of a doc_id in a batch wins
            for doc in {doc.doc_id: doc for doc in docs}.values():
                writer.update_document(**self._document(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def _document(self, doc: IndexDoc) -> dict[str, object]:
        text_stems, folded = terms(doc.text)
        title_stems, title_folded = terms(doc.title)
        fields_: dict[str, object] = {
            "doc_id": doc.doc_id,
            "text": " ".join(text_stems),
            "folded": " ".join(folded | title_folded),
            "title": " ".join(title_stems),
            "sender": " ".join(stems(doc.sender)),
            "orgunit": doc.orgunit,
            "orgunit_id": doc.orgunit_id,
            "doc_type": doc.doc_type.lower(),
            "state": doc.state,
            "year": doc.year,
            "sort_date": _at(doc.sort_date),
            "received": doc.received.replace(tzinfo=None),
            "stored": stored_json(doc),
        }
        if doc.reference:
            fields_["reference"] = doc.reference
        if doc.case_file_reference:
            fields_["case_file_reference"] = doc.case_file_reference
        if doc.plan_code:
            fields_["plan_code"] = doc.plan_code
        if doc.workflow:
            fields_["workflow"] = doc.workflow
        if doc.document_date:
            fields_["document_date"] = _at(doc.document_date)
        return fields_

    # -- reading ----------------------------------------------------------------------

    def _word(self, stem: str, folded: str) -> Any:
        options = [
            wq.Term("text", stem),
            wq.Term("title", stem, boost=_TITLE_BOOST),
            wq.Term("sender", stem),
        ]
        if len(folded) >= MIN_PREFIX_WORD:
            options.append(self._prefix("folded", folded))
        return wq.DisjunctionMax(options)

    def _reference(self, reference: str, boost: float = 1.0) -> Any:
        """Filed under this Aktenzeichen: its Vorgang's, or its Akte's."""
        return wq.Or(
            [
                wq.Term("reference", reference, boost=boost),
                wq.Term("case_file_reference", reference, boost=boost),
            ]
        )

    def _prefix(self, field: str, beginning: str) -> Any:
        # whoosh scores a prefix that expands to one term like that term: force a constant
        return wq.ConstantScoreQuery(wq.Prefix(field, beginning), _PREFIX_SCORE)

    def _dates(self, field: str, dates: DateRange) -> Any:
        # the end day counts whole: up to (not including) the next midnight
        start = _at(dates.start) if dates.start else None
        end = _at(dates.end + timedelta(days=1)) if dates.end else None
        return wq.DateRange(field, start, end, endexcl=end is not None)

    def _any(self, field: str, values: Sequence[str]) -> Any:
        return wq.ConstantScoreQuery(wq.Or([wq.Term(field, v) for v in values]))

    def build(self, query: ParsedQuery, orgunits: frozenset[str] | None) -> Any:
        must: list[Any] = []
        must += [self._word(stem, folded) for stem, folded in query.words]
        must += [wq.Phrase("text", list(p)) for p in query.phrases]
        must += [self._prefix("folded", p) for p in query.prefixes]
        must += [self._reference(r) for r in query.references]
        if query.doc_types:
            must.append(self._any("doc_type", query.doc_types))
        must += [wq.Term("sender", s) for s in query.sender_words]
        if query.orgunits:
            must.append(self._any("orgunit", query.orgunits))
        if query.plan_prefixes:
            must.append(
                wq.DisjunctionMax([self._prefix("plan_code", p) for p in query.plan_prefixes])
            )
        if query.states:
            must.append(self._any("state", query.states))
        if query.workflows:
            must.append(self._any("workflow", query.workflows))
        if query.years:
            must.append(wq.DisjunctionMax([wq.NumericRange("year", y, y) for y in query.years]))
        if query.document_dates:
            must.append(self._dates("document_date", query.document_dates))
        if query.received_dates:
            must.append(self._dates("received", query.received_dates))
        if query.reference_alternative and must:
            reference = self._reference(query.reference_alternative, _REFERENCE_BOOST)
            must = [wq.DisjunctionMax([reference, wq.And(must)])]
        if orgunits is not None:
            must.append(self._any("orgunit_id", sorted(orgunits)))
        built = wq.And(must) if must else wq.Every()
        if query.excluded:
            built = wq.AndNot(built, wq.Or([wq.Term("text", s) for s in query.excluded]))
        return built

    def search(
        self,
        query: ParsedQuery,
        *,
        orgunits: frozenset[str] | None,
        sort: Sort,
        offset: int,
        limit: int,
        facets: bool,
    ) -> BackendResult:
        if orgunits is not None and not orgunits:
            return BackendResult(total=0, hits=[], facets={name: {} for name in FACETS})
        options: dict[str, Any] = {"limit": max(1, offset + limit)}
        if sort is not Sort.RELEVANCE:
            options.update(sortedby="sort_date", reverse=sort is Sort.NEWEST)
        if facets:
            options["groupedby"] = {name: sorting.FieldFacet(name) for name in FACETS}
            options["maptype"] = sorting.Count
        with self.index.searcher() as searcher:
            found = searcher.search(self.build(query, orgunits), **options)
            hits = [self._hit(hit, sort) for hit in found[offset : offset + limit]]
            counts = {name: _top(found.groups(name)) for name in FACETS} if facets else {}
            return BackendResult(total=len(found), hits=hits, facets=counts)

    def _hit(self, hit: Any, sort: Sort) -> StoredHit:
        score = float(hit.score) if sort is Sort.RELEVANCE else 0.0  # by date: no score
        return StoredHit(str(hit["doc_id"]), score, json.loads(hit["stored"]))

    def fuzzy_texts(self, folded: str, *, orgunits: frozenset[str] | None, limit: int) -> list[str]:
        if orgunits is not None and not orgunits:
            return []
        clauses: list[Any] = [wq.FuzzyTerm("folded", folded, maxdist=2, prefixlength=0)]
        if orgunits is not None:
            clauses.append(self._any("orgunit_id", sorted(orgunits)))
        with self.index.searcher() as searcher:
            found = searcher.search(wq.And(clauses), limit=max(1, limit))
            return [str(json.loads(hit["stored"])["text"]) for hit in found[:limit]]

    def versions(self) -> dict[str, int]:
        with self.index.searcher() as searcher:
            return {
                str(stored["doc_id"]): int(json.loads(stored["stored"])["version_count"])
                for stored in searcher.all_stored_fields()
            }

    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def _top(counts: dict[Any, int]) -> dict[str, int]:
    """The most frequent values first (then by value), as tantivy's terms aggregation."""
    ranked = sorted(((str(k), n) for k, n in counts.items() if k), key=lambda kn: (-kn[1], kn[0]))
    return dict(ranked[:_FACET_SIZE])
