"""File names from outside: made safe to show, safe to write, and recognised as temporary.

Names arrive from scan stations, network shares and e-mail attachments. They may
carry path parts (``../../etc/passwd``, ``C:\\Scans\\a.pdf``), control characters,
bidirectional overrides that make ``rechnung‮fdp.exe`` display as ``rechnungexe.pdf``,
or decomposed umlauts from macOS. Nothing here touches the file system.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_CHARS = 200
UNNAMED = "unbenannt"

# Bidirectional embeddings, overrides and isolates, plus the invisible marks.
_BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
# Characters Windows/SMB shares refuse in file names (the inbox is often such a share).
_NOT_ON_SHARES = re.compile(r'[<>:"|?*]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$", re.IGNORECASE)
_TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".filepart")


def safe_display_name(name: str) -> str:
    """Return ``name`` fit to show and store as a document's original file name.

    NFC-normalised; only the last path part (``/`` and ``\\`` both separate);
    control and bidi-override characters removed; whitespace runs collapsed;
    no leading dots; at most 200 characters (the extension is kept when
    shortening). Umlauts and ß stay as they are. Never empty.
    """
    text = unicodedata.normalize("NFC", name)
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(" " if _is_space(ch) else ch for ch in text if _is_visible(ch))
    text = " ".join(text.split()).lstrip(". ")
    return _shorten(text, MAX_NAME_CHARS) or UNNAMED


def failed_name(name: str) -> str:
    """Return a name under which a rejected file can be written to the failed folder.

    Like :func:`safe_display_name`, and additionally valid on Windows/SMB
    shares: no ``<>:"|?*``, no trailing dots or spaces, no reserved device
    names such as ``CON`` or ``NUL.pdf``. The caller still has to avoid
    collisions with files already there.
    """
    text = _NOT_ON_SHARES.sub("_", safe_display_name(name)).rstrip(". ")
    if _WINDOWS_RESERVED.match(text):
        text = "_" + text
    return text or UNNAMED


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
    """Not a bidi control, not a C0/C1 control (tab and newline become spaces instead)."""
    return ch not in _BIDI_CONTROLS and (unicodedata.category(ch) != "Cc" or _is_space(ch))


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    stem, dot, ext = text.rpartition(".")
    if dot and stem and 0 < len(ext) <= 16:
        return stem[: limit - len(ext) - 1].rstrip() + "." + ext
    return text[:limit].rstrip()
