"""Labelled German queries: the document a clerk means comes first, in both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from eakte.search._model import Backend, Sort
from eakte.search._query import parse

from .conftest import BACKENDS, doc, open_backend

LETTERS = [
    doc(
        "sondernutzung",
        "Hiermit beantrage ich die Sondernutzung des Gehwegs vor dem Haus Schloßstraße 12 "
        "für ein Baugerüst vom 13.01.2025 bis 28.02.2025.",
        title="Antrag auf Sondernutzung öffentlicher Verkehrsflächen",
        reference="32.10.05-0815/2024",
        doc_type="Antrag",
        sender="Jürgen Weißmüller",
        document_date=date(2024, 12, 3),
    ),
    doc(
        "sperrmuell",
        "Die Sperrmüllabfuhr in der Lindenallee wurde nicht durchgeführt. Bitte holen Sie "
        "den Sperrmüll nach.",
        title="Beschwerde Sperrmüllabfuhr",
        doc_type="Beschwerde",
        sender="Erika Mueller",
        orgunit="70",
        document_date=date(2024, 10, 14),
    ),
    doc(
        "baugenehmigung",
        "Bescheid über die Baugenehmigung für den Neubau eines Carports. Die Genehmigung "
        "gilt drei Jahre.",
        title="Baugenehmigung Carport",
        reference="63.1-2024/117",
        doc_type="Bescheid",
        sender="Stadt Musterstadt, Bauordnung",
        orgunit="63",
        document_date=date(2024, 6, 1),
    ),
    doc(
        "hundesteuer",
        "Anmeldung eines Hundes zur Hundesteuer. Der Hund heißt Bello und wohnt in der "
        "Strasse Am Markt 3.",
        title="Anmeldung Hundesteuer",
        doc_type="Antrag",
        sender="Klaus Schäfer",
        orgunit="20",
        document_date=date(2023, 3, 9),
    ),
    doc(
        "rechnung",
        "Rechnung Nr. 2024-118 für die Reinigung der Straßenbeleuchtung. Kassenzeichen "
        "5.0123.456789.1.",
        title="Rechnung Straßenbeleuchtung",
        doc_type="Rechnung",
        sender="Stadtwerke Musterstadt GmbH",
        document_date=date(2024, 11, 20),
    ),
    doc(
        "laerm",
        "Seit Wochen beginnt die Baustelle vor 6 Uhr. Der Lärm ist unerträglich; ich bitte "
        "um Prüfung der Genehmigung.",
        title="Beschwerde über Baulärm",
        reference="60.2-123/24",
        doc_type="Beschwerde",
        sender="Erika Müßig",
        orgunit="60",
        document_date=date(2024, 11, 2),
    ),
    doc(
        "anfrage",
        "Anfrage zur Öffnungszeit des Bürgerbüros an Samstagen und zur Terminvergabe "
        "für Personalausweise.",
        title="Anfrage Öffnungszeiten Bürgerbüro",
        doc_type="Anfrage",
        sender="Maria Groß",
        orgunit="33",
        document_date=date(2025, 1, 8),
        received=datetime(2025, 1, 9, 8, 0, tzinfo=UTC),
    ),
]

LABELLED = [
    ("Anträge Sondernutzung", "sondernutzung"),  # stemming
    ("Baugeruest Schlossstrasse", "sondernutzung"),  # ß and ü folded
    ("Weissmueller", "sondernutzung"),  # sender, umlaut spelled out
    ("Sperrmüll", "sperrmuell"),  # compound beginning
    ("Müller Lindenallee", "sperrmuell"),  # Mueller
    ("Genehmigung Carport", "baugenehmigung"),
    ("Hund Steuer", None),  # no hit: both words needed, Hundesteuer is one word
    ("Hundesteuer", "hundesteuer"),
    ("Strasse Am Markt", "hundesteuer"),
    ('"Reinigung der Straßenbeleuchtung"', "rechnung"),
    ("az:60.2-123/24", "laerm"),
    ("60.2 - 123 / 24", "laerm"),
    ("absender:Müßig", "laerm"),
    ("Baulärm", "laerm"),
    ("Beschwerde Lärm", "laerm"),  # title beats text
    ("Öffnungszeiten Samstag", "anfrage"),
    ("Personalausweis datum:2025", "anfrage"),
    ("Genehmigung datum:11.2024", "laerm"),
]


@pytest.fixture(params=BACKENDS)
def letters(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    engine = open_backend(request.param, tmp_path / request.param)
    engine.upsert(LETTERS)
    yield engine
    engine.close()


@pytest.mark.parametrize(("query", "expected"), LABELLED)
def test_the_meant_document_comes_first(letters: Backend, query: str, expected: str | None) -> None:
    found = letters.search(
        parse(query), orgunits=None, sort=Sort.RELEVANCE, offset=0, limit=3, facets=False
    )
    top = found.hits[0].doc_id if found.hits else None
    assert top == expected, f"{query!r}: {[h.doc_id for h in found.hits]}"


def test_title_matches_rank_above_text_matches(letters: Backend) -> None:
    found = letters.search(
        parse("Genehmigung"), orgunits=None, sort=Sort.RELEVANCE, offset=0, limit=5, facets=False
    )
    assert [h.doc_id for h in found.hits][:1] == ["baugenehmigung"]
    assert {h.doc_id for h in found.hits} == {"baugenehmigung", "laerm"}
