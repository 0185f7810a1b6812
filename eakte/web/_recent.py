"""Recently viewed records, per login session (shown on the start page).

Pages that show one record call :func:`remember`; nothing is stored in the
database, so viewing stays a read.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import session

KEEP = 10
_KEY = "recent"


@dataclass(frozen=True)
class Recent:
    kind: str  # "document", "casefile", "case"
    key: str  # id or reference
    label: str
    url: str


def remember(kind: str, key: str, label: str, url: str) -> None:
    """Put a record at the top of the list (once), keeping the newest :data:`KEEP`."""
    entries = [e for e in session.get(_KEY, []) if (e[0], e[1]) != (kind, key)]
    session[_KEY] = [[kind, key, label[:200], url], *entries][:KEEP]


def recently_viewed() -> list[Recent]:
    return [Recent(*entry) for entry in session.get(_KEY, []) if len(entry) == 4]
