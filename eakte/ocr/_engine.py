"""An OCRmyPDF plugin: read each page as it lies, detect its orientation only when that failed.

Tesseract's orientation detection inside the OCR run (``--psm 1``) costs 35–55 %
more tesseract time on a typical letter page (0.93 s instead of 0.67 s of CPU,
measured on this project's generated letters), and a separate detection run
(``--psm 0``, OCRmyPDF's ``--rotate-pages``) costs nearly as much as reading
the page. Almost every page a scan station delivers is upright, so paying
for it on every page would throw away a third of the OCR throughput.

So each page is read with automatic segmentation (``--psm 3``), which also
reads a page turned 90° clockwise (tesseract finds the vertical text lines).
The same run writes word confidences (TSV). A page read upright has a mean
confidence of 70–96 even when heavily degraded; a sideways or upside-down
page read as it lies scores 22–35 (measured, see ``docs/design_notes.md``).
Below :data:`MIN_CONFIDENCE` the page is read once more, with orientation
detection, and the run with the better confidence is kept: its text layer and
its text, both from that one run. ``upright_pages`` then sets ``/Rotate``
from the direction of the kept text layer.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path
from typing import Any

from ocrmypdf import hookimpl
from ocrmypdf._exec import tesseract
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine

from ._reading import page_text

log = logging.getLogger(__name__)

#: Tesseract page segmentation: automatic, as the page lies / with orientation detection.
PSM_AUTO = 3
PSM_AUTO_OSD = 1
#: Mean word confidence (0–100, weighted by word length) below which a page is read again.
MIN_CONFIDENCE = 50.0
_WORD_LEVEL = "5"


def mean_confidence(tsv: str) -> float | None:
    """Tesseract's word confidences in its TSV output, averaged by word length;
    None when it found no words."""
    total = weighted = 0.0
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != _WORD_LEVEL or not word:
            continue
        try:
            confidence = float(row.get("conf") or -1)
        except ValueError:
            continue
        if confidence < 0:
            continue
        total += len(word)
        weighted += confidence * len(word)
    return weighted / total if total else None


def _read(
    input_file: Path, output_pdf: Path, output_text: Path, options: Any, psm: int
) -> float | None:
    """One tesseract run writing the text-only PDF, the text and the word confidences."""
    settings = options.tesseract
    tesseract.generate_pdf(
        input_file=input_file,
        output_pdf=output_pdf,
        output_text=output_text,
        languages=options.languages,
        engine_mode=settings.oem,
        tessconfig=[*settings.config, "tsv"],
        timeout=settings.timeout,
        pagesegmode=psm,
        thresholding=settings.thresholding,
        user_words=settings.user_words,
        user_patterns=settings.user_patterns,
        omp_thread_limit=settings.omp_thread_limit,
    )
    tsv = output_pdf.with_suffix(".tsv")  # tesseract names its outputs after the PDF's stem
    if output_pdf.stat().st_size == 0 or not tsv.is_file():
        return None  # page given up (time limit, empty page): nothing to compare
    return mean_confidence(tsv.read_text(encoding="utf-8", errors="replace"))


def _in_reading_order(output_pdf: Path, output_text: Path) -> None:
    """Rewrite the page's text from the TSV of the same run, side-by-side lines as rows
    (see ``_reading``); the text layer keeps tesseract's order."""
    tsv = output_pdf.with_suffix(".tsv")
    if not tsv.is_file():
        return
    text = page_text(tsv.read_text(encoding="utf-8", errors="replace"))
    if text is not None:
        output_text.write_text(text, encoding="utf-8")


class ReadingOrderEngine(TesseractOcrEngine):
    """Tesseract reading each page as it lies, its text in reading order (``_reading``);
    the engine when pages are not to be turned (``_engine_as_lies``)."""

    @staticmethod
    def generate_pdf(input_file: Path, output_pdf: Path, output_text: Path, options: Any) -> None:
        _read(input_file, output_pdf, output_text, options, PSM_AUTO)
        _in_reading_order(output_pdf, output_text)


class UprightFirstEngine(TesseractOcrEngine):
    """Tesseract, reading a page a second time with orientation detection only when needed."""

    @staticmethod
    def generate_pdf(input_file: Path, output_pdf: Path, output_text: Path, options: Any) -> None:
        first = _read(input_file, output_pdf, output_text, options, PSM_AUTO)
        if first is None or first >= MIN_CONFIDENCE:
            _in_reading_order(output_pdf, output_text)
            return
        turned_pdf = output_pdf.with_name(output_pdf.stem + "_osd.pdf")
        turned_text = output_text.with_name(output_text.stem + "_osd.txt")
        second = _read(input_file, turned_pdf, turned_text, options, PSM_AUTO_OSD)
        log.debug(
            "%s: confidence %.0f as it lies, %s with orientation detection",
            input_file.name,
            first,
            "none" if second is None else f"{second:.0f}",
        )
        if second is not None and second > first:
            turned_pdf.replace(output_pdf)
            turned_text.replace(output_text)
        else:
            _in_reading_order(output_pdf, output_text)


@hookimpl
def get_ocr_engine(options: Any) -> UprightFirstEngine:
    """Registered after OCRmyPDF's built-in engine, so this one is asked first."""
    del options
    return UprightFirstEngine()
