"""An OCRmyPDF plugin for ``rotate_pages=False``: each page read once, as it lies.

The engine of ``_engine`` without its second reading with orientation
detection: the page text still comes in reading order (``_reading``).
"""

from __future__ import annotations

from typing import Any

from ocrmypdf import hookimpl

from ._engine import ReadingOrderEngine


@hookimpl
def get_ocr_engine(options: Any) -> ReadingOrderEngine:
    """Registered after OCRmyPDF's built-in engine, so this one is asked first."""
    del options
    return ReadingOrderEngine()
