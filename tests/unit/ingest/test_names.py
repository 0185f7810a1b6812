from __future__ import annotations

import unicodedata

import pytest

from eakte.ingest._names import failed_name, is_hidden_or_temp, safe_display_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Antrag Weißmüller.pdf", "Antrag Weißmüller.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Scans\\Bürgeramt\\scan 01.tif", "scan 01.tif"),
        ("/abs/path/brief.pdf", "brief.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("...", "unbenannt"),
        ("", "unbenannt"),
        ("dir/", "unbenannt"),
        ("rechnung\u202efdp.exe", "rechnungfdp.exe"),
        ("a\u2066b\u2069c\u200f.pdf", "abc.pdf"),
        ("zeile1\nzeile2\t.pdf", "zeile1 zeile2 .pdf"),
        ("nul\x00byte\x1f\x7f.pdf", "nulbyte.pdf"),
        ("  viel   Raum  .pdf ", "viel Raum .pdf"),
        ("Straße_Größe.docx", "Straße_Größe.docx"),
        ("\u200bun\u00adsicht\ufeffbar.pdf", "unsichtbar.pdf"),
        ("caf\udce9 \udc80.pdf", "café €.pdf"),  # bytes b"\\xe9", b"\\x80" (Windows-1252)
        ("x\udc81\ud800.pdf", "x\ufffd.pdf"),  # undefined in Windows-1252; a lone surrogate
    ],
)
def test_safe_display_name(raw: str, expected: str) -> None:
    assert safe_display_name(raw) == expected


def test_safe_display_name_composes_umlauts() -> None:
    decomposed = unicodedata.normalize("NFD", "Müller.pdf")
    assert len(decomposed) == 11
    assert safe_display_name(decomposed) == "Müller.pdf"
    assert len(safe_display_name(decomposed)) == 10


def test_safe_display_name_shortens_keeping_the_extension() -> None:
    name = safe_display_name("ä" * 500 + ".pdf")
    assert len(name) == 200
    assert name.endswith("ä.pdf")
    assert len(safe_display_name("x" * 300)) == 200


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('frage: "wer?" <ich>|*.pdf', "frage_ _wer__ _ich___.pdf"),
        ("CON", "_CON"),
        ("nul.pdf", "_nul.pdf"),
        ("console.pdf", "console.pdf"),
        ("ende. . .", "ende"),
        ("../..", "unbenannt"),
        ("Bescheid Größe.pdf", "Bescheid Größe.pdf"),
    ],
)
def test_failed_name(raw: str, expected: str) -> None:
    assert failed_name(raw) == expected


def test_failed_name_leaves_room_for_a_number_and_the_report_in_255_bytes() -> None:
    name = failed_name("ä" * 120 + ".pdf")  # 244 bytes: a valid name on disk
    assert name.endswith("ä.pdf")
    assert len(f"{name[:-4]} (99).pdf.error.txt".encode()) <= 255
    assert len(failed_name("\udce9" * 250).encode()) <= 200  # 1 byte each on disk, 2 as UTF-8


@pytest.mark.parametrize(
    "name",
    [
        ".~lock.brief.odt#",
        "~$brief.docx",
        ".scan.pdf",
        "scan.pdf.tmp",
        "scan.PART",
        "download.pdf.crdownload",
        "kopie.pdf.filepart",
        "inbox/32/.DS_Store",
        "",
    ],
)
def test_hidden_or_temp(name: str) -> None:
    assert is_hidden_or_temp(name)


@pytest.mark.parametrize(
    "name", ["scan.pdf", "32/brief.docx", "tmp-scan.pdf", "part1.tif", "scan-with-note.json"]
)
def test_regular_names_are_taken(name: str) -> None:
    assert not is_hidden_or_temp(name)
