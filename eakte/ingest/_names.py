"""File names from outside: made safe to show, safe to write, and recognised as temporary.

Names arrive from scan stations, network shares and e-mail attachments. They may
carry path parts (``../../etc/passwd``, ``C:\\Scans\\a.pdf``), control characters,
bidirectional overrides that make ``rechnung‮fdp.exe`` display as ``rechnungexe.pdf``,
other invisible characters, decomposed umlauts from macOS, or bytes that are not
UTF-8 (an old scan station writing Windows-1252 names to a share). Nothing here
touches the file system.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_CHARS = 200
#: Room left in a file system's 255-byte names for " (99)", ".error.txt" and ".json".
MAX_FAILED_NAME_BYTES = 200
UNNAMED = "unbenannt"

# Format characters (Unicode category Cf) are invisible: the bidirectional
# embeddings, overrides and isolates, direction marks, zero-width spaces, soft
# hyphens, byte-order marks. Only the two joiners that some scripts and emoji
# need are kept.
_KEPT_FORMAT = frozenset("\u200c\u200d")
# os.fsdecode() turns each byte that is not UTF-8 into one of these surrogates.
_ESCAPED_BYTES = range(0xDC80, 0xDD00)
# Characters Windows/SMB shares refuse in file names (the inbox is often such a share).
_NOT_ON_SHARES = re.compile(r'[<>:"|?*]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$", re.IGNORECASE)
_TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".filepart")


def safe_display_name(name: str) -> str:
    """Return ``name`` fit to show and store as a document's original file name.

    Bytes that were not UTF-8 read as Windows-1252; NFC-normalised; only the
    last path part (``/`` and ``\\`` both separate); control, bidi-override and
    other invisible characters removed; whitespace runs collapsed; no leading
    dots; at most 200 characters (the extension is kept when shortening).
    Umlauts and ß stay as they are. Never empty.
    """
    text = unicodedata.normalize("NFC", _undo_byte_escapes(name))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(" " if _is_space(ch) else ch for ch in text if _is_visible(ch))
    text = " ".join(text.split()).lstrip(". ")
    return _shorten(text, MAX_NAME_CHARS) or UNNAMED


def failed_name(name: str) -> str:
    """Return a name under which a rejected file can be written to the failed folder.

    Like :func:`safe_display_name`, and additionally valid on Windows/SMB
    shares: no ``<>:"|?*``, no trailing dots or spaces, no reserved device
    names such as ``CON`` or ``NUL.pdf``, and at most 200 bytes in UTF-8 so
    that a numbered variant plus ``.error.txt`` still fits the 255 bytes a file
    system allows. The caller still has to avoid collisions with files already
    there.
    """
    text = _NOT_ON_SHARES.sub("_", safe_display_name(name)).rstrip(". ")
    if _WINDOWS_RESERVED.match(text):
        text = "_" + text
    while len(text.encode()) > MAX_FAILED_NAME_BYTES:
        text = _shorten(text, len(text) - 1)
    return text.rstrip(". ") or UNNAMED


def is_hidden_or_temp(name: str) -> bool:
    """True for files a scanner, copy tool or office program is still writing.

    Hidden files (``.scan.pdf``), LibreOffice locks (``.~lock.a.odt#``), Word's
    owner files (``~$brief.docx``) and partial downloads or copies (``*.tmp``,
    ``*.part``, ``*.crdownload``, ...). Only the last path part is looked at.
    """
    base = re.split(r"[/\\]", name)[-1]
    if not base or base.startswith((".", "~$")):
        return True
    return base.lower().endswith(_TEMP_SUFFIXES)


def _is_space(ch: str) -> bool:
    return ch in "\t\n\r\v\f" or unicodedata.category(ch) in ("Zs", "Zl", "Zp")


def _is_visible(ch: str) -> bool:
    """Not a C0/C1 control (tab and newline become spaces instead), not an invisible
    format character such as a bidi override, not a lone surrogate."""
    category = unicodedata.category(ch)
    if category == "Cf":
        return ch in _KEPT_FORMAT
    return category not in ("Cc", "Cs") or _is_space(ch)


def _undo_byte_escapes(name: str) -> str:
    """Read the bytes that were not UTF-8 (``b"caf\\xe9"`` arrives as ``"caf\\udce9"``)
    as Windows-1252, the usual encoding of older Windows scan stations."""
    if not any(ord(ch) in _ESCAPED_BYTES for ch in name):
        return name
    return "".join(
        bytes([ord(ch) - 0xDC00]).decode("cp1252", errors="replace")
        if ord(ch) in _ESCAPED_BYTES
        else ch
        for ch in name
    )


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    stem, dot, ext = text.rpartition(".")
    if dot and stem and 0 < len(ext) <= 16:
        return stem[: limit - len(ext) - 1].rstrip() + "." + ext
    return text[:limit].rstrip()
