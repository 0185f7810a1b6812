"""Where an incoming document goes: an existing case file named by a detected
Aktenzeichen, else the org unit of the matching routing rule (see
:mod:`eakte.workflow._routing`), else the Posteingang of the inbox folder's
org unit, else the default org unit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eakte.extract import reference_key
from eakte.models import Case, CaseFile, OrgUnit
from eakte.workflow import Rule


@dataclass(frozen=True)
class Route:
    orgunit: str
    case_file: str | None
    case: str | None
    reason: str  # in plain words, recorded with the document
    rule: str | None = None  # the routing rule that matched
    workflow: str | None = None  # to start on the document, by that rule

    def recorded(self) -> dict[str, str]:
        """What the document's metadata records about the rule."""
        if self.rule is None:
            return {}
        return {"routing_rule": self.rule} | ({"workflow": self.workflow} if self.workflow else {})


def route(
    session: Session,
    references: tuple[str, ...],
    folder_orgunit: str | None,
    default: str,
    rule: Rule | None = None,
) -> Route:
    """An Aktenzeichen of an existing Akte or Vorgang wins over ``rule`` (it is
    more specific); the rule's org unit wins over the inbox folder."""
    filed = _by_reference(session, _known(session, references))
    if rule is None:
        return filed or _by_folder(session, folder_orgunit, default)
    started = f", Workflow {rule.workflow}" if rule.workflow else ""
    if filed is not None:
        if rule.orgunit is None:
            reason = f"{filed.reason}; Regel {rule.name}: Workflow {rule.workflow}"
        else:
            reason = f"{filed.reason} (genauer als Regel {rule.name} → {rule.orgunit}){started}"
        return Route(filed.orgunit, filed.case_file, filed.case, reason, rule.name, rule.workflow)
    fallback = _by_folder(session, folder_orgunit, default)
    if rule.orgunit is None:
        reason = f"{fallback.reason}; Regel {rule.name}: Workflow {rule.workflow}"
        return Route(fallback.orgunit, None, None, reason, rule.name, rule.workflow)
    if _exists(session, rule.orgunit):
        reason = f"Regel {rule.name} → {rule.orgunit}{started}"
        return Route(rule.orgunit, None, None, reason, rule.name, rule.workflow)
    reason = (
        f"Regel {rule.name} → {rule.orgunit} ist keine Organisationseinheit → "
        f"{fallback.reason}{started}"
    )
    return Route(fallback.orgunit, None, None, reason, rule.name, rule.workflow)


def _by_reference(session: Session, references: tuple[str, ...]) -> Route | None:
    for reference in references:
        case = session.scalar(select(Case).where(Case.reference == reference))
        if case is not None:
            unit = case.case_file.orgunit.code
            return Route(unit, None, reference, f"Aktenzeichen {reference} → Vorgang")
        case_file = session.scalar(select(CaseFile).where(CaseFile.reference == reference))
        if case_file is not None:
            unit = case_file.orgunit.code
            return Route(unit, reference, None, f"Aktenzeichen {reference} → Akte")
    return None


def _exists(session: Session, code: str) -> bool:
    return session.scalar(select(OrgUnit.code).where(OrgUnit.code == code)) is not None


def _by_folder(session: Session, folder_orgunit: str | None, default: str) -> Route:
    if folder_orgunit is None:
        return Route(default, None, None, f"Standard-Posteingang {default}")
    if _exists(session, folder_orgunit):
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
