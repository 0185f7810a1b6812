"""The orientation plugin's confidence measure, on tesseract's TSV format."""

from __future__ import annotations

from eakte.ocr._engine import MIN_CONFIDENCE, mean_confidence

HEADER = "\t".join(
    [
        *("level", "page_num", "block_num", "par_num", "line_num", "word_num"),
        *("left", "top", "width", "height", "conf", "text"),
    ]
)


def tsv(*words: tuple[str, float]) -> str:
    rows = [HEADER, "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t"]
    for number, (text, conf) in enumerate(words, start=1):
        rows.append(f"5\t1\t1\t1\t1\t{number}\t10\t10\t50\t20\t{conf}\t{text}")
    return "\n".join(rows) + "\n"


def test_weighted_by_word_length() -> None:
    assert mean_confidence(tsv(("Antrag", 90.0), ("zu", 30.0))) == (6 * 90 + 2 * 30) / 8


def test_no_words_is_none() -> None:
    assert mean_confidence(tsv()) is None
    assert mean_confidence(tsv(("", 95.0), ("   ", 80.0))) is None
    assert mean_confidence("") is None


def test_rows_without_confidence_are_ignored() -> None:
    assert mean_confidence(tsv(("Bescheid", 92.5), ("x", -1))) == 92.5


def test_quotes_are_text_not_csv_quoting() -> None:
    assert mean_confidence(tsv(('"Hallo', 20.0), ('Welt"', 20.0))) == 20.0


def test_threshold_between_measured_groups() -> None:
    """Upright pages measured 70-96, pages lying wrong 22-35."""
    assert 35 < MIN_CONFIDENCE < 70
