"""OCR: a searchable PDF/A of a scan, and its text from the same tesseract run.

Wraps OCRmyPDF (which drives tesseract) in worker processes; a single-page
scan is read by the same tesseract engine without OCRmyPDF's pipeline
(``_single``). See ``docs/design_notes.md`` for why, and ``benchmarks/ocr.py``
for what it costs.
"""

from ._document import ocr_document
from ._probe import available_languages, check_languages, tesseract_version
from ._result import OcrResult

__all__ = [
    "OcrResult",
    "available_languages",
    "check_languages",
    "ocr_document",
    "tesseract_version",
]
