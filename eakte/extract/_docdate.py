"""The letter's own date among all its dates.

Each date is scored by what stands before it (``Datum:``, ``Musterstadt, den``
or a deadline, a receipt stamp, a quoted letter) and where it stands (alone on
its line, in the head of the letter or in the body). The best score wins; ties
go to the earlier date. A text whose dates are all deadlines and quotations
has no document date.

What stands before a date is, in this order: a label or place on its own line;
the word above it in a table-style info block (``Ihr Schreiben vom  Datum``
over ``12.11.2024  03.12.2024``, or a stamp's ``EINGEGANGEN`` that OCR read
into the line above); the rest of its own line; the end of the line above.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date

from ._dates import DateHit
from ._rules import DateRules

#: Text this far before a date is its context; on the line above, this much of its end.
_REACH, _TAIL = 40, 15
#: Words allowed after the last date word of a header line ("... vom  Unser Zeichen").
_HEADER_SLACK = 2
#: "Musterstadt, 03.12.2024", "Frankfurt am Main, den 3. Dezember 2024", "Dienstag, 3. ...";
#: also as OCR may read them: "Erfurt; den", "Leipzig, "27. November"
_PLACE = re.compile(r"[A-ZÄÖÜ][\wäöüß.()/ -]{1,40}[,;]\s*(?:den\s+)?[^\w\s]?$")
_RANGE_AFTER = re.compile(r"\s*(?:-|bis)\s*\d", re.IGNORECASE)

#: The dates of each line, by line number.
Rows = Mapping[int, Sequence[DateHit]]

# OCR may read the right column (date line, information block) after the salutation:
# a date in the body is suspect, not excluded.
LABEL, PLACE, ALONE, HEAD, BODY, EXCLUDED = 6, 5, 3, 2, -1, -10
#: Fewer points: nothing about the date says it is the letter's (a bare date in the head).
MIN_SCORE = 3


def _previous(lines: Sequence[str], hit: DateHit) -> int | None:
    """The nearest non-blank line above the date's line (at most one blank line between)."""
    for n in (hit.line - 1, hit.line - 2):
        if n >= 0 and lines[n].strip():
            return n
    return None


def _word(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the whole word(s) around ``text[start:end]``."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def _header_words(line: str, rules: DateRules) -> list[str]:
    """The words of a line that say what a date is, e.g. ["vom", "Datum"], one per word;
    none unless the last of them ends the line (give or take a label like "Unser Zeichen")."""
    either = f"{rules.label_words.pattern}|{rules.negative_words.pattern}"
    spans: list[tuple[int, int]] = []
    for match in re.finditer(either, line, re.IGNORECASE):
        start, end = _word(line, match.start(), match.end())
        if not spans or start >= spans[-1][1]:
            spans.append((start, end))
    if not spans or len(line[spans[-1][1] :].split()) > _HEADER_SLACK:
        return []
    return [line[start:end] for start, end in spans]


def _from_header(lines: Sequence[str], hit: DateHit, rows: Rows, rules: DateRules) -> str | None:
    """The date's column label, when the line above labels the dates of this line in turn."""
    above = _previous(lines, hit)
    if above is None or rows.get(above):
        return None
    header = _header_words(lines[above], rules)
    row = list(rows[hit.line])
    return header[row.index(hit)] if header and len(header) == len(row) else None


def _previous_tail(lines: Sequence[str], hit: DateHit, rows: Rows) -> str:
    """The end of the line above, after its last date ("... bis zum" over "17.12.2024")."""
    above = _previous(lines, hit)
    if above is None:
        return ""
    ends = [h.end for h in rows.get(above, ())]
    return lines[above][max(ends, default=0) :][-_TAIL:].strip()


def context(lines: Sequence[str], hit: DateHit, rows: Rows, rules: DateRules) -> str:
    """The text before a date that tells what the date is."""
    ends = [h.end for h in rows[hit.line] if h.end <= hit.start]
    window = lines[hit.line][max(ends, default=0) : hit.start][-_REACH:]
    if rules.labels.search(window) or _PLACE.search(window):
        return window
    header = _from_header(lines, hit, rows, rules)
    if header is not None:
        return header
    return window if window.strip() else _previous_tail(lines, hit, rows) + " "


def _excluded(before: str, after: str, rules: DateRules) -> bool:
    """A deadline, stamp, birth date or quotation; or the first date of a range."""
    label = rules.labels.search(before)
    if label:  # "Am Markt 1 Datum:" is a letter date, "Eingangsdatum:" is not
        before = before[_word(before, label.start(), label.start())[0] :]
    if rules.not_document_date.search(before) or before.strip() == "-":
        return True
    last_word = before.split()[-1:]  # "beginnt am, 13. Mai" as OCR may read it
    if last_word and rules.negative_words.search(last_word[0]):
        return True
    return bool(_RANGE_AFTER.match(after))


def score(hit: DateHit, lines: Sequence[str], rows: Rows, rules: DateRules, head: int) -> int:
    """Points for being the letter's own date; negative when it is clearly something else."""
    line = lines[hit.line]
    before, after = context(lines, hit, rows, rules), line[hit.end :]
    if _excluded(before, after, rules):
        return EXCLUDED
    points = HEAD if hit.line < head else BODY
    if rules.labels.search(before):
        points += LABEL
    elif _PLACE.search(line[: hit.start]):
        points += PLACE
    if not after.strip(" .,") and not line[: hit.start].strip():
        points += ALONE
    return points


def document_date(
    lines: Sequence[str], hits: Sequence[DateHit], rules: DateRules, head: int
) -> date | None:
    """The letter's own date, or None when no date looks like one."""
    rows: dict[int, list[DateHit]] = {}
    for hit in hits:
        rows.setdefault(hit.line, []).append(hit)
    best: tuple[int, date] | None = None
    for hit in hits:
        points = score(hit, lines, rows, rules, head)
        if points >= MIN_SCORE and (best is None or points > best[0]):
            best = (points, hit.value)
    return best[1] if best else None
