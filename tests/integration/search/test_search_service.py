"""Search through the service on a real database (SQLite and PostgreSQL): the index
follows the audit log, users see only their departments, the CLI works."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from eakte.cli import main
from eakte.config import Settings
from eakte.exceptions import QueryError, SearchUnavailable
from eakte.records import (
    SYSTEM,
    DocumentDetails,
    Records,
    VersionInput,
    create_document,
    create_user,
    grant_role,
)
from eakte.records._demo import DemoResult
from eakte.records._principal import load_principal
from eakte.search import SearchIndexer, SearchService, Sort, _location
from eakte.search._analysis import ANALYSIS_VERSION

PASSWORD = "Sehr-geheimes-Passwort-1"


def add(records: Records, orgunit: str, title: str, text: str, **details: object) -> str:
    version = create_document(
        records,
        SYSTEM,
        title=title,
        orgunit=orgunit,
        content=text.encode(),
        version=VersionInput(filename=f"{title}.txt", media_type="text/plain", source="test"),
        details=DocumentDetails(text=text, **details),  # type: ignore[arg-type]
    )
    return version.document_id


@pytest.fixture
def office(records: Records, demo: DemoResult) -> Iterator[dict[str, str]]:
    """Two departments with documents, and a clerk in each."""
    ids = {
        "antrag": add(
            records,
            "32",
            "Antrag auf Sondernutzung",
            "Hiermit beantrage ich die Sondernutzung des Gehwegs. Die Anträge liegen bei.",
            document_type="Antrag",
            sender="Jürgen Weißmüller",
            document_date=date(2024, 12, 3),
        ),
        "sperrmuell": add(
            records,
            "70",
            "Sperrmüllabfuhr Lindenallee",
            "Die Sperrmüllabfuhr kam nicht. Antrag auf Nachholung.",
            document_type="Beschwerde",
            sender="Erika Mueller",
        ),
    }
    for user, unit in (("ordnung", "32"), ("abfall", "70")):
        create_user(records, SYSTEM, username=user, display_name=user, password=PASSWORD)
        grant_role(records, SYSTEM, username=user, orgunit=unit, role="sachbearbeitung")
    indexer = SearchIndexer(records)
    indexer.sync()
    indexer.close()
    yield ids


def as_user(records: Records, name: str) -> object:
    with records.reading() as session:
        return load_principal(session, name)


def test_each_department_sees_only_its_own(records: Records, office: dict[str, str]) -> None:
    service = SearchService(records)
    try:
        everything = service.search(SYSTEM, "Antrag")
        assert {h.doc_id for h in everything.hits} == set(office.values())
        mine = service.search(as_user(records, "ordnung"), "Antrag")  # type: ignore[arg-type]
        assert [h.doc_id for h in mine.hits] == [office["antrag"]]
        assert mine.total == 1
        assert mine.facets["orgunit"] == {"32": 1}
        assert mine.facets["doc_type"] == {"antrag": 1}
        other = service.search(as_user(records, "abfall"), "Sondernutzung")  # type: ignore[arg-type]
        assert other.total == 0 and other.hits == []
        assert all(count == 0 for f in other.facets.values() for count in f.values())
    finally:
        service.close()


def test_a_new_role_needs_no_reindex(records: Records, office: dict[str, str]) -> None:
    grant_role(records, SYSTEM, username="abfall", orgunit="32", role="sachbearbeitung")
    service = SearchService(records)
    try:
        found = service.search(as_user(records, "abfall"), "Sondernutzung")  # type: ignore[arg-type]
        assert [h.doc_id for h in found.hits] == [office["antrag"]]
    finally:
        service.close()


def test_new_documents_are_found_after_sync(records: Records, office: dict[str, str]) -> None:
    added = add(records, "32", "Gewerbeanmeldung", "Anmeldung eines Gewerbes: Imbissbude.")
    service = SearchService(records)
    indexer = SearchIndexer(records)
    try:
        assert service.search(SYSTEM, "Imbissbude").total == 0  # not yet: no web write
        assert indexer.sync() == 1
        assert [h.doc_id for h in service.search(SYSTEM, "Imbissbude").hits] == [added]
    finally:
        indexer.close()
        service.close()


def test_snippets_suggestions_and_errors(records: Records, office: dict[str, str]) -> None:
    service = SearchService(records)
    try:
        hit = service.search(SYSTEM, "Anträge Gehweg").hits[0]
        assert "<mark>Anträge</mark>" in hit.snippet.html()
        assert "<mark>Gehwegs</mark>" in hit.snippet.html()
        missed = service.search(SYSTEM, "Sondernutzunk")
        assert missed.total == 0
        assert missed.suggestion == "Sondernutzung"
        hidden = service.search(as_user(records, "abfall"), "Sondernutzunk")  # type: ignore[arg-type]
        assert hidden.suggestion is None  # the word only occurs in another department
        with pytest.raises(QueryError, match="gibt es nicht"):
            service.search(SYSTEM, "farbe:rot")
        newest = service.search(SYSTEM, "Antrag", sort=Sort.NEWEST)
        assert newest.hits[0].doc_id == office["sperrmuell"]  # received today; the other 2024
    finally:
        service.close()


def test_crash_between_commit_and_index_is_repaired(
    records: Records, settings: Settings, office: dict[str, str]
) -> None:
    generation = _location.current_generation(settings)
    assert generation is not None
    _location.write_watermark(generation, 0)  # as if the index never saw any event
    indexer = SearchIndexer(records)
    try:
        assert indexer.check().behind > 0
        indexer.sync()
        assert indexer.check().ok
    finally:
        indexer.close()


def test_an_index_of_another_analysis_version_is_rebuilt(
    records: Records, settings: Settings, office: dict[str, str]
) -> None:
    old = _location.current_generation(settings)
    assert old is not None
    (old / _location.WATERMARK).write_text('{"audit_seq": 999999, "analysis": 1}')
    indexer = SearchIndexer(records)
    try:
        indexer.sync()
    finally:
        indexer.close()
    new = _location.current_generation(settings)
    assert new is not None and new != old
    assert _location.analysis_version(new) == ANALYSIS_VERSION
    assert SearchIndexer(records).check().ok


def test_a_damaged_index_is_rebuilt_and_searches_say_so(
    records: Records, settings: Settings, office: dict[str, str]
) -> None:
    generation = _location.current_generation(settings)
    assert generation is not None
    for path in (generation / "index").iterdir():
        if path.is_file():
            path.write_bytes(b"kaputt")
    service = SearchService(records)
    try:
        with pytest.raises(SearchUnavailable):
            service.search(SYSTEM, "Antrag")
    finally:
        service.close()
    indexer = SearchIndexer(records)
    try:
        indexer.sync()  # the writer rebuilds
    finally:
        indexer.close()
    service = SearchService(records)
    try:
        assert service.search(SYSTEM, "Antrag").total == 2
    finally:
        service.close()


def run(settings: Settings, *args: str) -> object:
    env = {
        "EAKTE_DATA_DIR": str(settings.data_dir),
        "EAKTE_DATABASE_URL": settings.resolved_database_url,
    }
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_cli(settings: Settings, office: dict[str, str], tmp_path: Path) -> None:
    result = run(settings, "search", "Sperrmüll", "--json", "--as", "abfall")
    data = json.loads(result.output)  # type: ignore[attr-defined]
    assert [h["id"] for h in data["hits"]] == [office["sperrmuell"]]
    assert run(settings, "search", "check").exit_code == 0  # type: ignore[attr-defined]
    reindexed = run(settings, "search", "reindex")
    assert "2 documents indexed" in reindexed.output  # type: ignore[attr-defined]
    plain = run(settings, "search", "Antrag", "Sondernutzung")
    assert "1 Treffer" in plain.output  # type: ignore[attr-defined]
    assert "Die »Anträge« liegen bei." in plain.output  # type: ignore[attr-defined]
    assert run(settings, "search", "farbe:rot").exit_code == 15  # type: ignore[attr-defined]


def test_check_names_differences_and_repairs(
    records: Records, settings: Settings, office: dict[str, str]
) -> None:
    added = add(records, "32", "Nachtrag", "Ein Nachtrag zum Antrag.")
    found = run(settings, "search", "check", "--json")
    assert found.exit_code == 10  # type: ignore[attr-defined]
    report = json.loads(found.output)  # type: ignore[attr-defined]
    assert report["missing"] == [added] and report["behind"] > 0
    repaired = run(settings, "search", "check", "--repair")
    assert "Repaired: 1 documents indexed" in repaired.output  # type: ignore[attr-defined]
    assert run(settings, "search", "check").exit_code == 0  # type: ignore[attr-defined]


def test_searches_go_on_during_a_reindex(
    records: Records, settings: Settings, office: dict[str, str]
) -> None:
    service = SearchService(records)
    indexer = SearchIndexer(records)
    try:
        before = _location.current_generation(settings)
        assert service.search(SYSTEM, "Antrag").total == 2  # opened the old generation
        indexer.reindex()
        after = _location.current_generation(settings)
        assert after != before and before is not None and before.is_dir()  # kept one round
        assert service.search(SYSTEM, "Antrag").total == 2  # follows the swap
        indexer.reindex()
        assert not before.exists()  # older generations are removed
    finally:
        indexer.close()
        service.close()
