"""Where an incoming document goes: an existing case file named by a detected
Aktenzeichen, else the Posteingang of the inbox folder's org unit, else the
default org unit. (Configurable routing rules come with the workflows.)"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eakte.extract import reference_key
from eakte.models import Case, CaseFile, OrgUnit


@dataclass(frozen=True)
class Route:
    orgunit: str
    case_file: str | None
    case: str | None
    reason: str  # in plain words, recorded with the document


def route(
    session: Session, references: tuple[str, ...], folder_orgunit: str | None, default: str
) -> Route:
    references = _known(session, references)
    for reference in references:
        case = session.scalar(select(Case).where(Case.reference == reference))
        if case is not None:
            unit = case.case_file.orgunit.code
            return Route(unit, None, reference, f"Aktenzeichen {reference} → Vorgang")
        case_file = session.scalar(select(CaseFile).where(CaseFile.reference == reference))
        if case_file is not None:
            unit = case_file.orgunit.code
            return Route(unit, reference, None, f"Aktenzeichen {reference} → Akte")
    if folder_orgunit is None:
        return Route(default, None, None, f"Standard-Posteingang {default}")
    if session.scalar(select(OrgUnit.code).where(OrgUnit.code == folder_orgunit)) is not None:
        return Route(folder_orgunit, None, None, f"Eingangsordner {folder_orgunit}")
    return Route(
        default,
        None,
        None,
        f"Eingangsordner {folder_orgunit} ist keine Organisationseinheit → "
        f"Standard-Posteingang {default}",
    )


def _known(session: Session, references: tuple[str, ...]) -> tuple[str, ...]:
    """Detected references, each replaced by the stored one it means despite OCR
    confusions (I/l/1, O/0) when it is not stored verbatim. Only stored references
    of the same length are compared (the confusions keep the length), so routing
    does not read every reference of the installation for each document."""
    return tuple(_stored_form(session, reference) for reference in references)


def _stored_form(session: Session, reference: str) -> str:
    key = reference_key(reference)
    for model in (Case, CaseFile):
        same_length = select(model.reference).where(func.length(model.reference) == len(reference))
        for (stored,) in session.execute(same_length):
            if stored == reference or reference_key(stored) == key:
                return str(stored)
    return reference
