"""The OCRmyPDF settings, in one place (the argument builder of OCRmyPDF's ``_exec`` modules).

Measured on 2 cores, A4 at 300 dpi, tesseract 5.3 ``deu+eng`` (~2.7 s per
page): see ``docs/design_notes.md`` and ``benchmarks/ocr.py``.
"""

from __future__ import annotations

from typing import Any

#: Orientation: OCRmyPDF's ``--rotate-pages`` renders a preview and runs tesseract's
#: detection (``--psm 0``) on every page, nearly the cost of reading it; ``--psm 1``
#: costs 35-55 % more per page. The engine plugin reads each page as it lies and
#: detects the orientation only for a page that was not read (see ``_engine``).
_PLUGINS = ["eakte.ocr._raster"]
_ORIENTATION_PLUGIN = "eakte.ocr._engine"
_AS_IT_LIES_PLUGIN = "eakte.ocr._engine_as_lies"  # the same reading, without the second one
#: Linearising ("fast web view") is off: renditions are read whole, not streamed.
_NEVER_LINEARIZE_MB = 1e9


def ocrmypdf_options(
    *,
    languages: list[str],
    jobs: int,
    page_timeout: float,
    max_image_pixels: int,
    rotate_pages: bool,
    deskew: bool,
) -> dict[str, Any]:
    """Keyword arguments for ``ocrmypdf.ocr`` (all JSON-serialisable)."""
    return {
        "language": languages,
        # OCR only pages without text; born-digital pages are kept as they are,
        # not rasterised. ("redo" would also re-OCR old OCR layers, but refuses
        # --deskew; "force" rasterises everything.)
        "mode": "skip",
        # A plain PDF: the worker makes it PDF/A-2b itself with pikepdf and
        # validates it once (``_pdf.finish_pdfa``), together with turning pages
        # upright. OCRmyPDF's own PDF/A path validates the same conversion
        # twice and then decodes every stream once more (~25 ms per page, at
        # the end of a document, while the cores idle); files pikepdf cannot
        # convert go to Ghostscript (``pdfa_fallback_options``).
        "output_type": "pdf",
        # Tesseract writes the text layer and the text in the same run
        # ("pdf txt", as a plain tesseract call would); OCRmyPDF grafts the
        # layer onto the untouched page. The default renderer (hOCR → fpdf2)
        # costs the same in tesseract but renders all pages at the end, one
        # after the other, while the cores idle.
        "pdf_renderer": "sandwich",
        # A plain scanned page is handed to tesseract as the image it holds,
        # not rendered and PNG-encoded again (~10 % of tesseract's time).
        # Both engine plugins write the page text in reading order (``_reading``).
        "plugins": [*_PLUGINS, _ORIENTATION_PLUGIN if rotate_pages else _AS_IT_LIES_PLUGIN],
        "optimize": 0,  # lossless, and the scans are kept as delivered
        "fast_web_view": _NEVER_LINEARIZE_MB,
        "jobs": jobs,
        "use_threads": True,  # worker processes would break inside daemonic processes
        "tesseract_timeout": page_timeout,
        "tesseract_non_ocr_timeout": page_timeout,
        # Deskew needs one more tesseract run per page (--psm 2, ~0.5 s: +18 %),
        # and the page image is then re-rendered and re-encoded (a test page grew
        # 3.7×); recognition copes with small skew without it. Works with "skip".
        "deskew": deskew,
        "max_image_mpixels": max_image_pixels / 1_000_000,
        # The original stays unchanged as the version's content; the rendition is a copy.
        "invalidate_digital_signatures": True,
        "progress_bar": False,
    }


def pdfa_fallback_options(options: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``ocrmypdf.ocr`` to make an OCR'd PDF PDF/A-2b with
    Ghostscript (fonts embedded, colours converted), without OCR: its pages have
    their text layer now, and the null engine reads any page left without one."""
    return {
        **options,
        "output_type": "pdfa-2",
        "pdfa_backend": "ghostscript",
        "ocr_engine": "none",
        "plugins": [],
    }
