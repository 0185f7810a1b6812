"""OCR of one document: the stages, in order."""

from __future__ import annotations

import functools
import logging
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from eakte.exceptions import ExtractionError, InputRejected

from . import _errors, _pool
from ._options import ocrmypdf_options
from ._probe import check_languages
from ._result import GAVE_UP, OcrResult, split_sidecar

log = logging.getLogger(__name__)

OUTPUT_NAME = "ocr.pdf"
SIDECAR_NAME = "ocr.txt"
#: Allowance per page, on top of tesseract's own limit, for rasterising and grafting.
_PAGE_SLACK = 30.0
_JOB_SLACK = 60.0
_INPUT_FILE, _ENCRYPTED = 2, 8  # OCRmyPDF's exit codes for faults of the input
#: Tesseract warnings that are no news (orientation detection on pages with little text).
_BENIGN = ("unsure about page orientation",)


def ocr_document(
    source: Path,
    kind: Literal["pdf", "image"],
    workdir: Path,
    *,
    languages: str = "deu+eng",
    jobs: int = 0,
    page_timeout: float = 180.0,
    max_image_pixels: int = 200_000_000,
    rotate_pages: bool = True,
    deskew: bool = False,
    decoded: bool = False,
) -> OcrResult:
    """Make a searchable PDF/A-2b of ``source`` in ``workdir`` and return it with its OCR text.

    Every page without text is OCR'd once; its text layer and its text come from
    the same tesseract run. Pages that have text already are kept and marked
    None in ``page_texts``. Images (PNG, JPEG, TIFF) become a PDF first,
    losslessly. ``jobs`` pages are OCR'd in parallel (0: one per CPU core),
    each by one single-threaded tesseract limited to ``page_timeout`` seconds.
    ``rotate_pages`` reads a page that was not read as it lies once more with
    orientation detection, and turns sideways or upside-down pages upright;
    ``deskew`` straightens skewed scans (one more tesseract run per page, and
    the page image is re-encoded). ``decoded`` says that the caller has decoded
    every frame of an image already (ingest's validation), so that damaged data
    would have been found: the frames are then checked from their headers only.

    Raises :class:`InputRejected` for faults of the file (damaged, encrypted,
    too large) and :class:`ExtractionError` when OCR itself fails.
    """
    if kind not in ("pdf", "image"):
        raise ValueError(f"kind must be 'pdf' or 'image', not {kind!r}")
    if not source.is_file():
        raise ExtractionError(f"OCR cannot start: {source} does not exist or is not a file.")
    names = _checked_languages(languages, rotate_pages)
    parallel = jobs or os.cpu_count() or 1
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    output, sidecar = workdir / OUTPUT_NAME, workdir / SIDECAR_NAME
    request = {
        "source": str(source.resolve()),
        "kind": kind,
        "workdir": str(workdir),
        "output": str(output),
        "sidecar": str(sidecar),
        "max_image_pixels": max_image_pixels,
        "decoded": decoded,
        "upright": rotate_pages,
        "options": ocrmypdf_options(
            languages=list(names),
            jobs=parallel,
            page_timeout=page_timeout,
            max_image_pixels=max_image_pixels,
            rotate_pages=rotate_pages,
            deskew=deskew,
        ),
    }

    def time_limit(pages: int | None) -> float:
        if pages is None:  # checking and converting the input
            return _JOB_SLACK + page_timeout
        # deskew asks tesseract once more per page; a page not read as it lies is read
        # again with orientation detection
        runs = 1 + deskew + rotate_pages
        return _JOB_SLACK + math.ceil(pages / parallel) * (runs * page_timeout + _PAGE_SLACK)

    reply = _run(request, time_limit, source)
    for warning in reply.get("warnings", []):
        level = logging.DEBUG if any(b in warning for b in _BENIGN) else logging.WARNING
        log.log(level, "OCR of %s: %s", source.name, warning)
    if reply["status"] == "rejected":
        raise InputRejected(reply["message"], reply["de"], reply["code"])
    if reply["status"] != "ok":
        raise _failure(reply, source)
    page_texts = split_sidecar(sidecar.read_text(encoding="utf-8"), reply["pages"])
    _check_all_read(page_texts, reply.get("warnings", []), source, page_timeout)
    for index in reply.get("turned", []):
        log.info("OCR of %s: page %d turned upright", source.name, index + 1)
    return OcrResult(pdfa=output, page_texts=tuple(page_texts), page_count=len(page_texts))


@functools.cache
def _checked_languages(languages: str, osd: bool) -> tuple[str, ...]:
    """check_languages, once per process for each setting that passed (~40 ms each)."""
    return tuple(check_languages(languages, osd=osd))


def _run(
    request: dict[str, Any], time_limit: Callable[[int | None], float], source: Path
) -> dict[str, Any]:
    try:
        return _pool.POOL.run(request, time_limit)
    except TimeoutError as e:
        raise ExtractionError(
            f"OCR of {source.name} did not finish in time and was stopped. The machine may "
            "be overloaded or the file pathological: try again later, or raise the per-page "
            "limit (setting EAKTE_OCR_PAGE_TIMEOUT)."
        ) from e
    except _pool.WorkerLost as e:
        raise ExtractionError(
            f"OCR of {source.name} failed: the OCR worker process {e}. The file is kept; "
            "try again, and check the log and free memory if it happens again."
        ) from e


def _failure(reply: dict[str, Any], source: Path) -> Exception:
    """The error for an OCRmyPDF failure: the file's fault or ours."""
    message = str(reply["message"]).replace(f"{source.resolve()}: ", "")
    detail = f"{reply['error']}: {message}".strip()
    if reply["exit_code"] == _ENCRYPTED:
        return _errors.encrypted_pdf(source.name)
    if reply["exit_code"] == _INPUT_FILE:
        return _errors.corrupt_pdf(source.name, detail)
    hint = "Check the log for tesseract's messages, then try again."
    if reply["error"] == "PdfaConversionFailedError":
        hint = (
            "Without Ghostscript, PDF/A can only be made of files whose fonts are embedded; "
            "install it (Debian/Ubuntu: apt-get install ghostscript) and try again."
        )
    elif reply["error"] == "MissingDependencyError":
        hint = "Install the missing program and try again."
    return ExtractionError(f"OCR of {source.name} failed ({detail}). {hint}")


def _check_all_read(
    page_texts: list[str | None], warnings: list[str], source: Path, page_timeout: float
) -> None:
    """OCRmyPDF keeps going when tesseract times out on a page; we do not: the page would
    be archived without text, silently."""
    given_up = [index + 1 for index, text in enumerate(page_texts) if text == GAVE_UP]
    if not given_up:
        return
    pages = ", ".join(str(page) for page in given_up)
    if any("took too long" in warning for warning in warnings):
        raise ExtractionError(
            f"OCR of {source.name} took longer than {page_timeout:g} s on page(s) {pages} "
            "and was stopped, so those pages have no text. Try again when the machine is "
            "less busy, or raise the per-page limit (setting EAKTE_OCR_PAGE_TIMEOUT)."
        )
    said = "; ".join(warnings)[:500] or "no message"
    raise ExtractionError(
        f"Tesseract could not read page(s) {pages} of {source.name} ({said}). "
        "Check the log, then try again."
    )
