"""The born-digital fixtures give their German text to Apache Tika (in-process iscc-tika)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from iscc_tika import Extractor

pytestmark = pytest.mark.integration

AZ = "32.10.05-0815/2024"
EXPECTED = {
    "sample.pdf": [
        AZ,
        "Antrag auf Sondernutzung öffentlicher Verkehrsflächen",
        "Musterstadt, 03.12.2024",
        "Mit freundlichen Grüßen",
        "Anlage 1",
    ],
    "restricted.pdf": ["Aktenzeichen 60.2-123/24", "Beschwerde über Lärm"],
    "letter.docx": [AZ, "Antrag auf Sondernutzung", "Musterstadt, 03.12.2024", "Schloßstraße 12"],
    "letter.odt": [AZ, "Antrag auf Sondernutzung", "Musterstadt, 03.12.2024", "Jürgen Weißmüller"],
    "table.xlsx": [AZ, "Sondernutzungsgebühren 2024", "Außengastronomie Marktplatz", "150.5"],
    "table.ods": [AZ, "Sondernutzungsgebühren 2024", "Baugerüst Schloßstraße 12"],
    "slides.pptx": [AZ, "Sondernutzung öffentlicher Verkehrsflächen", "Straßensperrung: keine"],
    "page.html": [AZ, "Öffentliche Bekanntmachung", "Fußgänger", "150,50 €"],
    "note.txt": [AZ, "Aktenvermerk", "Größer & Söhne", "Rückruf"],
    "mail.eml": [
        AZ,
        "Antrag auf Sondernutzung",
        "Lageplan zum Antrag",  # body + PDF attachment
        "Antragsteller: Jürgen Weißmüller",
    ],  # + DOCX attachment
}


@pytest.fixture(scope="module")
def extractor() -> Any:
    return Extractor()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tika_extracts_german_text(extractor: Any, resources: Path, name: str) -> None:
    text, _metadata = extractor.extract_file_to_string(str(resources / name))
    for expected in EXPECTED[name]:
        assert expected in text, f"{expected!r} missing in Tika's text of {name}"


def test_tika_leaves_out_html_scripts(extractor: Any, resources: Path) -> None:
    text, _metadata = extractor.extract_file_to_string(str(resources / "page.html"))
    assert "Skripttext" not in text
    assert "font-family" not in text


def test_tika_reads_office_metadata(extractor: Any, resources: Path) -> None:
    _text, metadata = extractor.extract_file_to_string(str(resources / "letter.docx"))
    assert metadata["dc:title"] == ["Antrag auf Sondernutzung"]
    assert metadata["dc:creator"] == ["Stadt Musterstadt"]
