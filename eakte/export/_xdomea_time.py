"""Dates and times as xdomea's schema types want them (xs:date, xs:dateTime in UTC with ``Z``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_FRACTION = re.compile(r"(\.\d{1,6})\d*")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?")


def xs_datetime(value: datetime) -> str:
    """``2024-05-01T08:15:00Z`` (microseconds kept when there are any); naive means UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def xs_date(value: date | datetime) -> str:
    """The calendar day in UTC (of a datetime) as ``YYYY-MM-DD``."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.date().isoformat()
    return value.isoformat()


def parse_datetime(text: str) -> datetime:
    """An xs:dateTime as an aware UTC datetime (without a zone it is taken as UTC).

    Raises ValueError for anything else.
    """
    text = _FRACTION.sub(r"\1", text.strip())
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if "T" not in text:
        raise ValueError(f"{text!r} has no time")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(text: str) -> date:
    """An xs:date (a time zone suffix is ignored). Raises ValueError for anything else."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a date")
    return date.fromisoformat(match.group(1))
