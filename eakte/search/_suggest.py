""" "Meinten Sie …?": close words from documents the user may read.

Only words of readable documents are offered, so a suggestion cannot reveal
that a word occurs in another department's records.
"""

from __future__ import annotations

from collections import Counter

from ._analysis import fold, words
from ._model import Backend

MAX_DISTANCE = 2
_SAMPLE = 10


def distance(a: str, b: str, limit: int = MAX_DISTANCE) -> int:
    """Levenshtein distance, or ``limit + 1`` once it is certainly larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def suggest_word(backend: Backend, word: str, orgunits: frozenset[str] | None) -> str | None:
    """The most frequent readable word within edit distance 2 of ``word``, as written."""
    folded = fold(word)
    if len(folded) < 3:
        return None
    seen: Counter[str] = Counter()
    for text in backend.fuzzy_texts(folded, orgunits=orgunits, limit=_SAMPLE):
        seen.update(words(text))
    found: dict[str, tuple[int, int]] = {}  # as written → (distance, -occurrences)
    gaps: dict[str, int] = {}
    for spelled, count in seen.items():
        candidate = fold(spelled)
        # A misspelt first letter is rare; checking only words that start like the
        # query keeps this to a few dozen distance computations.
        if candidate == folded or candidate[:1] != folded[:1]:
            continue
        if abs(len(candidate) - len(folded)) > MAX_DISTANCE:
            continue
        if candidate not in gaps:
            gaps[candidate] = distance(candidate, folded)
        if gaps[candidate] <= MAX_DISTANCE:
            found[spelled] = (gaps[candidate], -count)
    if not found:
        return None
    return min(found, key=lambda w: (*found[w], w))
