"""What Tika returns, in our terms: text, media type, a few normalised metadata
fields and the page count; and Tika's failures as domain errors.

Both ways of running Tika (in-process and remote) end here, so their results
and their refusals look the same to the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from eakte.exceptions import InputRejected

log = logging.getLogger(__name__)

#: Our metadata key → Tika's keys, most specific first.
METADATA_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("dc:title", "title", "pdf:docinfo:title"),
    "author": ("dc:creator", "meta:author", "Author", "creator", "pdf:docinfo:creator"),
    "created": ("dcterms:created", "meta:creation-date", "Creation-Date", "created"),
    "modified": ("dcterms:modified", "meta:save-date", "Last-Modified", "modified"),
    "language": ("dc:language", "language", "Content-Language"),
}
_PAGE_COUNT_KEYS = ("xmpTPg:NPages", "meta:page-count", "Page-Count")
_DATE_FIELDS = ("created", "modified")

RawMetadata = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class TikaResult:
    """Text and metadata of one born-digital file."""

    text: str
    media_type: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    page_count: int | None = None


def _first(raw: RawMetadata, keys: Sequence[str]) -> str | None:
    for key in keys:
        value = raw.get(key)
        if isinstance(value, str):
            value = [value]
        for item in value or ():
            if item and item.strip():
                return item.strip()
    return None


def _iso(value: str) -> str | None:
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        log.debug("Tika date %r is not ISO 8601; left out", value)
        return None


def _normalise(key: str, value: str) -> str | None:
    if key in _DATE_FIELDS:
        return _iso(value)
    if key == "language":
        return value.replace("_", "-").split("-")[0].lower() or None
    return " ".join(value.split())


def normalise_metadata(raw: RawMetadata) -> dict[str, str]:
    """Tika's many metadata spellings reduced to ours, where Tika gives them."""
    out: dict[str, str] = {}
    for key, tika_keys in METADATA_KEYS.items():
        value = _first(raw, tika_keys)
        normalised = _normalise(key, value) if value else None
        if normalised:
            out[key] = normalised
    return out


def _page_count(raw: RawMetadata) -> int | None:
    value = _first(raw, _PAGE_COUNT_KEYS)
    return int(value) if value and value.isdigit() else None


def _media_type(raw: RawMetadata) -> str | None:
    value = _first(raw, ("Content-Type",))
    return value.split(";")[0].strip().lower() if value else None


def build_result(path: Path, text: str, raw: RawMetadata) -> TikaResult:
    """Our result from Tika's answer; an encrypted file is refused here."""
    if "EncryptedDocumentException" in (_first(raw, ("X-TIKA:warning",)) or ""):
        raise rejected(path, "EncryptedDocumentException")
    return TikaResult(
        text=text.strip(),
        media_type=_media_type(raw),
        metadata=normalise_metadata(raw),
        page_count=_page_count(raw),
    )


_REFUSALS: tuple[tuple[str, str, str, str], ...] = (
    (
        "EncryptedDocumentException",
        "encrypted",
        "is protected by a password, so its text cannot be read. Save a copy without "
        "password protection and put that copy into the scanner inbox.",
        "ist mit einem Kennwort geschützt, daher kann ihr Text nicht gelesen werden. "
        "Speichern Sie eine Kopie ohne Kennwortschutz und legen Sie diese in den Scanner-Eingang.",
    ),
    (
        "must have > 0 bytes",
        "empty",
        "is empty (0 bytes). Copy it again from its source; if a scanner made it, scan the "
        "pages again.",
        "ist leer (0 Bytes). Kopieren Sie sie erneut aus der Quelle; stammt sie vom Scanner, "
        "scannen Sie die Seiten erneut.",
    ),
)
_CORRUPT = (
    "",
    "corrupt",
    "cannot be read: it is damaged, cut short, or not really the kind of file it claims "
    "to be. Open it in the program that made it, save or export it again, and put the new "
    "copy into the scanner inbox.",
    "kann nicht gelesen werden: Sie ist beschädigt, unvollständig oder nicht die Art Datei, "
    "die sie zu sein vorgibt. Öffnen Sie sie im Programm, mit dem sie erstellt wurde, "
    "speichern oder exportieren Sie sie neu und legen Sie die neue Kopie in den Scanner-Eingang.",
)


def rejected(path: Path, detail: str) -> InputRejected:
    """The refusal for a file Tika could not parse; ``detail`` is Tika's own message."""
    _, code, english, german = next((r for r in _REFUSALS if r[0] in detail), _CORRUPT)
    log.info("Tika refused %s (%s): %s", path.name, code, detail)
    return InputRejected(
        f"The file {path.name} {english}", f"Die Datei {path.name} {german}", code=code
    )
