"""Snippets with the matched words marked, cut from the text stored in the index.

The same analysis that indexed the text finds the matches again, so a search
for ``Anträge`` marks ``Antrag`` and ``Sperrmüll`` marks ``Sperrmüllabfuhr``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ._analysis import WORD, fold, stem
from ._model import MIN_PREFIX_WORD, ParsedQuery

_SPACES = re.compile(r"\s+")
WIDTH = 220  # characters around the best spot


@dataclass(frozen=True)
class Snippet:
    """Text pieces; the ones with ``True`` matched the query."""

    parts: tuple[tuple[str, bool], ...]

    def html(self) -> str:
        return "".join(
            f"<mark>{html.escape(text)}</mark>" if hit else html.escape(text)
            for text, hit in self.parts
        )

    def plain(self, start: str = "[", end: str = "]") -> str:
        return "".join(f"{start}{text}{end}" if hit else text for text, hit in self.parts)


def _matcher(query: ParsedQuery) -> tuple[set[str], tuple[str, ...]]:
    stems = {stem for stem, _ in query.words}
    stems |= {stem for phrase in query.phrases for stem in phrase}
    stems |= set(query.sender_words)
    prefixes = tuple(query.prefixes) + tuple(
        folded for _, folded in query.words if len(folded) >= MIN_PREFIX_WORD
    )
    return stems, prefixes


def _matches(text: str, stems: set[str], prefixes: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """Offsets of the words that match. A German stem is a beginning of the folded
    word (``antrag`` of ``antrage``), so only those words are stemmed: the snippets
    of ten hits cost well under a millisecond each."""
    beginnings = tuple(stems) + prefixes
    if not beginnings:
        return
    for match in WORD.finditer(text):
        word = match.group()
        folded = fold(word)
        if not folded.startswith(beginnings):
            continue
        if (prefixes and folded.startswith(prefixes)) or stem(word) in stems:
            yield match.span()


def snippet(text: str, query: ParsedQuery, width: int = WIDTH) -> Snippet:
    """The part of ``text`` with the most matches, at most about ``width`` characters."""
    stems, prefixes = _matcher(query)
    spans = list(_matches(text, stems, prefixes))
    if not spans:
        cut = text[:width]
        return Snippet(((cut + ("…" if len(text) > width else ""), False),))
    best_start, best_count = spans[0][0], 0
    for index, (start, _) in enumerate(spans):
        count = sum(1 for s, _ in spans[index:] if s < start + width)
        if count > best_count:
            best_start, best_count = start, count
    window_start = max(0, text.rfind(" ", 0, max(0, best_start - width // 4)) + 1)
    window_end = min(len(text), window_start + width)
    if window_end < len(text):
        space = text.rfind(" ", best_start, window_end)
        window_end = space if space > best_start else window_end
    parts: list[tuple[str, bool]] = [("…", False)] if window_start > 0 else []
    position = window_start
    for start, end in spans:
        if start < window_start or end > window_end:
            continue
        if start > position:
            parts.append((text[position:start], False))
        parts.append((text[start:end], True))
        position = end
    if position < window_end:
        parts.append((text[position:window_end], False))
    if window_end < len(text):
        parts.append(("…", False))
    return Snippet(tuple((p if hit else _SPACES.sub(" ", p), hit) for p, hit in parts))
