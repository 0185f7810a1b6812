"""What a letter says about itself: references, its date, sender, type, language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ._dates import find_dates
from ._docdate import document_date
from ._doctype import document_type
from ._language import detect_language
from ._layout import head_end, subject, text_lines
from ._references import find_references
from ._rules import Rules
from ._sender import find_sender


@dataclass(frozen=True)
class Facts:
    """Metadata found in a document's text."""

    references: tuple[str, ...]
    document_date: date | None
    sender: str | None
    document_type: str | None
    language: str | None
    dates: tuple[date, ...]


def analyse(text: str, rules: Rules) -> Facts:
    """Facts from the text of a document (Tika's or OCR's), by ``rules``."""
    lines = text_lines(text)
    if not any(line.strip() for line in lines):
        return Facts((), None, None, None, None, ())
    head = head_end(lines)
    hits = find_dates(lines)
    return Facts(
        references=find_references(lines, rules.references),
        document_date=document_date(lines, hits, rules.dates, head),
        sender=find_sender(lines, head),
        document_type=document_type(text, subject(lines), rules.document_types),
        language=detect_language(text),
        dates=tuple(dict.fromkeys(hit.value for hit in hits)),
    )
