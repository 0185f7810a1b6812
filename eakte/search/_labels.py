"""Readable names for facet values: workflow steps are indexed by their state name
(``pruefen``); the page shows the label from the definitions (``Antrag prüfen``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from eakte.workflow import list_definitions
from eakte.workflow._registry import parsed


def workflow_state_labels(session: Session, names: set[str]) -> dict[str, str]:
    """State name → its label(s) in the stored definitions (newest version first; a
    name several workflows use with different labels gets them all, joined by " / ")."""
    if not names:
        return {}
    labels: dict[str, list[str]] = {}
    for row in list_definitions(session):
        for state in parsed(row).states.values():
            if state.name in names and state.label not in labels.setdefault(state.name, []):
                labels[state.name].append(state.label)
    return {name: " / ".join(found) for name, found in labels.items() if found}
