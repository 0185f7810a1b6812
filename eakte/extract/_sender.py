"""Who wrote the letter, in this order of trust:

1. the sender line above the address window
   (``Stadtwerke Musterstadt GmbH · Hauptstr. 1 · 12345 Musterstadt``);
2. a ``Von:``/``From:`` line (e-mails);
3. an organisation's name in the letterhead, above the first address;
4. the first address block, when it is not the recipient's (``Herrn``, ``An``);
5. the name under the closing (``Mit freundlichen Grüßen``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

_POSTCODE = re.compile(r"(?<!\d)(?:D-)?\d{5}(?!\d)\s+\S")
_POSTCODE_LINE = re.compile(r"^\s*(?:D-)?\d{5}\s+[A-ZÄÖÜ]")
#: "·" as printed, and as OCR reads it (- . : | «)
_SENDER_SEPARATORS = re.compile(r"\s+[·•|∙⋅«»*:.-]\s+|\s*[·•∙⋅]\s*")
#: a sender line written with commas needs name, street and "12345 City"
_COMMA_SENDER = re.compile(r"\s*,\s+")
_FROM = re.compile(r"^\s*(?:Von|From|Absender)\s*:\s*(?P<who>.+)$", re.IGNORECASE)
_ORGANISATION = re.compile(
    r"\b(?:GmbH|mbH|AG|KG|OHG|GbR|e\.\s?V\.|eG|SE|Stadt|Gemeinde|Landkreis|Kreis|"
    r"Landratsamt|Amt|Amtsgericht|Gericht|Verwaltung|Stadtverwaltung|Stadtwerke|Bank|"
    r"Sparkasse|Versicherung|Kanzlei|Rechtsanw\w*|Notar\w*|Verein|Verband|Genossenschaft|"
    r"Ministerium|Behörde|Finanzamt|Jobcenter|Agentur|Universität|Hochschule|Schule|"
    r"Kirchengemeinde|Stiftung|Zweckverband|Kammer|Praxis|Büro|Ingenieurbüro|Architekt\w*|"
    r"Landeshauptstadt|Bezirksamt|Kreisverwaltung|Polizei\w*|Feuerwehr|Klinikum|Wohnungsbau\w*)\b"
)
_RECIPIENT = re.compile(r"^\s*(?:Herrn?|Frau|An\b|An\s+die|An\s+das|An\s+den|z\.\s?Hd\.?)", re.I)
_CLOSING = re.compile(
    r"^\s*(?:Mit\s+freundlichen\s+Grüßen|Freundliche\s+Grüße|Viele\s+Grüße|Beste\s+Grüße|"
    r"Hochachtungsvoll|Mit\s+besten\s+Grüßen|Kind\s+regards|Best\s+regards|Sincerely)",
    re.IGNORECASE,
)
_NOT_A_NAME = re.compile(
    r"^\s*(?:i\.\s?A\.|i\.\s?V\.|im\s+Auftrag|in\s+Vertretung|gez\.)\s*$", re.IGNORECASE
)
_TRAILING = re.compile(r"[\s,;:·•|*-]+$")
#: Capitals after a mixed-case name: a stamp (EINGEGANGEN) that OCR read into the same line.
_STAMP = re.compile(r"[\s,;:|]+[A-ZÄÖÜ]{5,}(?:\s+[A-ZÄÖÜ0-9.]+)*$")
#: Specks and quotes that OCR puts before a name: „ ‚ . | + € _ '
_JUNK_START = re.compile(r"^(?:[^\w(]|_)+")
_LONGEST = 80


def clean(text: str) -> str | None:
    """A candidate line as a sender's name, or None when it does not look like one."""
    text = re.sub(r"^\s*(?:Absender|Von|From)\s*:\s*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s*<[^>]*>|\S+@\S+", "", text)  # e-mail addresses
    text = " ".join(text.split())
    stamp = _STAMP.search(text)
    if stamp and re.search("[a-zäöüß]", text[: stamp.start()]):
        text = text[: stamp.start()]
    text = _TRAILING.sub("", _JUNK_START.sub("", text))
    if text.endswith(".") and "." not in text.rsplit(" ", 1)[-1][:-1]:
        text = text[:-1].rstrip()  # "Mustermann." but not "e.V."
    if len(text) < 3 or len(text) > _LONGEST or not re.search(r"[A-Za-zÄÖÜäöü]{2}", text):
        return None
    return text


def _sender_line(head: Sequence[str]) -> Iterator[str]:
    for line in head:
        parts = [p for p in _SENDER_SEPARATORS.split(line.strip()) if p.strip()]
        if len(parts) >= 2 and not _POSTCODE.match(parts[0]) and _POSTCODE.search(parts[-1]):
            yield parts[0]
            continue
        # "Erika Musterfrau, Lindenweg 7, 12345 Musterstadt"
        parts = [p for p in _COMMA_SENDER.split(line.strip()) if p.strip()]
        if len(parts) >= 3 and not _POSTCODE.match(parts[0]) and _POSTCODE_LINE.match(parts[-1]):
            yield parts[0]


def _from_line(head: Sequence[str]) -> Iterator[str]:
    for line in head:
        if match := _FROM.match(line):
            yield match.group("who")


def _first_postcode(head: Sequence[str]) -> int:
    return next((n for n, line in enumerate(head) if _POSTCODE_LINE.match(line)), len(head))


def _letterhead(head: Sequence[str]) -> Iterator[str]:
    """Organisation names above the first address; the recipient's ("An die Stadt") ends it."""
    for line in head[: _first_postcode(head)]:
        if _RECIPIENT.match(line):
            return
        if _ORGANISATION.search(line):
            yield line


def _first_address(head: Sequence[str]) -> Iterator[str]:
    end = _first_postcode(head)
    if end == len(head):
        return
    block: list[str] = []
    for line in reversed(head[:end]):
        if not line.strip() or len(block) == 3:
            break
        block.insert(0, line)
    if block and not _RECIPIENT.match(block[0]):
        yield block[0]


def _signature(lines: Sequence[str]) -> Iterator[str]:
    for n, line in enumerate(lines):
        if _CLOSING.match(line):
            names = [ln for ln in lines[n + 1 : n + 6] if ln.strip() and not _NOT_A_NAME.match(ln)]
            yield from names[:1]


def find_sender(lines: Sequence[str], head_end: int) -> str | None:
    """The letter's sender, or None when no line looks like one."""
    head = lines[:head_end]
    sources = (_sender_line(head), _from_line(head), _letterhead(head), _first_address(head))
    for source in (*sources, _signature(lines)):
        for candidate in source:
            cleaned = clean(candidate)
            if cleaned:
                return cleaned
    return None
