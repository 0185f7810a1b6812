"""Aktenzeichen: allocation from a configurable pattern, and syntax checks.

A pattern such as ``{plan}-{seq:04}/{year}`` names the file plan code, a
sequence number (counted per *scope*: the pattern with everything but the
sequence filled in) and the year; ``{orgunit}`` is available too.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from eakte.exceptions import InvalidReference
from eakte.models import ReferenceCounter

PLAN_CODE = re.compile(r"^\d{1,4}(?:\.\d{1,4})*$")
_FIELD_RE = {
    "plan": r"\d{1,4}(?:\.\d{1,4})*",
    "year": r"\d{4}",
    "orgunit": r"[0-9A-Za-z][0-9A-Za-z.]*",
    "akte": r".+",
}


def check_plan_code(code: str) -> str:
    if not PLAN_CODE.match(code):
        raise InvalidReference(
            f"File plan code {code!r} is not valid: use digits separated by dots, e.g. 32.10.05."
        )
    return code


@dataclass(frozen=True)
class ReferencePattern:
    pattern: str

    @cached_property
    def _parts(self) -> list[tuple[str, str | None, str]]:
        return [
            (literal, name, spec or "")
            for literal, name, spec, _ in string.Formatter().parse(self.pattern)
        ]

    def format(self, seq: int, **fields: object) -> str:
        return self.pattern.format(seq=seq, **fields)

    def scope(self, **fields: object) -> str:
        """The counter scope: the pattern filled in except for the sequence number."""
        out = []
        for literal, name, spec in self._parts:
            out.append(literal)
            if name == "seq":
                out.append("{seq}")
            elif name is not None:
                out.append(format(fields[name], spec))
        return "".join(out)

    @cached_property
    def regex(self) -> re.Pattern[str]:
        out = []
        for literal, name, spec in self._parts:
            out.append(re.escape(literal))
            if name == "seq":
                width = int(spec.lstrip("0") or 1) if spec.startswith("0") else 1
                out.append(rf"(?P<seq>\d{{{width},}})")
            elif name is not None:
                out.append(f"(?P<{name}>{_FIELD_RE[name]})")
        return re.compile("^" + "".join(out) + "$")

    def example(self) -> str:
        return self.format(seq=815, plan="32.10.05", year=2024, orgunit="32", akte="…")

    def parse(self, reference: str) -> dict[str, str]:
        match = self.regex.match(reference.strip())
        if not match:
            raise InvalidReference(
                f"Reference {reference!r} does not match the pattern {self.pattern!r} "
                f"(for example {self.example()!r})."
            )
        return match.groupdict()


def _locked_counter(session: Session, scope: str) -> ReferenceCounter:
    """The scope's counter row, created if needed and locked until commit."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(ReferenceCounter).values(scope=scope, last=0).on_conflict_do_nothing())
    return session.execute(
        select(ReferenceCounter).where(ReferenceCounter.scope == scope).with_for_update()
    ).scalar_one()


def next_sequence(session: Session, scope: str) -> int:
    """Count up the sequence of a scope, safe against concurrent allocation."""
    counter = _locked_counter(session, scope)
    counter.last += 1
    session.flush()
    return counter.last


def raise_sequence_to(session: Session, scope: str, seq: int) -> None:
    """After an explicitly given reference, keep the counter from handing it out again."""
    counter = _locked_counter(session, scope)
    counter.last = max(counter.last, seq)
    session.flush()
