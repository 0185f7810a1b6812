"""German analysis: the same terms for every spelling a clerk might use."""

from __future__ import annotations

import pytest

from eakte.search._analysis import fold, stem, terms, tokens, words
from tests.fixtures.texts import COMPLAINT, LETTER

from .test_relevance import LETTERS


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Straße", "Strasse"),
        ("Müller", "Mueller"),
        ("Anträge", "Antrag"),
        ("Genehmigungen", "Genehmigung"),
        ("Häuser", "Haus"),
        ("Ärger", "Aerger"),
        ("Größe", "Groesse"),
    ],
)
def test_spellings_meet_in_one_stem(a: str, b: str) -> None:
    assert stem(a) == stem(b)


def test_folding_keeps_q_ue() -> None:
    assert fold("Quelle") == "quelle"
    assert fold("Sperrmüllabfuhr") == fold("Sperrmuellabfuhr") == "sperrmullabfuhr"


def test_a_stem_begins_its_folded_word() -> None:
    """The highlighter relies on it to stem only candidate words."""
    text = " ".join([*LETTER, *COMPLAINT, *(d.text + " " + d.title for d in LETTERS)])
    text += " Poeten neue aktuell Feuer Bauer Steuern Öffnungszeiten Bürgerbüro Grüße"
    odd = [w for w in words(text) if not fold(w).startswith(stem(w))]
    assert odd == []


def test_offsets_point_into_the_original_text() -> None:
    text = "Az.: 32.10.05-0815/2024 – Anträge für die Schloßstraße"
    for token in tokens(text):
        assert fold(text[token.start : token.end]) == token.folded
    assert [t.position for t in tokens(text)] == list(range(10))


def test_terms_are_stems_in_order_and_folded_words() -> None:
    stems, folded = terms("Die Anträge, die Anträge!")
    assert stems == ["die", "antrag", "die", "antrag"]
    assert folded == {"die", "antrage"}


def test_overlong_words_are_left_out() -> None:
    assert words("a" * 61 + " Antrag") == ["Antrag"]
