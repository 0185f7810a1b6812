"""What the search backends index and answer, independent of the engine."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from eakte.exceptions import EakteError

#: A query word of this many folded letters also matches as the beginning of a longer
#: word (``Sperrmüll`` → ``Sperrmüllabfuhr``), in every backend and in the snippets.
MIN_PREFIX_WORD = 4
#: Facets and their index fields.
FACETS = ("orgunit", "doc_type", "year", "state", "workflow")


class Sort(enum.StrEnum):
    RELEVANCE = "relevanz"
    NEWEST = "neueste"
    OLDEST = "aelteste"


@dataclass(frozen=True)
class IndexDoc:
    """One document as the index sees it (built from the database by the indexer)."""

    doc_id: str
    title: str
    text: str
    orgunit: str  # org unit code, e.g. "32"
    orgunit_id: str
    received: datetime
    version_count: int
    reference: str = ""  # Aktenzeichen of its Vorgang or Akte, as written
    case_file_reference: str = ""  # Aktenzeichen of its Akte (also when in a Vorgang)
    plan_code: str = ""  # file plan code of its Akte
    doc_type: str = ""
    sender: str = ""
    document_date: date | None = None
    state: str = "posteingang"
    case_file_id: str = ""
    case_id: str = ""
    #: state of the newest workflow on the document or its Vorgang ("" none)
    workflow: str = ""
    #: reads are audited: hits show no text from it (only the document page does)
    confidential: bool = False

    @property
    def sort_date(self) -> date:
        return self.document_date or self.received.date()

    @property
    def year(self) -> int:
        return self.sort_date.year


def stored_json(doc: IndexDoc) -> bytes:
    """What every backend stores per document: the fields a hit shows, and the text
    its snippet is cut from."""
    return json.dumps(
        {
            "title": doc.title,
            "text": doc.text,
            "reference": doc.reference,
            "orgunit": doc.orgunit,
            "doc_type": doc.doc_type,
            "sender": doc.sender,
            "received": doc.received.isoformat(),
            "document_date": doc.document_date.isoformat() if doc.document_date else None,
            "state": doc.state,
            "version_count": doc.version_count,
            "case_file_id": doc.case_file_id,
            "case_id": doc.case_id,
            "workflow": doc.workflow,
            "confidential": doc.confidential,
        },
        ensure_ascii=False,
    ).encode()


class SearchIndexError(EakteError):
    """The index cannot be used (damaged, locked, wrong version): rebuild it."""


@dataclass(frozen=True)
class DateRange:
    start: date | None = None
    end: date | None = None  # inclusive


@dataclass(frozen=True)
class ParsedQuery:
    """A query in terms of analysed terms (see ``_query.parse``)."""

    #: Each clause must match: a word is (stem, folded); it matches the stem in
    #: text/title/sender, or (for words of 4+ letters) a folded word it begins.
    words: tuple[tuple[str, str], ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()  # stems in order
    prefixes: tuple[str, ...] = ()  # folded beginnings ("Genehm*")
    excluded: tuple[str, ...] = ()  # stems that must not occur
    references: tuple[str, ...] = ()  # normalised Aktenzeichen (az:)
    #: the whole query read as an Aktenzeichen: it also matches documents filed under it
    reference_alternative: str | None = None
    doc_types: tuple[str, ...] = ()  # lowercase
    sender_words: tuple[str, ...] = ()  # stems
    orgunits: tuple[str, ...] = ()  # codes
    plan_prefixes: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    workflows: tuple[str, ...] = ()  # workflow state names
    document_dates: DateRange | None = None
    received_dates: DateRange | None = None
    years: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return self == ParsedQuery()


@dataclass(frozen=True)
class StoredHit:
    doc_id: str
    score: float
    fields: Mapping[str, object]  # stored fields, incl. "text" for the snippet


@dataclass
class BackendResult:
    total: int
    hits: list[StoredHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class Backend(Protocol):
    """One search engine. Writes come from one writer process only (the indexer)."""

    name: str

    def upsert(self, docs: Sequence[IndexDoc]) -> None:
        """Add or replace these documents and commit."""

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
        """Documents matching ``query`` in the org units (ids; None: all)."""

    def fuzzy_texts(self, folded: str, *, orgunits: frozenset[str] | None, limit: int) -> list[str]:
        """Stored texts of documents with a word within edit distance 2 of ``folded``."""

    def versions(self) -> dict[str, int]:
        """doc_id → version_count of everything indexed (for ``eakte search check``)."""

    def close(self) -> None: ...
