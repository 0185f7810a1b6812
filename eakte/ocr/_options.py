"""The OCRmyPDF settings, in one place (the argument builder of OCRmyPDF's ``_exec`` modules).

Measured on 2 cores, A4 at 300 dpi, tesseract 5.3 ``deu+eng`` (~2.7 s per
page): see ``docs/design_notes.md`` and ``benchmarks/ocr.py``.
"""

from __future__ import annotations

import shutil
from typing import Any

#: Orientation: OCRmyPDF's ``--rotate-pages`` renders a preview and runs tesseract's
#: detection (``--psm 0``) on every page, nearly the cost of reading it; ``--psm 1``
#: costs 35-55 % more per page. The engine plugin reads each page as it lies and
#: detects the orientation only for a page that was not read (see ``_engine``).
_PLUGINS = ["eakte.ocr._raster"]
_ORIENTATION_PLUGIN = "eakte.ocr._engine"
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
        "output_type": "pdfa-2",
        # Without Ghostscript, OCRmyPDF makes PDF/A with pikepdf ("speculative
        # conversion") and validates it; with Ghostscript it can also fix
        # files that need fonts embedded or colours converted.
        "pdfa_backend": "auto" if shutil.which("gs") else "internal",
        # Tesseract writes the text layer and the text in the same run
        # ("pdf txt", as a plain tesseract call would); OCRmyPDF grafts the
        # layer onto the untouched page. The default renderer (hOCR → fpdf2)
        # costs the same in tesseract but renders all pages at the end, one
        # after the other, while the cores idle.
        "pdf_renderer": "sandwich",
        # A plain scanned page is handed to tesseract as the image it holds,
        # not rendered and PNG-encoded again (~10 % of tesseract's time).
        "plugins": [*_PLUGINS, _ORIENTATION_PLUGIN] if rotate_pages else _PLUGINS,
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
