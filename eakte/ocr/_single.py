"""A one-page scan without OCRmyPDF's pipeline: the engine's tesseract run, grafted onto the page.

Through OCRmyPDF a single-page scan cost the worker 24 ms of CPU besides
tesseract (plugin setup, page triage, rasterising, grafting, metadata), this
path 15 ms, two thirds of it the PDF/A validation (measured, see
``docs/design_notes.md``), against ~0.7 s of tesseract. For the page a scan
station delivers — one PNG, JPEG or TIFF frame, black-and-white, grey or RGB,
without transparency — the worker does here what OCRmyPDF would do, and
nothing else:

1. img2pdf embeds the image losslessly (``_images``, as for every image);
2. the engine plugin's tesseract run (``_engine``: as the page lies, and once
   more with orientation detection when the word confidence is low) writes
   the text-only PDF, the text (in reading order) and the word confidences;
   tesseract reads the scan file itself — a JPEG with EXIF rotation as an
   upright PNG — at the resolution of the PDF page (the file's own, else
   300 dpi), the pixels OCRmyPDF's rasteriser would hand it;
3. the text-only page is drawn under the image as a Form XObject, scaled and
   turned to the page, as OCRmyPDF's sandwich renderer grafts it;
4. ``_pdf.save_pdfa`` turns the page upright and saves PDF/A-2b, validated once.

Anything else — several frames, other colour modes, transparency, mirrored
EXIF orientation, different horizontal and vertical resolutions, deskew — goes
through OCRmyPDF.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from ocrmypdf._exec import tesseract
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOptions
from ocrmypdf.exceptions import SubprocessOutputError
from PIL import Image, ImageOps

from ._engine import ReadingOrderEngine, UprightFirstEngine
from ._errors import corrupt_image
from ._images import Frame
from ._pdf import save_pdfa

#: Colour modes tesseract reads as OCRmyPDF's rasteriser would render them.
_MODES = {"1", "L", "RGB"}
#: EXIF orientation → the page's /Rotate that img2pdf sets (clockwise).
_EXIF_TURNS = {1: 0, 3: 180, 6: 90, 8: 270}
_DPI_SLACK = 1.0
_READING = "page"
#: How the image libraries tesseract uses begin their complaints about damaged data.
_DECODER_ERRORS = ("libpng error", "Corrupt JPEG", "Premature end of JPEG", "TIFFRead")


@dataclass(frozen=True)
class _EngineOptions:
    """The part of OCRmyPDF's options the engine plugin reads."""

    languages: list[str]
    tesseract: TesseractOptions


def applies(frames: list[Frame], options: dict[str, Any]) -> bool:
    """Can this image be OCR'd here rather than by OCRmyPDF?"""
    if len(frames) != 1 or options.get("deskew"):
        return False
    frame = frames[0]
    square = frame.dpi is None or abs(frame.dpi[0] - frame.dpi[1]) <= _DPI_SLACK
    return (
        frame.mode in _MODES
        and not frame.transparent
        and frame.orientation in _EXIF_TURNS
        and square
    )


def ocr_page(
    source: Path, frame: Frame, image_pdf: Path, request: dict[str, Any], layered: Path
) -> list[int] | None:
    """OCR the one page of ``image_pdf`` (img2pdf's PDF of ``source``) into the request's
    output and sidecar; returns the pages turned upright.

    A page tesseract gave up on (time limit, "empty page") gets no output, only
    OCRmyPDF's "[skipped page]" as its text, for ``ocr_document`` to report.
    None: pikepdf cannot make it PDF/A; the grafted PDF is then saved as
    ``layered``, for Ghostscript.
    """
    workdir = Path(request["workdir"])
    with pikepdf.open(image_pdf) as pdf:
        page = pdf.pages[0]
        dpi = _page_dpi(page, frame)
        text_pdf, text = _read(_upright_image(source, frame, workdir, dpi), workdir, dpi, request)
        Path(request["sidecar"]).write_text(text.removesuffix("\f"), encoding="utf-8")
        if text_pdf.stat().st_size == 0:
            return []
        _graft(pdf, page, text_pdf, -_EXIF_TURNS[frame.orientation] % 360)
        pdf.docinfo[pikepdf.Name.Creator] = f"eakte / Tesseract OCR + PDF {tesseract.version()}"
        turned = save_pdfa(pdf, Path(request["output"]), [0] if request.get("upright") else [])
        if turned is None:
            pdf.save(layered)
        return turned


