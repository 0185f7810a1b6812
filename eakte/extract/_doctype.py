"""Document type by weighted rules: the type whose matching rules weigh most wins."""

from __future__ import annotations

from ._rules import DocumentType, TypeRules


def _score(kind: DocumentType, text: str, subject: str, factor: float) -> float:
    total = 0.0
    for rule in kind.rules:
        if rule.pattern.search(subject):
            total += rule.weight * factor
        elif rule.pattern.search(text):
            total += rule.weight
    return total


def document_type(text: str, subject: str, rules: TypeRules) -> str:
    """The best-scoring type; ties go to the type listed first, weak scores to the default."""
    best, best_score = rules.default, 0.0
    for kind in rules.types:
        points = _score(kind, text, subject, rules.subject_factor)
        if points >= rules.min_score and points > best_score:
            best, best_score = kind.name, points
    return best
