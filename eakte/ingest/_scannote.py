"""The transfer note (Transfervermerk, BSI TR-RESISCAN) a scan station puts beside a scan.

The note is ``<name>.json`` next to ``<name>.pdf`` (or ``.tif``, ...)::

    {"operator": "M. Schneider", "device": "Scanner Poststelle 2",
     "batch_id": "2024-12-03-017", "scanned_at": "2024-12-03T10:42:00+01:00",
     "expected_pages": 1, "protection_class": "hoch"}

``batch_id`` and ``expected_pages`` may be left out. ``protection_class`` is the
protection need (Schutzbedarf) ``normal``, ``high`` or ``very_high``; the German
``normal``, ``hoch`` and ``sehr hoch`` are accepted too. A time without an offset
is taken as German local time (Europe/Berlin). The validated note goes into the
version's signed manifest; its page count is checked against the scan
(Vollzähligkeit).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from eakte.exceptions import InputRejected

BERLIN = ZoneInfo("Europe/Berlin")
MAX_NOTE_BYTES = 64 * 1024
ProtectionClass = Literal["normal", "high", "very_high"]
_PROTECTION_NAMES = {
    "normal": "normal",
    "high": "high",
    "hoch": "high",
    "very high": "very_high",
    "sehr hoch": "very_high",
}
_FIELDS = "operator, device, batch_id, scanned_at, expected_pages, protection_class"
_EXAMPLE_TIME = "2024-12-03T10:42:00+01:00"
# pydantic error type -> (English, German) wording of the problem
_PROBLEMS: dict[str, tuple[str, str]] = {
    "missing": ("is missing", "fehlt"),
    "extra_forbidden": (
        f"is not a known field (known: {_FIELDS})",
        f"ist kein bekanntes Feld (bekannt: {_FIELDS})",
    ),
    "string_too_short": ("must not be empty", "darf nicht leer sein"),
    "string_too_long": (
        "is too long (at most 200 characters)",
        "ist zu lang (höchstens 200 Zeichen)",
    ),
    "string_type": ("must be text", "muss Text sein"),
    "literal_error": (
        "must be normal, high or very_high (or hoch, sehr hoch)",
        "muss normal, hoch oder sehr hoch sein (oder high, very_high)",
    ),
    "greater_than_equal": ("must be at least 1", "muss mindestens 1 sein"),
    "int_type": ("must be a whole number", "muss eine ganze Zahl sein"),
    "datetime_parsing": (
        f"must be a date and time such as {_EXAMPLE_TIME}",
        f"muss Datum und Uhrzeit sein, z. B. {_EXAMPLE_TIME}",
    ),
    "json_invalid": ("is not valid JSON", "ist kein gültiges JSON"),
    "model_type": ("must be a JSON object {...}", "muss ein JSON-Objekt {...} sein"),
}


class ScanNote(BaseModel):
    """A validated transfer note."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    operator: str = Field(min_length=1, max_length=200)
    device: str = Field(min_length=1, max_length=200)
    batch_id: str | None = Field(None, min_length=1, max_length=200)
    scanned_at: datetime
    expected_pages: int | None = Field(None, ge=1, strict=True)
    protection_class: ProtectionClass

    @field_validator("protection_class", mode="before")
    @classmethod
    def _german_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            key = " ".join(value.lower().replace("_", " ").replace("-", " ").split())
            return _PROTECTION_NAMES.get(key, value)
        return value

    @field_validator("scanned_at")
    @classmethod
    def _local_time_is_berlin(cls, value: datetime) -> datetime:
        return value if value.tzinfo is not None else value.replace(tzinfo=BERLIN)

    def as_manifest(self) -> dict[str, str | int | None]:
        """The note as JSON-safe values (ISO datetime, no floats) for the signed manifest."""
        return {
            "operator": self.operator,
            "device": self.device,
            "batch_id": self.batch_id,
            "scanned_at": self.scanned_at.isoformat(),
            "expected_pages": self.expected_pages,
            "protection_class": self.protection_class,
        }


def load_scan_note(path: Path) -> ScanNote:
    """Read and validate the note at ``path``; ``scan-note-invalid`` lists every problem."""
    if path.stat().st_size > MAX_NOTE_BYTES:
        raise _invalid(
            path, [("the note", "der Vermerk", "is larger than 64 KiB", "ist größer als 64 KiB")]
        )
    try:
        return ScanNote.model_validate_json(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _invalid(
            path, [("the note", "der Vermerk", "is not UTF-8 text", "ist kein UTF-8-Text")]
        ) from None
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            field = ".".join(str(part) for part in error["loc"])
            kind = "datetime_parsing" if error["type"].startswith("datetime") else error["type"]
            en, de = _PROBLEMS.get(kind, (error["msg"], error["msg"]))
            if kind == "json_invalid":
                detail = error["msg"].removeprefix("Invalid JSON: ")
                en, de = f"{en} ({detail})", f"{de} ({detail})"
            elif field and kind not in ("missing", "extra_forbidden"):
                given = repr(error["input"])[:60]
                en, de = f"{en} (given: {given})", f"{de} (angegeben: {given})"
            problems.append((field or "the note", field or "der Vermerk", en, de))
        raise _invalid(path, problems) from None


def check_page_count(note: ScanNote, pages: int | None) -> None:
    """Refuse the scan (``page-count-mismatch``) when its pages differ from the note's count."""
    expected = note.expected_pages
    if expected is None or pages is None or pages == expected:
        return
    if pages < expected:
        gap = expected - pages
        en = "a page is missing" if gap == 1 else f"{gap} pages are missing"
        de = "eine Seite fehlt" if gap == 1 else f"{gap} Seiten fehlen"
    else:
        gap = pages - expected
        en = "there is an extra page" if gap == 1 else f"there are {gap} extra pages"
        de = "eine Seite ist zu viel" if gap == 1 else f"{gap} Seiten sind zu viel"
    raise InputRejected(
        f"The scan has {_count(pages, 'page', 'pages')} but the transfer note expects "
        f"{expected}: {en} (Vollzähligkeit). Scan the document again.",
        f"Der Scan hat {_count(pages, 'Seite', 'Seiten')}, laut Transfervermerk werden "
        f"{expected} erwartet: {de} (Vollzähligkeit). Bitte das Dokument erneut scannen.",
        "page-count-mismatch",
    )


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _invalid(path: Path, problems: list[tuple[str, str, str, str]]) -> InputRejected:
    en = "; ".join(f"{field} {problem}" for field, _, problem, _ in problems)
    de = "; ".join(f"{field} {problem}" for _, field, _, problem in problems)
    return InputRejected(
        f"The transfer note {path.name} of the scan is invalid: {en}. Correct the note at "
        "the scan station and deliver the scan and its note again.",
        f"Der Transfervermerk {path.name} zum Scan ist ungültig: {de}. Bitte den Vermerk an "
        "der Scanstation berichtigen und Scan und Vermerk erneut einlegen.",
        "scan-note-invalid",
    )
