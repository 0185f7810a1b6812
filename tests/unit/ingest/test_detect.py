from __future__ import annotations

from pathlib import Path

import pytest

from eakte.exceptions import InputRejected
from eakte.ingest._detect import DOCX, EML, ODS, ODT, PPTX, XLSX, FileType, detect_type
from tests.fixtures.office_files import docx_entries, zip_bytes
from tests.unit.ingest.conftest import copy_as

ACCEPTED = [
    ("sample.pdf", "application/pdf", "pdf", ".pdf"),
    ("scan.pdf", "application/pdf", "pdf", ".pdf"),
    ("restricted.pdf", "application/pdf", "pdf", ".pdf"),
    ("encrypted.pdf", "application/pdf", "pdf", ".pdf"),  # refused later, by validation
    ("scan.png", "image/png", "image", ".png"),
    ("scan-with-note.png", "image/png", "image", ".png"),
    ("scan.jpg", "image/jpeg", "image", ".jpg"),
    ("scan-2pages.tif", "image/tiff", "image", ".tif"),
    ("letter.docx", DOCX, "office", ".docx"),
    ("table.xlsx", XLSX, "office", ".xlsx"),
    ("slides.pptx", PPTX, "office", ".pptx"),
    ("letter.odt", ODT, "office", ".odt"),
    ("table.ods", ODS, "office", ".ods"),
    ("page.html", "text/html", "html", ".html"),
    ("note.txt", "text/plain", "text", ".txt"),
    ("mail.eml", EML, "email", ".eml"),
]


@pytest.mark.parametrize(("name", "media_type", "kind", "extension"), ACCEPTED)
def test_every_accepted_fixture(
    resources: Path, name: str, media_type: str, kind: str, extension: str
) -> None:
    assert detect_type(resources / name) == FileType(media_type, kind, extension)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "media_type", "kind", "extension"), ACCEPTED)
@pytest.mark.parametrize(
    "disguise", ["brief.txt", "scan.pdf", "ohne-endung", "virus.exe", "Grüße.ZIP"]
)
def test_the_name_does_not_matter(
    resources: Path,
    tmp_path: Path,
    name: str,
    media_type: str,
    kind: str,
    extension: str,
    disguise: str,
) -> None:
    copy = copy_as(resources / name, tmp_path / disguise)
    assert detect_type(copy).media_type == media_type


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("not-allowed.exe", "application/x-dosexec"),
        ("not-allowed.zip", "application/zip"),
        ("scan-with-note.json", "application/json"),
    ],
)
def test_types_not_allowed_are_named(resources: Path, name: str, named: str) -> None:
    with pytest.raises(InputRejected) as caught:
        detect_type(resources / name)
    assert caught.value.code == "type-not-allowed"
    assert named in caught.value.message
    assert named in caught.value.message_de
    assert "Accepted are PDF" in caught.value.message
    assert "Angenommen werden PDF" in caught.value.message_de


def test_zero_bytes(resources: Path) -> None:
    with pytest.raises(InputRejected) as caught:
        detect_type(resources / "zero.bin")
    assert caught.value.code == "empty-file"
    assert "0 Byte" in caught.value.message_de


def test_encrypted_office_document(resources: Path, tmp_path: Path) -> None:
    with pytest.raises(InputRejected) as caught:
        detect_type(copy_as(resources / "encrypted.docx", tmp_path / "x.bin"))
    assert caught.value.code == "encrypted-office"
    assert "Kennwort" in caught.value.message_de


def test_old_office_file_is_not_allowed(tmp_path: Path) -> None:
    ole = tmp_path / "alt.doc"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))
    with pytest.raises(InputRejected) as caught:
        detect_type(ole)
    assert caught.value.code == "type-not-allowed"
    assert "old Microsoft Office file" in caught.value.message


def _zip(tmp_path: Path, name: str, entries: list[tuple[str, bytes]]) -> Path:
    path = tmp_path / name
    path.write_bytes(zip_bytes(entries))
    return path


def test_office_inside_a_plain_zip_is_recognised(tmp_path: Path) -> None:
    # Unusual entry order: libmagic sees only a zip, the look inside finds the document.
    entries = list(reversed(docx_entries("Titel", ["Text"])))
    assert detect_type(_zip(tmp_path, "a.zip", entries)).media_type == DOCX


def test_odf_presentation_is_not_allowed(tmp_path: Path) -> None:
    odp = "application/vnd.oasis.opendocument.presentation"
    path = _zip(tmp_path, "folien.odp", [("mimetype", odp.encode()), ("content.xml", b"<x/>")])
    with pytest.raises(InputRejected) as caught:
        detect_type(path)
    assert odp in caught.value.message


def test_macro_documents_are_not_allowed(tmp_path: Path) -> None:
    entries = [
        (
            name,
            data.replace(b"wordprocessingml.document.main", b"ms-word.document.macroEnabled.main"),
        )
        for name, data in docx_entries("Makro", ["Text"])
    ]
    with pytest.raises(InputRejected) as caught:
        detect_type(_zip(tmp_path, "makro.docx", entries))
    assert caught.value.code == "type-not-allowed"
    assert "macros" in caught.value.message
    assert "Makros" in caught.value.message_de


@pytest.mark.parametrize(
    "head",
    [
        b"Subject: Antrag\r\nFrom: a@example.org\r\nMIME-Version: 1.0\r\n\r\nHallo",
        b"From a@example.org Tue Dec  3 09:13:55 2024\nFrom: a@example.org\nTo: b@example.org"
        b"\n\nHallo",
        b"Date: Tue, 03 Dec 2024 09:13:55 +0100\nFrom: a@example.org\nSubject: Sehr\n lang\n\nX",
    ],
)
def test_mail_headers_make_an_email(tmp_path: Path, head: bytes) -> None:
    path = tmp_path / "nachricht.txt"
    path.write_bytes(head)
    assert detect_type(path).kind == "email"


@pytest.mark.parametrize(
    "text",
    [
        "Betreff: Antrag\nDatum: 03.12.2024\n\nSehr geehrte Damen und Herren",
        "Subject: nur eine Zeile\n\nText",  # one field, none of From/Received/MIME-Version
        "Von: a@example.org\nAn: b@example.org\nBetreff: Antrag\n\nText",
    ],
)
def test_text_that_only_looks_like_a_header_stays_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "notiz.eml"
    path.write_text(text, encoding="utf-8")
    assert detect_type(path).kind == "text"


def test_xhtml_is_html(tmp_path: Path) -> None:
    path = tmp_path / "seite.xml"
    path.write_bytes(
        b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/'
        b'1999/xhtml"><body><p>Hallo</p></body></html>'
    )
    assert detect_type(path).kind == "html"


@pytest.mark.parametrize(
    "text",
    ["Grüße aus Köln\n".encode("latin-1"), b"a;b;c\n1;2;3\n", b"#!/bin/sh\necho hallo\n"],
)
def test_other_plain_text_is_text(tmp_path: Path, text: bytes) -> None:
    path = tmp_path / "x.dat"
    path.write_bytes(text)
    assert detect_type(path) == FileType("text/plain", "text", ".txt")


def test_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        detect_type(tmp_path / "fehlt.pdf")


def test_other_zip_formats_are_named(tmp_path: Path) -> None:
    path = _zip(tmp_path, "buch.epub", [("mimetype", b"application/epub+zip"), ("a.xhtml", b"x")])
    with pytest.raises(InputRejected) as caught:
        detect_type(path)
    assert "application/epub+zip" in caught.value.message
