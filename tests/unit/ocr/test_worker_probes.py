"""The OCR worker asks tesseract for its version and languages once, not per document."""

from __future__ import annotations

import shutil

import pytest
from ocrmypdf._exec import tesseract

from eakte.ocr._worker import cache_probes


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_probes_are_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tesseract, "version", tesseract.version)  # restored afterwards
    monkeypatch.setattr(tesseract, "get_languages", tesseract.get_languages)
    cache_probes()
    cache_probes()  # twice is harmless: not wrapped again
    assert tesseract.version() == tesseract.version()
    assert "deu" in tesseract.get_languages()
    tesseract.get_languages()
    assert tesseract.version.cache_info().hits == 1  # type: ignore[attr-defined]
    assert tesseract.get_languages.cache_info().hits == 1  # type: ignore[attr-defined]
    assert tesseract.has_thresholding() in (True, False)  # the module's own calls use the cache
    assert tesseract.version.cache_info().hits == 2  # type: ignore[attr-defined]
