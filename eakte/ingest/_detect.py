"""Decide a file's type from its content, never from its name.

libmagic gives the first answer; three cases are settled by looking inside:

* ZIP-based office files may come back as plain ``application/zip``: the ODF
  ``mimetype`` entry or the OOXML ``[Content_Types].xml`` and ``word/``, ``xl/``,
  ``ppt/`` folders decide. Macro-enabled OOXML (``.docm`` ...) is not accepted.
* An encrypted DOCX/XLSX/PPTX is an OLE compound file with an ``EncryptedPackage``
  stream: refused here as ``encrypted-office`` (nothing else can be told about it).
* An e-mail often comes back as ``text/plain``: RFC 5322 header lines at the start
  (From:, Received: or MIME-Version: and one more known field) make it an e-mail.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import magic

from eakte.exceptions import InputRejected

Kind = Literal["pdf", "image", "office", "html", "text", "email"]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
EML = "message/rfc822"
OLE = "application/x-ole-storage"

_ALLOWED: dict[str, tuple[Kind, str]] = {
    "application/pdf": ("pdf", ".pdf"),
    "image/png": ("image", ".png"),
    "image/jpeg": ("image", ".jpg"),
    "image/tiff": ("image", ".tif"),
    DOCX: ("office", ".docx"),
    XLSX: ("office", ".xlsx"),
    PPTX: ("office", ".pptx"),
    ODT: ("office", ".odt"),
    ODS: ("office", ".ods"),
    "text/html": ("html", ".html"),
    "text/plain": ("text", ".txt"),
    EML: ("email", ".eml"),
}
_OOXML_FOLDERS = (
    ("word/", DOCX, "word.document"),
    ("xl/", XLSX, "excel.sheet"),
    ("ppt/", PPTX, "powerpoint.presentation"),
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_HEAD = 64 * 1024
_HEADER_LINE = re.compile(rb"([!-9;-~]+)[ \t]*:")  # RFC 5322 field name, then a colon
_MAIL_FIELDS = frozenset(
    b"from date subject mime-version received to cc message-id return-path reply-to "
    b"content-type".split()
)
_MAIL_CORE = frozenset({b"from", b"received", b"mime-version"})

_HINTS: dict[str, tuple[str, str]] = {
    OLE: (
        "It is an old Microsoft Office file (.doc, .xls, .ppt). Save it as DOCX, XLSX, "
        "PPTX or PDF and put it in the inbox again.",
        "Es ist eine alte Microsoft-Office-Datei (.doc, .xls, .ppt). Bitte als DOCX, XLSX, "
        "PPTX oder PDF speichern und erneut in den Posteingang legen.",
    ),
    "application/zip": (
        "Unpack the archive and put the documents in the inbox one by one.",
        "Bitte das Archiv entpacken und die Dokumente einzeln einlegen.",
    ),
    "macros": (
        "Office documents with macros are not accepted. Save it without macros (DOCX, "
        "XLSX, PPTX) or as PDF and put it in the inbox again.",
        "Office-Dokumente mit Makros werden nicht angenommen. Bitte ohne Makros (DOCX, "
        "XLSX, PPTX) oder als PDF speichern und erneut in den Posteingang legen.",
    ),
}
_DEFAULT_HINT = (
    "Save or export the document in one of these formats (PDF is always possible) "
    "and put it in the inbox again.",
    "Bitte das Dokument in einem dieser Formate speichern oder exportieren (PDF "
    "geht immer) und erneut in den Posteingang legen.",
)


@dataclass(frozen=True)
class FileType:
    """An accepted file type: its media type, the pipeline's kind and the usual extension."""

    media_type: str
    kind: Kind
    extension: str


def detect_type(path: Path) -> FileType:
    """Return the type of the file at ``path`` as told by its content.

    Raises :class:`InputRejected` with code ``empty-file`` (zero bytes),
    ``encrypted-office`` (password-protected DOCX/XLSX/PPTX) or
    ``type-not-allowed`` (anything outside the accepted list, named in the message).
    OS errors (file missing, unreadable) are not the file's fault and pass through.
    """
    with path.open("rb") as stream:
        head = stream.read(_HEAD)
    if not head:
        raise empty_file()
    media_type = _refine(path, head, magic.from_file(str(path), mime=True))
    if media_type not in _ALLOWED:
        raise _not_allowed(path, media_type)
    kind, extension = _ALLOWED[media_type]
    return FileType(media_type, kind, extension)


def _refine(path: Path, head: bytes, media_type: str) -> str:
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(path) or media_type
    if head.startswith(_OLE_MAGIC):
        if is_encrypted_ooxml(path):
            raise encrypted_office()
        return OLE
    if media_type.startswith("text/") and _looks_like_mail(head):
        return EML
    if media_type in ("text/xml", "application/xhtml+xml") and b"<html" in head.lower():
        return "text/html"
    if media_type == "text/csv" or media_type.startswith("text/x-"):
        return "text/plain"  # libmagic's guesses of a programming language or CSV: still text
    return media_type