def _page_dpi(page: pikepdf.Page, frame: Frame) -> int:
    """The resolution at which the image fills the page img2pdf made."""
    x0, _, x1, _ = _box(page)
    return round(frame.width * 72 / (x1 - x0))


def _upright_image(source: Path, frame: Frame, workdir: Path, dpi: int) -> Path:
    """The image for tesseract: the scan itself, or turned upright as its EXIF says."""
    if _EXIF_TURNS[frame.orientation] == 0:
        return source
    upright = workdir / "upright.png"
    with Image.open(source) as image:
        ImageOps.exif_transpose(image).save(upright, compress_level=1, dpi=(dpi, dpi))
    return upright


def _read(image: Path, workdir: Path, dpi: int, request: dict[str, Any]) -> tuple[Path, str]:
    """The engine's reading of ``image``: the text-only PDF and the page text."""
    settings = workdir / "dpi.config"  # a tesseract config file: the resolution to assume
    settings.write_text(f"user_defined_dpi {dpi}\n", encoding="ascii")
    options = request["options"]
    engine_options = _EngineOptions(
        languages=list(options["language"]),
        tesseract=TesseractOptions(
            config=[str(settings)], timeout=options["tesseract_timeout"], omp_thread_limit=1
        ),
    )
    engine = UprightFirstEngine if request.get("upright") else ReadingOrderEngine
    text_pdf, text = workdir / f"{_READING}.pdf", workdir / f"{_READING}.txt"
    unreadable = _Unreadable()
    logging.getLogger(tesseract.__name__).addHandler(unreadable)
    try:
        engine.generate_pdf(image, text_pdf, text, engine_options)
    except SubprocessOutputError:
        if unreadable.message is None:
            raise
        raise corrupt_image(Path(request["source"]).name, unreadable.message) from None
    finally:
        logging.getLogger(tesseract.__name__).removeHandler(unreadable)
    return text_pdf, text.read_text(encoding="utf-8")


class _Unreadable(logging.Handler):
    """Notes leptonica's (and libpng's, libjpeg's, libtiff's) complaint when tesseract cannot
    read the scan file: ingest checks a PNG's chunk CRCs, not its compressed data."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.message: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage().removeprefix("[tesseract] ").strip()
        if self.message is None and (line.startswith(_DECODER_ERRORS) or "pixRead" in line):
            self.message = line


def layer_matrix(
    layer: tuple[float, float, float, float], box: tuple[float, float, float, float], rotation: int
) -> pikepdf.Matrix:
    """The matrix that puts a text layer with mediabox ``layer`` onto a page with mediabox
    ``box``, turned ``rotation`` degrees clockwise and scaled to fill it (as OCRmyPDF's
    ``_graft._build_text_layer_ctm``)."""
    tx0, ty0, tx1, ty1 = layer
    x0, y0, x1, y1 = box
    width, height = tx1 - tx0, ty1 - ty0
    turned_width, turned_height = (height, width) if rotation % 180 else (width, height)
    matrix = pikepdf.Matrix
    return (  # applied left to right: centre, turn, scale to the page, move onto it
        matrix().translated(-tx0 - width / 2, -ty0 - height / 2)
        @ matrix().rotated(-rotation % 360)
        @ matrix().scaled((x1 - x0) / turned_width, (y1 - y0) / turned_height)
        @ matrix().translated(x0 + (x1 - x0) / 2, y0 + (y1 - y0) / 2)
    )


def _box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    return x0, y0, x1, y1


def _graft(pdf: pikepdf.Pdf, page: pikepdf.Page, text_pdf: Path, rotation: int) -> None:
    """Draw the text-only page of ``text_pdf`` under the page's content, as a Form
    XObject (as OCRmyPDF's sandwich renderer does), turned ``rotation`` degrees clockwise."""
    with pikepdf.open(text_pdf) as text:
        layer = text.pages[0]
        matrix = layer_matrix(_box(layer), _box(page), rotation)
        form = pdf.copy_foreign(layer.as_form_xobject())
    name = page.add_resource(form, pikepdf.Name.XObject, prefix="OCR")
    drawing = b"q %s cm %s Do Q\n" % (matrix.encode(), str(name).encode())
    page.contents_add(pikepdf.Stream(pdf, drawing), prepend=True)
