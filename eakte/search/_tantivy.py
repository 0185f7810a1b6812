"""The tantivy backend (default): terms analysed in Python (``_analysis``) are
indexed with tantivy's whitespace tokenizer, so no custom tokenizer has to be
registered after every ``Index.open`` (an unregistered name fails silently)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import tantivy

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

_WRITER_HEAP = 128_000_000
_TITLE_BOOST = 3.0
_REFERENCE_BOOST = 10.0
_FACET_SIZE = 50


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("doc_id", stored=True, tokenizer_name="raw", fast=True)
    sb.add_text_field("text", tokenizer_name="whitespace")  # stems, with positions
    sb.add_text_field("title", tokenizer_name="whitespace")
    sb.add_text_field("sender", tokenizer_name="whitespace")
    sb.add_text_field("folded", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("reference", tokenizer_name="raw")
    sb.add_text_field("case_file_reference", tokenizer_name="raw")
    sb.add_text_field("plan_code", tokenizer_name="raw")
    sb.add_text_field("orgunit", tokenizer_name="raw", fast=True)
    sb.add_text_field("orgunit_id", tokenizer_name="raw")
    sb.add_text_field("doc_type", tokenizer_name="raw", fast=True)
    sb.add_text_field("state", tokenizer_name="raw", fast=True)
    sb.add_text_field("workflow", tokenizer_name="raw", fast=True)
    sb.add_unsigned_field("year", indexed=True, fast=True)
    sb.add_date_field("sort_date", indexed=True, fast=True)
    sb.add_date_field("document_date", indexed=True)
    sb.add_date_field("received", indexed=True)
    sb.add_bytes_field("stored", stored=True, indexed=False)
    return sb.build()


def _at(day: date) -> datetime:
    return datetime.combine(day, time())


class TantivyBackend:
    name = "tantivy"

    def __init__(self, path: Path, *, writable: bool = False) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.schema = _schema()
        try:
            self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        except ValueError as e:
            raise SearchIndexError(
                f"The search index in {path} cannot be opened ({e}). Rebuild it with "
                "'eakte search reindex'."
            ) from e
        self._writer: Any = None
        self._writable = writable

    # -- writing ----------------------------------------------------------------------

    def _writer_or_fail(self) -> Any:
        if self._writer is None:
            if not self._writable:
                raise SearchIndexError("This search index was opened for reading only.")
            try:
                self._writer = self.index.writer(_WRITER_HEAP, 1)
            except ValueError as e:
                raise SearchIndexError(
                    f"The search index in {self.path} is locked by another "
                    f"writer ({e}). Only the indexer may write; stop the other one."
                ) from e
        return self._writer

    def upsert(self, docs: Sequence[IndexDoc]) -> None:
        writer = self._writer_or_fail()
        for doc in docs:
            writer.delete_documents_by_term("doc_id", doc.doc_id)
            writer.add_document(self._document(doc))
        writer.commit()
        self.index.reload()

    def _document(self, doc: IndexDoc) -> tantivy.Document:
        d = tantivy.Document()
        d.add_text("doc_id", doc.doc_id)
        text_stems, folded = terms(doc.text)
        title_stems, title_folded = terms(doc.title)
        d.add_text("text", " ".join(text_stems))
        d.add_text("folded", " ".join(folded | title_folded))
        d.add_text("title", " ".join(title_stems))
        d.add_text("sender", " ".join(stems(doc.sender)))
        if doc.reference:
            d.add_text("reference", doc.reference)
        if doc.case_file_reference:
            d.add_text("case_file_reference", doc.case_file_reference)
        if doc.plan_code:
            d.add_text("plan_code", doc.plan_code)
        d.add_text("orgunit", doc.orgunit)
        d.add_text("orgunit_id", doc.orgunit_id)
        d.add_text("doc_type", doc.doc_type.lower())
        d.add_text("state", doc.state)
        if doc.workflow:
            d.add_text("workflow", doc.workflow)
        d.add_unsigned("year", doc.year)
        d.add_date("sort_date", _at(doc.sort_date))
        if doc.document_date:
            d.add_date("document_date", _at(doc.document_date))
        d.add_date("received", doc.received.replace(tzinfo=None))
        d.add_bytes("stored", stored_json(doc))
        return d

    # -- reading ----------------------------------------------------------------------

    def _term(self, field: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field, value)

    def _word(self, stem: str, folded: str) -> tantivy.Query:
        options = [
            self._term("text", stem),
            tantivy.Query.boost_query(self._term("title", stem), _TITLE_BOOST),
            self._term("sender", stem),
        ]
        if len(folded) >= MIN_PREFIX_WORD:
            options.append(self._prefix("folded", folded))
        return tantivy.Query.disjunction_max_query(options)

    def _reference(self, reference: str) -> tantivy.Query:
        """Filed under this Aktenzeichen: its Vorgang's, or its Akte's."""
        return tantivy.Query.disjunction_max_query(
            [self._term("reference", reference), self._term("case_file_reference", reference)]
        )

    def _prefix(self, field: str, beginning: str) -> tantivy.Query:
        return tantivy.Query.const_score_query(
            tantivy.Query.regex_query(self.schema, field, re.escape(beginning) + ".*"), 0.5
        )

    def _dates(self, field: str, dates: DateRange) -> tantivy.Query:
        start = _at(dates.start) if dates.start else tantivy.MIN_DATETIME
        # the end day counts whole: up to (not including) the next midnight
        end = _at(dates.end + timedelta(days=1)) if dates.end else tantivy.MAX_DATETIME
        return tantivy.Query.range_query(
            self.schema,
            field,
            tantivy.FieldType.Date,
            start,
            end,
            include_lower=True,
            include_upper=dates.end is None,
        )

    def _any(self, field: str, values: Sequence[str]) -> tantivy.Query:
        return tantivy.Query.term_set_query(self.schema, field, list(values))

    def build(self, query: ParsedQuery, orgunits: frozenset[str] | None) -> tantivy.Query:
        must: list[tantivy.Query] = []
        must += [self._word(stem, folded) for stem, folded in query.words]
        must += [tantivy.Query.phrase_query(self.schema, "text", list(p)) for p in query.phrases]
        must += [self._prefix("folded", p) for p in query.prefixes]
        must += [self._reference(r) for r in query.references]
        if query.doc_types:
            must.append(self._any("doc_type", query.doc_types))
        must += [self._term("sender", s) for s in query.sender_words]
        if query.orgunits:
            must.append(self._any("orgunit", query.orgunits))
        if query.plan_prefixes:
            must.append(
                tantivy.Query.disjunction_max_query(
                    [self._prefix("plan_code", p) for p in query.plan_prefixes]
                )
            )
        if query.states:
            must.append(self._any("state", query.states))
        if query.workflows:
            must.append(self._any("workflow", query.workflows))
        if query.years:
            must.append(
                tantivy.Query.disjunction_max_query(
                    [
                        tantivy.Query.range_query(
                            self.schema, "year", tantivy.FieldType.Unsigned, y, y
                        )
                        for y in query.years
                    ]
                )
            )
        if query.document_dates:
            must.append(self._dates("document_date", query.document_dates))
        if query.received_dates:
            must.append(self._dates("received", query.received_dates))
        if query.reference_alternative and must:
            reference = tantivy.Query.boost_query(
                self._reference(query.reference_alternative), _REFERENCE_BOOST
            )
            words = tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in must])
            must = [tantivy.Query.disjunction_max_query([reference, words])]
        clauses = [(tantivy.Occur.Must, q) for q in must] or [
            (tantivy.Occur.Must, tantivy.Query.all_query())
        ]
        clauses += [(tantivy.Occur.MustNot, self._term("text", s)) for s in query.excluded]
        if orgunits is not None:
            clauses.append((tantivy.Occur.Must, self._any("orgunit_id", sorted(orgunits))))
        return tantivy.Query.boolean_query(clauses)

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
        built = self.build(query, orgunits)
        self.index.reload()  # see the indexer's last commit (it runs in another process)
        searcher = self.index.searcher()
        if sort is Sort.RELEVANCE:
            found = searcher.search(built, limit, count=True, offset=offset)
        else:
            order = tantivy.Order.Desc if sort is Sort.NEWEST else tantivy.Order.Asc
            found = searcher.search(
                built, limit, count=True, offset=offset, order_by_field="sort_date", order=order
            )
        hits = []
        for score, address in found.hits:
            doc = searcher.doc(address)
            stored = json.loads(bytes(doc["stored"][0]))
            relevance = float(score) if sort is Sort.RELEVANCE else 0.0  # by date: no score
            hits.append(StoredHit(str(doc["doc_id"][0]), relevance, stored))
        counts = self._facets(searcher, built) if facets else {}
        count = getattr(found, "count", None) or 0
        return BackendResult(total=int(count), hits=hits, facets=counts)

    def _facets(self, searcher: Any, built: tantivy.Query) -> dict[str, dict[str, int]]:
        request = {name: {"terms": {"field": name, "size": _FACET_SIZE}} for name in FACETS}
        answer = searcher.aggregate(built, request)
        return {
            name: {str(b["key"]): int(b["doc_count"]) for b in answer[name]["buckets"]}
            for name in FACETS
        }

    def fuzzy_texts(self, folded: str, *, orgunits: frozenset[str] | None, limit: int) -> list[str]:
        clauses = [
            (
                tantivy.Occur.Must,
                tantivy.Query.fuzzy_term_query(self.schema, "folded", folded, distance=2),
            )
        ]
        if orgunits is not None:
            clauses.append((tantivy.Occur.Must, self._any("orgunit_id", sorted(orgunits))))
        searcher = self.index.searcher()
        found = searcher.search(tantivy.Query.boolean_query(clauses), limit, count=False)
        return [str(json.loads(bytes(searcher.doc(a)["stored"][0]))["text"]) for _, a in found.hits]

    def versions(self) -> dict[str, int]:
        searcher = self.index.searcher()
        found = searcher.search(tantivy.Query.all_query(), max(1, searcher.num_docs), count=False)
        result = {}
        for _, address in found.hits:
            doc = searcher.doc(address)
            result[str(doc["doc_id"][0])] = int(
                json.loads(bytes(doc["stored"][0]))["version_count"]
            )
        return result

    def close(self) -> None:
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None
