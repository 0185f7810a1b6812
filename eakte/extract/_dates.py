"""Dates as Germans (and sometimes the English) write them in letters.

``03.12.2024``, ``3.12.24``, ``3. Dezember 2024``, ``12. Sept. 2023``,
``2024-12-03``, ``3 December 2024``, ``December 3, 2024``. Impossible dates
(``31.02.2024``) are not dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

MONTHS = {
    "januar": 1, "jänner": 1, "january": 1, "jan": 1,
    "februar": 2, "february": 2, "feb": 2,
    "märz": 3, "maerz": 3, "marz": 3, "march": 3, "mär": 3, "mrz": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "dezember": 12, "december": 12, "dez": 12, "dec": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_M = rf"(?P<month>{_MONTH})(?!\w)\.?"

_PATTERNS = (
    # 03.12.2024, 3.12.24 - but not 32.10.05 in 32.10.05-0815/2024, nor 5.1234.567.8
    r"(?<![\d.])(?P<day>\d{1,2})\. ?(?P<num>\d{1,2})\. ?(?P<year>\d{4}|\d{2})"
    r"(?!\d|\.\d|[-/]\d)",
    # 3. Dezember 2024, 12. Sept. 2023, 3 December 2024 (and "11; September 2024" by OCR)
    rf"(?<![\d.])(?P<day>\d{{1,2}})[.,;:]?[ \t]*{_M}[ \t]*,?[ \t]*(?P<year>\d{{4}})(?!\d)",
    # December 3, 2024
    rf"(?<!\w){_M}[ \t]+(?P<day>\d{{1,2}}),?[ \t]+(?P<year>\d{{4}})(?!\d)",
    # 2024-12-03
    r"(?<![\d-])(?P<year>\d{4})-(?P<num>\d{2})-(?P<day>\d{2})(?![\d-])",
)
_DATE_RE = [re.compile(pattern, re.IGNORECASE) for pattern in _PATTERNS]


@dataclass(frozen=True)
class DateHit:
    """A date, and where it stands: line number and columns in that line."""

    value: date
    line: int
    start: int
    end: int


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _value(match: re.Match[str]) -> date | None:
    parts = match.groupdict()
    month = int(parts["num"]) if parts.get("num") else MONTHS[parts["month"].lower()]
    year = _year(parts["year"])
    if not 1900 <= year <= 2099:
        return None
    try:
        return date(year, month, int(parts["day"]))
    except ValueError:
        return None


def _in_line(line: str, number: int) -> Iterator[DateHit]:
    taken: list[range] = []
    for regex in _DATE_RE:
        for match in regex.finditer(line):
            value = _value(match)
            span = range(match.start(), match.end())
            if value and not any(span.start < t.stop and t.start < span.stop for t in taken):
                taken.append(span)
                yield DateHit(value, number, match.start(), match.end())


def find_dates(lines: Sequence[str]) -> list[DateHit]:
    """Every valid date, in reading order."""
    hits = [hit for number, line in enumerate(lines) for hit in _in_line(line, number)]
    return sorted(hits, key=lambda hit: (hit.line, hit.start))
