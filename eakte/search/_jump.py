"""A query that is exactly an Aktenzeichen: the Akte to open instead of a result list.

The web search jumps straight to the Akte when the whole query names an Akte or
a Vorgang the user may read. One that exists in another department is treated
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


def case_file_for(records: Records, principal: Principal, text: str) -> str | None:
    """The reference of the Akte named (itself or by one of its Vorgänge) by the whole
    query, if the principal may read it; else None."""
    reference = normalise_reference(text)
    if not reference or len(reference) > _MAX_LENGTH or ":" in text:
        return None
    with records.reading() as session:
        case_file = session.scalar(select(CaseFile).where(CaseFile.reference == reference))
        if case_file is None:
            case = session.scalar(select(Case).where(Case.reference == reference))
            case_file = case.case_file if case is not None else None
        if case_file is None or not allowed(
            session, principal, Permission.READ, case_file.orgunit_id
        ):
            return None
        return case_file.reference
