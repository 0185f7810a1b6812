"""Apache Tika in-process through iscc-tika (Tika compiled to native code).

Shaped like OCRmyPDF's ``_exec`` modules: :func:`_configured` builds the
extractor's settings in one place, :func:`run` runs one extraction and turns
failures into domain errors, :func:`version` is the probe.

Tika's own OCR stays off: scanned pages are OCRed once, by ``eakte.ocr``.
One extractor per process (iscc-tika gains nothing from threads; run several
worker processes instead). The native library is loaded on first use only.
"""

from __future__ import annotations

import functools
import logging
import os
from importlib import metadata
from pathlib import Path
from typing import Any

from eakte.exceptions import ExtractionError

from ._tika_remote import run_remote, version_remote
from ._tikaresult import TikaResult, build_result, rejected

log = logging.getLogger(__name__)

#: Longest text kept per file (the default of 500,000 characters cuts long PDFs short).
MAX_TEXT_CHARS = 50_000_000


def _configured() -> Any:
    from iscc_tika import (
        Extractor,
        OfficeParserConfig,
        PdfOcrStrategy,
        PdfParserConfig,
        TesseractOcrConfig,
    )

    # Each ``set_*`` returns a new extractor: chain them.
    return (
        Extractor()
        .set_extract_string_max_length(MAX_TEXT_CHARS)
        .set_ocr_config(TesseractOcrConfig().set_skip_ocr(True))
        .set_pdf_config(PdfParserConfig().set_ocr_strategy(PdfOcrStrategy.NO_OCR))
        # Letterheads and dates of Word letters often sit in the page header.
        .set_office_config(OfficeParserConfig().set_include_headers_and_footers(True))
    )


@functools.cache
def _extractor(pid: int) -> Any:
    """One extractor per process; the pid key keeps a forked child from reusing its parent's."""
    log.debug("starting iscc-tika in process %d", pid)
    try:
        return _configured()
    except ImportError as e:
        raise ExtractionError(
            "iscc-tika cannot be loaded, so born-digital files cannot be read. "
            f"Reinstall eakte with its dependencies (pip install iscc-tika). ({e})"
        ) from e


def run(path: Path) -> TikaResult:
    """Text and metadata of ``path`` by the in-process Tika."""
    extractor = _extractor(os.getpid())
    try:
        text, raw = extractor.extract_file_to_string(str(path))
    except Exception as e:  # iscc-tika reports failures as TypeError("Kind(detail)")
        detail = str(e)
        if detail.startswith("ParseError"):
            raise rejected(path, detail) from e
        raise ExtractionError(
            f"Apache Tika (iscc-tika) could not read {path}: {detail}. This is not the "
            "file's fault: check that the file is readable and the machine has enough "
            "memory, then try again."
        ) from e
    return build_result(path, text, raw)


def version() -> str:
    try:
        return f"iscc-tika {metadata.version('iscc-tika')}"
    except metadata.PackageNotFoundError:
        return "iscc-tika not installed"


def extract_text(path: Path, *, tika_url: str | None = None) -> TikaResult:
    """Text and metadata of a born-digital file, by Tika in-process or at ``tika_url``.

    Raises :class:`~eakte.exceptions.InputRejected` when the file itself is bad
    (corrupt, empty, password-protected) and
    :class:`~eakte.exceptions.ExtractionError` when Tika is not working.
    """
    if tika_url:
        return run_remote(path, tika_url)
    return run(path)


def tika_version(*, tika_url: str | None = None) -> str:
    """Which Tika would do the work, e.g. ``iscc-tika 0.6.0`` or ``Apache Tika 2.9.2``."""
    return version_remote(tika_url) if tika_url else version()
