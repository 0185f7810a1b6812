"""Where things stand in a letter: the head (letterhead, addresses, date line,
subject) ends at the salutation; the subject stands just above it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_SPACES = re.compile(r"[\u00a0\u2000-\u200b\u202f\u205f\u3000]")
SALUTATION = re.compile(
    r"^\s*(?:Sehr\s+geehrte|Sehr\s+verehrte|Liebe[rs]?\s|Guten\s+Tag|Hallo\b|Moin\b|"
    r"Grüß\s+Gott|Dear\b|Hello\b|Ladies\s+and\s+Gentlemen)",
    re.IGNORECASE,
)
SUBJECT = re.compile(r"^\s*(?:Betreff|Betr\.|Subject|Re|AW|WG|Fwd?)\s*:\s*", re.IGNORECASE)
#: Without a salutation or a subject, this many lines count as the head.
_DEFAULT_HEAD = 25


def text_lines(text: str) -> list[str]:
    """The text's lines, with odd spaces made plain and trailing blanks removed."""
    return [line.rstrip() for line in _SPACES.sub(" ", text).splitlines()]


def salutation_line(lines: Sequence[str]) -> int | None:
    return next((n for n, line in enumerate(lines) if SALUTATION.match(line)), None)


def _subject_line(lines: Sequence[str]) -> int | None:
    return next((n for n, line in enumerate(lines) if SUBJECT.match(line)), None)


def head_end(lines: Sequence[str]) -> int:
    """Index of the first line after the letter's head."""
    salutation = salutation_line(lines)
    if salutation is not None:
        return salutation
    subject = _subject_line(lines)
    if subject is not None:
        return subject + 1
    return min(len(lines), max(_DEFAULT_HEAD, len(lines) // 3))


def subject(lines: Sequence[str]) -> str:
    """The subject: a "Betreff:" line, or the (at most two) lines just above the salutation."""
    labelled = _subject_line(lines)
    if labelled is not None:
        return SUBJECT.sub("", lines[labelled])
    salutation = salutation_line(lines)
    if salutation is None:
        return ""
    above: list[str] = []
    for line in reversed(lines[:salutation]):
        if not line.strip():
            if above:
                break
            continue
        above.insert(0, line.strip())
        if len(above) == 2:
            break
    return " ".join(above)