def _zip_type(path: Path) -> str | None:
    """The office type inside a zip, ``application/zip`` for other zips, None if unreadable."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(100).decode("ascii", "replace").strip()
                if re.fullmatch(r"[\w.+-]+/[\w.+-]+", declared):
                    return declared  # ODF, or another zip format that names itself (EPUB)
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as entry:
                    macros = b"macroenabled" in entry.read(1_000_000).lower()
                for folder, media_type, macro_name in _OOXML_FOLDERS:
                    if any(name.startswith(folder) for name in names):
                        if macros:
                            return f"application/vnd.ms-{macro_name}.macroEnabled.12"
                        return media_type
    except (zipfile.BadZipFile, zlib.error, RuntimeError, ValueError, EOFError):
        return None  # damaged or unusual zip: libmagic's answer stands, validation says more
    return "application/zip"


def is_encrypted_ooxml(path: Path) -> bool:
    """True for an OLE compound file holding an ``EncryptedPackage`` stream (ECMA-376 crypto).

    Looks for the stream's UTF-16 directory name anywhere in the file, read in
    chunks: simpler than walking the compound file's FAT and just as telling.
    """
    with path.open("rb") as stream:
        if stream.read(len(_OLE_MAGIC)) != _OLE_MAGIC:
            return False
        tail = b""
        while chunk := stream.read(1 << 20):
            if _ENCRYPTED_PACKAGE in tail + chunk:
                return True
            tail = chunk[-len(_ENCRYPTED_PACKAGE) :]
    return False


def empty_file() -> InputRejected:
    return InputRejected(
        "The file is empty (0 bytes). Check the scanner or the copy and deliver it again.",
        "Die Datei ist leer (0 Byte). Bitte Scanner oder Kopiervorgang prüfen und die "
        "Datei erneut einlegen.",
        "empty-file",
    )


def too_large(size: int, max_bytes: int) -> InputRejected:
    def amount(n: int, unit: str) -> str:
        return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n} {unit}"

    size_de, limit_de = amount(size, "Byte").replace(".", ","), amount(max_bytes, "Byte")
    return InputRejected(
        f"The file is too large ({amount(size, 'bytes')}; at most {amount(max_bytes, 'bytes')} "
        "are accepted). Split it into smaller documents or scan at a lower resolution.",
        f"Die Datei ist zu groß ({size_de}; höchstens {limit_de.replace('.', ',')} werden "
        "angenommen). Bitte in kleinere Dokumente aufteilen oder mit geringerer Auflösung "
        "scannen.",
        "too-large",
    )


def encrypted_office() -> InputRejected:
    return InputRejected(
        "The office document is protected by a password. Remove the password protection "
        "(save it again without a password) and put it in the inbox again.",
        "Das Office-Dokument ist mit einem Kennwort geschützt. Bitte den Kennwortschutz "
        "entfernen (ohne Kennwort neu speichern) und erneut in den Posteingang legen.",
        "encrypted-office",
    )


def _looks_like_mail(head: bytes) -> bool:
    lines = head.splitlines()
    if len(head) == _HEAD:
        lines = lines[:-1]  # the last line may be cut off
    if lines and lines[0].startswith(b"From "):
        lines = lines[1:]  # mbox separator line ("From sender date")
    fields: set[bytes] = set()
    for line in lines:
        if not line.strip():
            break  # end of the header block
        if line[:1] in (b" ", b"\t") and fields:
            continue  # folded continuation of the previous field
        match = _HEADER_LINE.match(line)
        if match is None:
            return False
        fields.add(match.group(1).lower())
    known = fields & _MAIL_FIELDS
    return bool(known & _MAIL_CORE) and len(known) >= 2


def _not_allowed(path: Path, media_type: str) -> InputRejected:
    try:
        description = str(magic.from_file(str(path)))[:120]
    except magic.MagicException:
        description = media_type
    key = "macros" if "macroEnabled" in media_type else media_type
    hint_en, hint_de = _HINTS.get(key, _DEFAULT_HINT)
    return InputRejected(
        f"This file type is not accepted: {description} ({media_type}). Accepted are PDF, PNG, "
        f"JPEG, TIFF, DOCX, XLSX, PPTX, ODT, ODS, HTML, plain text and e-mail (.eml). {hint_en}",
        f"Dieser Dateityp wird nicht angenommen: {description} ({media_type}). Angenommen "
        "werden PDF, PNG, JPEG, TIFF, DOCX, XLSX, PPTX, ODT, ODS, HTML, reiner Text und E-Mail "
        f"(.eml). {hint_de}",
        "type-not-allowed",
    )
