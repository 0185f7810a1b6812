"""The query language (documented in German in ``docs/suche.md``).

``Antrag Sperrmüll`` (all words), ``"Antrag auf Sondernutzung"`` (phrase),
``Genehm*`` (beginning), ``-Entwurf`` (without), and filters: ``az:``,
``typ:``, ``absender:``, ``oe:``, ``plan:``, ``status:``, ``workflow:``, ``jahr:``,
``datum:`` (document date) and ``eingang:`` (received), with dates as
``03.12.2024``, ``2024-12-03``, ``2024`` or ``12.2024`` and ranges ``A..B``,
``>=A``, ``<=B``. A query that is an Aktenzeichen also finds what is filed under it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import replace
from datetime import date

from eakte.exceptions import QueryError
from eakte.extract import normalise_reference

from ._analysis import fold, stems, tokens
from ._model import DateRange, ParsedQuery

_PART = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"?|(\S+))', re.UNICODE)
_LOOKS_LIKE_REFERENCE = re.compile(r"\d.*[-./].*\d")


def _parse_date(text: str, *, end: bool) -> date:
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            return date(int(text), 12, 31) if end else date(int(text), 1, 1)
        if m := re.fullmatch(r"(\d{1,2})\.(\d{4})", text):
            month, year = int(m[1]), int(m[2])
            last = calendar.monthrange(year, month)[1]
            return date(year, month, last if end else 1)
        if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text)
    except ValueError as e:
        raise QueryError(
            f"„{text}“ ist kein Datum. Schreiben Sie zum Beispiel 03.12.2024, 12.2024 oder 2024."
        ) from e


def parse_dates(text: str) -> DateRange:
    """``2024``, ``03.12.2024``, ``A..B``, ``>=A``, ``<=B`` → an inclusive range."""
    if ".." in text:
        start, _, end = text.partition("..")
        return DateRange(
            _parse_date(start, end=False) if start else None,
            _parse_date(end, end=True) if end else None,
        )
    if text.startswith(">="):
        return DateRange(_parse_date(text[2:], end=False), None)
    if text.startswith("<="):
        return DateRange(None, _parse_date(text[2:], end=True))
    return DateRange(_parse_date(text, end=False), _parse_date(text, end=True))


def parse(text: str) -> ParsedQuery:
    """Read a query; raises :class:`QueryError` with a German message."""
    query = ParsedQuery()
    words: list[tuple[str, str]] = []
    for negated, name, quoted, bare in _PART.findall(text):
        value = quoted if quoted else bare
        if not value.strip():
            continue
        if name:
            query = _filter(query, name.lower(), value)
        elif negated:
            query = replace(query, excluded=query.excluded + tuple(stems(value)))
        elif quoted:
            phrase = tuple(stems(value))
            if len(phrase) == 1:
                words.append((phrase[0], fold(value.strip())))
            elif phrase:
                query = replace(query, phrases=query.phrases + (phrase,))
        elif value.endswith("*"):
            beginning = fold(value.rstrip("*"))
            if len(beginning) < 2:
                raise QueryError("Eine Suche nach dem Wortanfang braucht mindestens 2 Zeichen.")
            query = replace(query, prefixes=query.prefixes + (beginning,))
        else:
            words.extend((token.stem, token.folded) for token in tokens(value))
    reference = normalise_reference(text)
    alternative = reference if _LOOKS_LIKE_REFERENCE.search(reference) and ":" not in text else None
    return replace(query, words=tuple(words), reference_alternative=alternative)


def _filter(query: ParsedQuery, name: str, value: str) -> ParsedQuery:
    value = value.strip()
    if name == "az":
        return replace(query, references=query.references + (normalise_reference(value),))
    if name == "typ":
        return replace(query, doc_types=query.doc_types + (value.lower(),))
    if name == "absender":
        return replace(query, sender_words=query.sender_words + tuple(stems(value)))
    if name == "oe":
        return replace(query, orgunits=query.orgunits + (value,))
    if name == "plan":
        return replace(query, plan_prefixes=query.plan_prefixes + (value,))
    if name == "status":
        return replace(query, states=query.states + (value.lower(),))
    if name == "workflow":
        return replace(query, workflows=query.workflows + (value.lower(),))
    if name == "jahr":
        if not value.isdigit():
            raise QueryError(f"„{value}“ ist keine Jahreszahl.")
        return replace(query, years=query.years + (int(value),))
    if name == "datum":
        return replace(query, document_dates=parse_dates(value))
    if name == "eingang":
        return replace(query, received_dates=parse_dates(value))
    known = "az, typ, absender, oe, plan, status, workflow, jahr, datum, eingang"
    raise QueryError(f"Das Feld „{name}:“ gibt es nicht. Möglich sind: {known}.")
