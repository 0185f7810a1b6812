"""Searching as a user: the query parsed, permissions applied, hits with snippets.

Permissions are a filter on the org units the user may read, applied in the
query itself, so totals and facet counts never include other departments'
documents, and a change of roles takes effect at once (no reindex).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from eakte.exceptions import SearchUnavailable
from eakte.models import OrgUnit
from eakte.records import Principal, Records
from eakte.records._principal import readable_orgunits

from . import _location
from ._analysis import fold
from ._highlight import Snippet, snippet
from ._jump import jump_target
from ._labels import workflow_state_labels
from ._model import Backend, BackendResult, ParsedQuery, SearchIndexError, Sort
from ._query import parse
from ._suggest import suggest_word

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Hit:
    doc_id: str
    title: str
    reference: str
    orgunit: str
    doc_type: str
    sender: str
    received: datetime
    document_date: date | None
    state: str
    version_count: int
    score: float
    snippet: Snippet  # empty for a confidential document (its reads are audited)
    confidential: bool = False


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    page: int
    page_size: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    orgunit_names: dict[str, str] = field(default_factory=dict)  # code → name
    workflow_labels: dict[str, str] = field(default_factory=dict)  # state name → label


class SearchService:
    """Read side of the index; opens the current generation and follows swaps."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self.settings = records.settings
        self._backend: Backend | None = None
        self._generation: Path | None = None

    def _current(self) -> Backend:
        generation = _location.current_generation(self.settings)
        if generation is None:
            raise SearchUnavailable(
                "Es gibt noch keinen Suchindex. Der Dienst baut ihn beim Start auf; "
                "sonst: 'eakte search reindex'. (No search index yet: run 'eakte search "
                "reindex'.)"
            )
        if generation != self._generation or self._backend is None:
            self.close()
            try:
                self._backend = _location.open_backend(self.settings, generation)
            except SearchIndexError as e:
                raise SearchUnavailable(
                    "Der Suchindex ist beschädigt und wird neu aufgebaut; bitte später erneut "
                    f"suchen. (The search index is damaged: {e})"
                ) from e
            self._generation = generation
        return self._backend

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
        self._backend = self._generation = None

    def search(
        self,
        principal: Principal,
        text: str,
        *,
        sort: Sort = Sort.RELEVANCE,
        page: int = 1,
        page_size: int = 20,
        facets: bool = True,
    ) -> SearchResult:
        """Search as ``principal``; raises QueryError for an unreadable query."""
        query = parse(text)
        page, page_size = max(1, page), min(max(1, page_size), MAX_PAGE_SIZE)
        with self.records.reading() as session:
            readable = readable_orgunits(session, principal)
            units = session.execute(select(OrgUnit.code, OrgUnit.name))
            names = {code: name for code, name in units}
        orgunits = None if readable is None else frozenset(readable)
        backend = self._current()
        found = backend.search(
            query,
            orgunits=orgunits,
            sort=sort,
            offset=(page - 1) * page_size,
            limit=page_size,
            facets=facets,
        )
        suggestion = None
        if found.total == 0 and query.words:
            suggestion = self._suggestion(backend, text, query, orgunits)
        states = set(found.facets.get("workflow", {}))
        with self.records.reading() as session:
            labels = workflow_state_labels(session, states)
        return SearchResult(
            query=text,
            total=found.total,
            page=page,
            page_size=page_size,
            hits=_hits(found, query),
            facets=found.facets,
            suggestion=suggestion,
            orgunit_names=names,
            workflow_labels=labels,
        )

    def jump_target(self, principal: Principal, text: str) -> str | None:
        """The Akte or Vorgang to open when the whole query is its Aktenzeichen and
        ``principal`` may read it (else None)."""
        return jump_target(self.records, principal, text)

    def _suggestion(
        self, backend: Backend, text: str, query: ParsedQuery, orgunits: frozenset[str] | None
    ) -> str | None:
        changed = text
        for _, folded in query.words:
            spelled = next((w for w in text.split() if w and _same(w, folded)), None)
            if spelled is None:
                continue
            better = suggest_word(backend, spelled, orgunits)
            if better:
                changed = changed.replace(spelled, better, 1)
        return changed if changed != text else None


def _same(word: str, folded: str) -> bool:
    return fold(word.strip('".,;:!?')) == folded


def _hits(found: BackendResult, query: ParsedQuery) -> list[Hit]:
    hits = []
    for hit in found.hits:
        f = hit.fields
        document_date = f.get("document_date")
        confidential = bool(f.get("confidential", False))
        hits.append(
            Hit(
                doc_id=hit.doc_id,
                title=str(f.get("title", "")),
                reference=str(f.get("reference", "")),
                orgunit=str(f.get("orgunit", "")),
                doc_type=str(f.get("doc_type", "")),
                sender=str(f.get("sender", "")),
                received=datetime.fromisoformat(str(f["received"])),
                document_date=date.fromisoformat(str(document_date)) if document_date else None,
                state=str(f.get("state", "")),
                version_count=int(f.get("version_count", 0)),  # type: ignore[call-overload]
                score=hit.score,
                snippet=Snippet(()) if confidential else snippet(str(f.get("text", "")), query),
                confidential=confidential,
            )
        )
    return hits
