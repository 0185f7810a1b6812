"""The OCR worker process: ``python -P -m eakte.ocr._worker``.

Reads one JSON request per line on stdin, runs it, and answers with JSON lines
on its original stdout: first ``{"event": "pages", "pages": n}`` once the input
is checked (the parent sets its time limit from it), then the final reply.
One job at a time, so the settings OCRmyPDF keeps per process (Pillow's pixel
limit, the temporary folder, log handlers) belong to that job alone.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eakte._workerpool import serve
from eakte.exceptions import InputRejected

if TYPE_CHECKING:
    from eakte.ocr._images import Frame

_MAX_WARNINGS = 50


class _Warnings(logging.Handler):
    """Collects OCRmyPDF's (and tesseract's) warnings of one job for the reply."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < _MAX_WARNINGS:
            self.messages.append(f"{record.name}: {record.getMessage()}")


def _prepare(request: dict[str, Any]) -> tuple[Path, int, list[Frame]]:
    """The PDF to OCR, its page count, and the frames of an image (converted first)."""
    from PIL import Image

    from eakte.ocr._images import frames_to_pdf, inspect_image
    from eakte.ocr._pdf import inspect_pdf

    source = Path(request["source"])
    if request["kind"] == "image":
        # inspect_image checks every frame against the limit before decoding it;
        # Pillow's own check (whole file, at open) would pre-empt it with a vaguer message.
        # OCRmyPDF sets Pillow's limit again (max_image_mpixels) for its own stages.
        Image.MAX_IMAGE_PIXELS = None
        converted = Path(request["workdir"]) / "image.pdf"
        decode = not request.get("decoded", False)
        frames = inspect_image(source, request["max_image_pixels"], decode=decode)
        frames_to_pdf(source, frames, converted)
        return converted, len(frames), frames
    return source, inspect_pdf(source), []


def _upright(request: dict[str, Any], pages: int) -> list[int]:
    """The pages to turn upright: the OCR'd ones (the sidecar tells), if asked to."""
    from eakte.ocr._result import split_sidecar

    if not request.get("upright"):
        return []
    texts = split_sidecar(Path(request["sidecar"]).read_text(encoding="utf-8"), pages)
    return [index for index, text in enumerate(texts) if text is not None]


def _finish(layered: Path, request: dict[str, Any], pages: int) -> list[int]:
    """Make OCRmyPDF's plain PDF the PDF/A-2b rendition; returns the pages turned upright.

    pikepdf converts and validates it once; a file it cannot convert goes
    through Ghostscript (:func:`_ghostscript_pdfa`)."""
    from eakte.ocr._pdf import finish_pdfa

    upright = _upright(request, pages)
    turned = finish_pdfa(layered, Path(request["output"]), upright)
    if turned is not None:
        return turned
    return _ghostscript_pdfa(layered, request, upright)


def _ghostscript_pdfa(layered: Path, request: dict[str, Any], upright: list[int]) -> list[int]:
    """OCRmyPDF's Ghostscript conversion (without OCR) of a PDF pikepdf cannot make
    PDF/A-2b, if Ghostscript is installed; returns the pages turned upright."""
    import shutil

    import ocrmypdf
    from ocrmypdf.exceptions import PdfaConversionFailedError

    from eakte.ocr._options import pdfa_fallback_options
    from eakte.ocr._pdf import upright_pages

    if shutil.which("gs") is None:
        raise PdfaConversionFailedError(
            "pikepdf cannot make this file PDF/A-2b (fonts to embed or colours to "
            "convert), and Ghostscript is not installed."
        )
    output = Path(request["output"])
    ocrmypdf.ocr(layered, output, **pdfa_fallback_options(request["options"]))
    return upright_pages(output, upright)


def _ocr(pdf: Path, frames: list[Frame], request: dict[str, Any], pages: int) -> list[int]:
    """OCR ``pdf`` into the request's output and sidecar; returns the pages turned upright.

    A single-page scan is read by the engine without OCRmyPDF's pipeline
    (``_single``); everything else goes through OCRmyPDF."""
    import ocrmypdf

    from eakte.ocr import _single

    layered = Path(request["workdir"]) / "ocr-layer.pdf"
    if _single.applies(frames, request["options"]):
        turned = _single.ocr_page(Path(request["source"]), frames[0], pdf, request, layered)
        if turned is not None:
            return turned
        return _ghostscript_pdfa(layered, request, _upright(request, pages))
    # Written to a stream, OCRmyPDF does not check the output file (decoding every
    # stream once more); _finish validates the PDF/A it makes of it.
    with layered.open("wb") as out:
        ocrmypdf.ocr(pdf, out, sidecar=request["sidecar"], **request["options"])
    return _finish(layered, request, pages)


def run(request: dict[str, Any], send: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Run one job; ``send`` passes the page count back before OCR starts."""
    from ocrmypdf.exceptions import ExitCodeException

    warnings = _Warnings()
    logging.getLogger().addHandler(warnings)
    tempfile.tempdir = request["workdir"]  # OCRmyPDF's scratch files stay in the job's folder
    try:
        pdf, pages, frames = _prepare(request)
        send({"event": "pages", "pages": pages})
        turned = _ocr(pdf, frames, request, pages)
        return {"status": "ok", "pages": pages, "turned": turned, "warnings": warnings.messages}
    except InputRejected as e:
        return {"status": "rejected", "code": e.code, "message": e.message, "de": e.message_de}
    except ExitCodeException as e:
        message = str(e) or getattr(e, "message", "") or type(e).__name__
        return {
            "status": "failed",
            "exit_code": int(e.exit_code),
            "error": type(e).__name__,
            "message": message.strip(),
            "warnings": warnings.messages,
        }
    except Exception as e:  # reported to the parent, which raises ExtractionError
        return {
            "status": "failed",
            "exit_code": None,
            "error": type(e).__name__,
            "message": str(e),
            "warnings": warnings.messages,
        }
    finally:
        tempfile.tempdir = None
        logging.getLogger().removeHandler(warnings)


def cache_probes() -> None:
    """Ask tesseract for its version and languages once per worker, not once per file.

    OCRmyPDF runs ``tesseract --version`` four times and ``--list-langs`` once
    for every document (~20 ms of CPU each; ~80 ms per single-page scan,
    measured). The installed tesseract does not change under a running worker,
    and workers are replaced after a number of jobs. Failures are not cached.
    """
    from ocrmypdf._exec import tesseract

    for name in ("version", "get_languages"):
        probe = getattr(tesseract, name, None)
        if callable(probe) and not hasattr(probe, "cache_info"):
            setattr(tesseract, name, functools.cache(probe))


def main() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"  # before anything can start tesseract
    # Warnings travel in the reply (the parent logs them with the file's name), not to stderr.
    logging.getLogger().setLevel(logging.WARNING)
    import ocrmypdf  # noqa: F401  (imported once, before the first job)

    cache_probes()
    serve(run)


if __name__ == "__main__":
    main()
