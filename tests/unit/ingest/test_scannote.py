from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from eakte.exceptions import InputRejected
from eakte.ingest._scannote import ScanNote, check_page_count, load_scan_note
from eakte.signing._canonical import canonical_json

VALID = {
    "operator": "M. Schneider",
    "device": "Scanner 2",
    "scanned_at": "2024-12-03T10:42:00Z",
    "protection_class": "normal",
}


def note_file(tmp_path: Path, content: dict[str, object] | str) -> Path:
    path = tmp_path / "scan.json"
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def invalid(path: Path) -> InputRejected:
    with pytest.raises(InputRejected) as caught:
        load_scan_note(path)
    assert caught.value.code == "scan-note-invalid"
    return caught.value


def test_fixture_note(resources: Path) -> None:
    note = load_scan_note(resources / "scan-with-note.json")
    assert note.as_manifest() == {
        "operator": "M. Schneider",
        "device": "Scanner Poststelle Platz 2",
        "batch_id": "2024-12-03-017",
        "scanned_at": "2024-12-03T10:42:00+01:00",
        "expected_pages": 1,
        "protection_class": "high",  # given as "hoch"
    }
    canonical_json(note.as_manifest())  # fit for the signed manifest: no floats, no datetimes


def test_bad_fixture_note_lists_every_problem(resources: Path) -> None:
    error = invalid(resources / "scan-bad-note.json")
    for words in (
        "operator must not be empty",
        "device is missing",
        "scanned_at must be a date",
        "expected_pages must be at least 1",
        "protection_class must be normal",
        "colour is not a known field",
    ):
        assert words in error.message
    for words in (
        "operator darf nicht leer sein",
        "device fehlt",
        "scanned_at muss Datum",
        "expected_pages muss mindestens 1 sein",
        "colour ist kein bekanntes Feld",
    ):
        assert words in error.message_de
    assert "scan-bad-note.json" in error.message


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("normal", "normal"),
        ("hoch", "high"),
        ("High", "high"),
        ("sehr hoch", "very_high"),
        ("Sehr_Hoch", "very_high"),
        ("very high", "very_high"),
        ("very_high", "very_high"),
    ],
)
def test_protection_class_names(tmp_path: Path, given: str, expected: str) -> None:
    note = load_scan_note(note_file(tmp_path, {**VALID, "protection_class": given}))
    assert note.protection_class == expected


@pytest.mark.parametrize(
    ("given", "iso"),
    [
        ("2024-12-03T10:42:00", "2024-12-03T10:42:00+01:00"),  # winter time
        ("2024-07-03T10:42:00", "2024-07-03T10:42:00+02:00"),  # summer time
        ("2024-07-03T10:42:00Z", "2024-07-03T10:42:00+00:00"),
    ],
)
def test_local_times_are_german(tmp_path: Path, given: str, iso: str) -> None:
    note = load_scan_note(note_file(tmp_path, {**VALID, "scanned_at": given}))
    assert note.scanned_at.tzinfo is not None
    assert note.as_manifest()["scanned_at"] == iso


@pytest.mark.parametrize("pages", [4.0, "4", True, 0, -1])
def test_expected_pages_must_be_a_positive_whole_number(tmp_path: Path, pages: object) -> None:
    error = invalid(note_file(tmp_path, {**VALID, "expected_pages": pages}))
    assert "expected_pages" in error.message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{kaputt", "is not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ({**VALID, "operator": "   "}, "operator must not be empty"),
    ],
)
def test_invalid_notes(tmp_path: Path, content: dict[str, object] | str, words: str) -> None:
    assert words in invalid(note_file(tmp_path, content)).message


def test_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(VALID).encode())
    assert load_scan_note(path).operator == "M. Schneider"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(
        json.dumps({**VALID, "operator": "Müller"}, ensure_ascii=False).encode("latin-1")
    )
    assert "UTF-8" in invalid(path).message


def test_too_big(tmp_path: Path) -> None:
    assert "64 KiB" in invalid(note_file(tmp_path, {**VALID, "device": "x" * 70_000})).message


def note(expected_pages: int | None) -> ScanNote:
    return ScanNote(
        operator="a",
        device="b",
        scanned_at=datetime(2024, 12, 3, tzinfo=UTC),
        expected_pages=expected_pages,
        protection_class="normal",
    )


def test_page_count_matches() -> None:
    check_page_count(note(3), 3)
    check_page_count(note(None), 3)
    check_page_count(note(3), None)


def test_page_missing() -> None:
    with pytest.raises(InputRejected) as caught:
        check_page_count(note(4), 3)
    assert caught.value.code == "page-count-mismatch"
    assert caught.value.message == (
        "The scan has 3 pages but the transfer note expects 4: a page is missing "
        "(Vollzähligkeit). Scan the document again."
    )
    assert caught.value.message_de == (
        "Der Scan hat 3 Seiten, laut Transfervermerk werden 4 erwartet: eine Seite fehlt "
        "(Vollzähligkeit). Bitte das Dokument erneut scannen."
    )


@pytest.mark.parametrize(
    ("expected", "pages", "words"),
    [
        (5, 1, "1 page but"),
        (5, 2, "3 pages are missing"),
        (1, 2, "an extra page"),
        (1, 4, "3 extra pages"),
    ],
)
def test_page_count_wording(expected: int, pages: int, words: str) -> None:
    with pytest.raises(InputRejected) as caught:
        check_page_count(note(expected), pages)
    assert words in caught.value.message


def test_note_is_frozen() -> None:
    with pytest.raises(ValueError):
        note(1).operator = "x"  # type: ignore[misc]


def test_manifest_has_no_floats_or_datetimes() -> None:
    manifest = note(2).as_manifest()
    assert all(isinstance(v, str | int | None) for v in manifest.values())
    assert manifest["scanned_at"] == "2024-12-03T00:00:00+00:00"
    assert datetime.fromisoformat(str(manifest["scanned_at"])) == datetime(
        2024, 12, 3, tzinfo=timezone(timedelta(0))
    )
