"""German text analysis, the same for every backend.

Each word gives two terms: the *stem* (lowercase, Snowball German: ``Anträge``
and ``Antrag`` → ``antrag``; it also folds ``Müller``/``Mueller`` and
``Straße``/``Strasse``) for ranked matching and phrases, and the *folded* word
(lowercase, umlauts and ß folded both ways, not stemmed: ``Sperrmüllabfuhr`` →
``sperrmullabfuhr``) for prefix search, so that ``Sperrmüll`` finds the
compound. Analysis happens here, in Python, and the engines index the terms as
given: both backends match exactly the same way, and highlighting uses the
same tokens with their offsets in the original text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import Stemmer  # type: ignore[import-not-found]

#: A word: letters and digits, joined by inner hyphens, dots, slashes or apostrophes
#: are split (``Bau-Antrag`` → ``bau``, ``antrag``).
WORD = re.compile(r"[^\W_]+", re.UNICODE)
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "é": "e", "è": "e", "à": "a"})
#: ae/oe/ue as umlaut spellings (not "ue" after q: Quelle), exactly as the Snowball German
#: stemmer reads them, so that a stem is always a beginning of the folded word
#: (``Poeten``: stem ``pot``, folded ``poten``); the highlighter relies on that.
_DIGRAPH = re.compile(r"(?<!q)ue|oe|ae")
MAX_TERM_CHARS = 60
#: Raised whenever what is indexed changes (analysis or fields): an index built with
#: another version is rebuilt by the indexer (its terms would not meet the queries').
ANALYSIS_VERSION = 5  # 3: the Akte's Aktenzeichen; 4: workflow state; 5: confidential


@dataclass(frozen=True)
class Token:
    stem: str
    folded: str
    start: int  # offsets in the original text
    end: int
    position: int


@functools.cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("german")


@functools.lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lowercase, umlauts and ß folded both ways: ``Müller``, ``Mueller`` → ``muller``."""
    lowered = unicodedata.normalize("NFC", word).lower().translate(_FOLD)
    return _DIGRAPH.sub(lambda m: m.group()[0], lowered)


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball German stem of one word, folded like :func:`fold`."""
    lowered = unicodedata.normalize("NFC", word).lower()
    return fold(_stemmer().stemWord(lowered))


def tokens(text: str) -> Iterator[Token]:
    """The words of ``text`` with their terms and offsets."""
    position = 0
    for match in WORD.finditer(text):
        word = match.group()
        if len(word) > MAX_TERM_CHARS:
            continue
        yield Token(stem(word), fold(word), match.start(), match.end(), position)
        position += 1


def words(text: str) -> list[str]:
    """The words of ``text`` as written (what :func:`tokens` would analyse)."""
    return [word for word in WORD.findall(text) if len(word) <= MAX_TERM_CHARS]


def stems(text: str) -> list[str]:
    return [stem(word) for word in words(text)]


def terms(text: str) -> tuple[list[str], set[str]]:
    """The stems in order (for ranking and phrases) and the set of folded words (for
    prefix search) of ``text``: what the engines index, without the offsets."""
    written = words(text)
    return [stem(word) for word in written], {fold(word) for word in written}
