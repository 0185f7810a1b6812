"""A query that is exactly an Aktenzeichen: the record to open instead of a result list.

The web search jumps straight to the Akte (or Vorgang) page when the whole query
names an Akte or a Vorgang the user may read. One that exists in another department is treated
like one that does not exist (references are guessable).
"""

from __future__ import annotations

from sqlalchemy import select

from eakte.extract import normalise_reference
from eakte.models import Case, CaseFile
from eakte.records import Permission, Principal, Records
from eakte.records._principal import allowed

#: longer than any Aktenzeichen: not worth a database lookup
_MAX_LENGTH = 140


def jump_target(records: Records, principal: Principal, text: str) -> str | None:
    """The reference of the Akte or Vorgang the whole query names, as stored, if the
    principal may read its Akte; else None."""
    reference = normalise_reference(text)
    if not reference or len(reference) > _MAX_LENGTH or ":" in text:
        return None
    with records.reading() as session:
        case_file = session.scalar(select(CaseFile).where(CaseFile.reference == reference))
        if case_file is None:
            case = session.scalar(select(Case).where(Case.reference == reference))
            if case is None:
                return None
            case_file = case.case_file
        if not allowed(session, principal, Permission.READ, case_file.orgunit_id):
            return None
        return reference
