"""The contract every search backend passes (tantivy and whoosh), with German queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from eakte.search._model import Backend, ParsedQuery, Sort
from eakte.search._query import parse

from .conftest import BACKENDS, CORPUS, doc, open_backend


def ids(
    backend: Backend, text: str, orgunits: frozenset[str] | None = None, **kw: object
) -> list[str]:
    result = backend.search(
        parse(text),
        orgunits=orgunits,
        sort=kw.get("sort", Sort.RELEVANCE),  # type: ignore[arg-type]
        offset=int(kw.get("offset", 0)),  # type: ignore[call-overload]
        limit=int(kw.get("limit", 10)),  # type: ignore[call-overload]
        facets=False,
    )
    return [hit.doc_id for hit in result.hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Antrag", {"antrag", "rechnung"}),  # Anträge, Antrag
        ("Anträge", {"antrag", "rechnung"}),  # stemming both ways
        ("Straße", {"rechnung"}),  # the text says "Strasse"
        ("Schlossstrasse", {"antrag"}),  # the text says "Schloßstraße"
        ("Schloß", {"antrag"}),  # beginning of the compound
        ("Müller", {"laerm"}),  # Mueller
        ("Sperrmüll", {"laerm"}),  # compound: Sperrmüllabfuhr
        ("Genehmigung", {"rechnung"}),  # compound: Genehmigungsgebühr
        ("Lärm Baustelle", {"laerm"}),  # AND
        ("Lärm Gehweg", set()),
        ('"Sondernutzung des Gehwegs"', {"antrag"}),
        ('"Gehwegs Sondernutzung"', set()),
        ("Genehm*", {"rechnung"}),
        ("Antrag -Rechnung", {"antrag"}),
        ("typ:Beschwerde", {"laerm"}),
        ("absender:Weißmüller", {"antrag"}),
        ("absender:Weissmueller", {"antrag"}),
        ("oe:60", {"laerm"}),
        ("plan:32.10", {"antrag"}),
        ("status:abgelegt", {"rechnung"}),
        ("jahr:2023", {"rechnung"}),
        ("datum:2024", {"antrag", "laerm"}),
        ("datum:01.12.2024..31.12.2024", {"antrag"}),
        ("eingang:<=30.11.2024", {"laerm", "rechnung"}),
        ("az:32.10.05-0815/2024", {"antrag"}),  # the Akte of its Vorgang
        ("az:32.10.05-0815/2024-3", {"antrag"}),  # the Vorgang
        ('az:"32.10.05 - 0815 / 2024"', {"antrag"}),
        ("32.10.05 - 0815 / 2024", {"antrag"}),
        ("60.2-123/24", {"laerm"}),
    ],
)
def test_queries(backend: Backend, query: str, expected: set[str]) -> None:
    assert set(ids(backend, query)) == expected, query


def test_the_last_day_of_a_range_counts_whole(backend: Backend) -> None:
    late = datetime(2024, 11, 30, 23, 59, tzinfo=UTC)
    backend.upsert(
        [doc("spaet", "Eingang am Abend", received=late, document_date=date(2024, 11, 30))]
    )
    assert "spaet" in ids(backend, "eingang:<=30.11.2024")
    assert "spaet" in ids(backend, "eingang:30.11.2024")
    assert "spaet" not in ids(backend, "eingang:<=29.11.2024")
    assert "spaet" in ids(backend, "datum:11.2024")


def test_straße_and_strasse_are_the_same(backend: Backend) -> None:
    assert set(ids(backend, "Straße")) == set(ids(backend, "Strasse")) != set()


def test_stemming_really_happens(backend: Backend) -> None:
    """Anträge is in the text only in the plural; the singular finds it."""
    assert "antrag" in ids(backend, "Antrag")
    assert ids(backend, "beantragen") == ["antrag"] or "antrag" in ids(backend, "beantrage")


def test_permission_filter(backend: Backend) -> None:
    assert set(ids(backend, "Antrag", frozenset({"ou-60"}))) == set()
    assert set(ids(backend, "Lärm", frozenset({"ou-60"}))) == {"laerm"}
    assert ids(backend, "Lärm", frozenset()) == []


def test_facets_count_only_what_the_user_may_read(backend: Backend) -> None:
    seen = backend.search(
        ParsedQuery(),
        orgunits=frozenset({"ou-32"}),
        sort=Sort.RELEVANCE,
        offset=0,
        limit=10,
        facets=True,
    )
    assert seen.total == 2
    assert seen.facets["orgunit"] == {"32": 2}
    assert seen.facets["doc_type"] == {"antrag": 1, "rechnung": 1}
    assert seen.facets["year"] == {"2024": 1, "2023": 1}
    assert seen.facets["state"] == {"posteingang": 1, "abgelegt": 1}


def test_sorting_and_paging(backend: Backend) -> None:
    newest = ids(backend, "", sort=Sort.NEWEST)
    assert newest == ["antrag", "laerm", "rechnung"]
    assert ids(backend, "", sort=Sort.OLDEST) == list(reversed(newest))
    assert ids(backend, "", sort=Sort.NEWEST, offset=1, limit=1) == ["laerm"]


def test_title_counts_more_than_text(backend: Backend) -> None:
    assert ids(backend, "Beschwerde")[0] == "laerm"


def test_stored_fields_for_results(backend: Backend) -> None:
    hit = backend.search(
        parse("az:60.2-123/24"),
        orgunits=None,
        sort=Sort.RELEVANCE,
        offset=0,
        limit=1,
        facets=False,
    ).hits[0]
    assert hit.fields["title"] == "Beschwerde Lärm"
    assert hit.fields["reference"] == "60.2-123/24"
    assert "Sperrmüllabfuhr" in str(hit.fields["text"])


def test_upsert_replaces(backend: Backend) -> None:
    backend.upsert([replace(CORPUS[1], text="Neuer Text ohne das alte Wort", version_count=2)])
    assert ids(backend, "Lindenallee") == []
    assert ids(backend, "Wort") == ["laerm"]
    assert backend.versions() == {"antrag": 1, "laerm": 2, "rechnung": 1}


def test_fuzzy_texts_respect_permissions(backend: Backend) -> None:
    assert any(
        "Beschwerde" in text for text in backend.fuzzy_texts("beschwerd", orgunits=None, limit=5)
    )
    assert backend.fuzzy_texts("beschwerd", orgunits=frozenset({"ou-32"}), limit=5) == []


@pytest.mark.parametrize("name", BACKENDS)
def test_reopened_index_finds_the_same(name: str, tmp_path: Path) -> None:
    """Stemming lives in our analysis, so a reopened index needs nothing registered."""
    first = open_backend(name, tmp_path / name)
    first.upsert([doc("x", "Die Anträge wurden genehmigt")])
    first.close()
    again = open_backend(name, tmp_path / name)
    try:
        assert ids(again, "Antrag") == ["x"]
    finally:
        again.close()
