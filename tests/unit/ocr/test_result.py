from __future__ import annotations

from pathlib import Path

import pytest

from eakte.exceptions import ExtractionError
from eakte.ocr import OcrResult
from eakte.ocr._result import split_sidecar


def test_every_page_ocrd() -> None:
    assert split_sidecar("eins\n\fzwei\n\fdrei\n", 3) == ["eins\n", "zwei\n", "drei\n"]


def test_a_run_of_pages_with_text_is_one_entry() -> None:
    sidecar = "[OCR skipped on page(s) 1-2]\fdrei\f[OCR skipped on page(s) 4]\ffünf"
    assert split_sidecar(sidecar, 5) == [None, None, "drei", None, "fünf"]


def test_an_empty_page_is_empty_text_not_none() -> None:
    assert split_sidecar("\fzwei", 2) == ["", "zwei"]


def test_ocr_text_that_looks_like_the_marker_stays_text() -> None:
    """Only a marker naming the page at its own position counts."""
    assert split_sidecar("[OCR skipped on page(s) 7]\fzwei", 2) == [
        "[OCR skipped on page(s) 7]",
        "zwei",
    ]


def test_page_count_mismatch_is_an_error() -> None:
    with pytest.raises(ExtractionError, match="2 pages for a document of 3"):
        split_sidecar("eins\fzwei", 3)


def test_result_text_joins_ocr_pages_with_form_feeds() -> None:
    result = OcrResult(Path("x.pdf"), ("eins", None, "drei"), 3)
    assert result.text == "eins\fdrei"
    assert result.ocr_pages == 2


def test_result_without_ocr_pages() -> None:
    result = OcrResult(Path("x.pdf"), (None, None), 2)
    assert result.text == ""
    assert result.ocr_pages == 0
