"""Single-page scans read without OCRmyPDF's pipeline (``eakte.ocr._single``), real tesseract.

Each test checks that the page took that path (the rendition's /Creator names
eakte, OCRmyPDF names itself), that the PDF/A text layer carries the words of
the returned text, and that the scan is embedded as it was.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2
import pytest
from PIL import Image

from eakte.exceptions import ExtractionError
from eakte.ocr import OcrResult, _pool, _single, _worker, ocr_document
from tests.integration.ocr.conftest import PAGE_ONE, PAGE_TWO, assert_pdfa, assert_words

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed"),
]


def creator(path: Path) -> str:
    with pikepdf.open(path) as pdf:
        return str(pdf.docinfo.get("/Creator", ""))


@dataclass(frozen=True)
class PageFacts:
    rotation: int
    size: tuple[float, float]  # points
    filters: list[str]
    bits: int
    data: bytes  # the image stream as stored
    pixels: bytes


def page_facts(path: Path) -> PageFacts:
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        (stream,) = (x for x in page.resources.XObject.values() if x.Subtype == "/Image")
        image = pikepdf.PdfImage(stream)
        return PageFacts(
            int(page.obj.get("/Rotate", 0)) % 360,
            (x1 - x0, y1 - y0),
            [str(name) for name in image.filters],
            image.bits_per_component,
            stream.read_raw_bytes(),
            image.as_pil_image().tobytes(),
        )


def text_layer(path: Path) -> str:
    document = pypdfium2.PdfDocument(path)
    try:
        return str(document[0].get_textpage().get_text_range())
    finally:
        document.close()


def assert_single_page_path(result: OcrResult) -> None:
    """Read by the engine alone, with the returned text in the PDF/A's text layer."""
    assert creator(result.pdfa).startswith("eakte / Tesseract"), creator(result.pdfa)
    assert (result.page_count, result.ocr_pages) == (1, 1)
    # the layer keeps tesseract's order; the text is in reading order: same words
    assert Counter(text_layer(result.pdfa).split()) == Counter(result.text.split())
    assert_pdfa(result.pdfa)


def test_png_is_embedded_as_it_is(png: Path, tmp_path: Path) -> None:
    result = ocr_document(png, "image", tmp_path, decoded=True)
    assert_single_page_path(result)
    assert_words(result.text, PAGE_ONE)
    facts = page_facts(result.pdfa)
    assert facts.rotation == 0
    with Image.open(png) as original:
        assert facts.size == pytest.approx((original.width * 72 / 300, original.height * 72 / 300))
        assert facts.pixels == original.tobytes()


@pytest.mark.parametrize("turned", [90, 180])
def test_sideways_page_is_read_again_and_turned(
    page_one: Image.Image, tmp_path: Path, turned: int
) -> None:
    """Low confidence as it lies: read again with orientation detection, /Rotate set."""
    source = tmp_path / "sideways.png"
    page_one.rotate(turned, expand=True).save(source, dpi=(300, 300))
    result = ocr_document(source, "image", tmp_path / "out")
    assert_single_page_path(result)
    assert_words(result.text, PAGE_ONE)
    assert page_facts(result.pdfa).rotation == turned


@pytest.mark.parametrize(("orientation", "turned"), [(6, 90), (8, 270), (3, 180)])
def test_jpeg_exif_rotation(
    page_one: Image.Image, tmp_path: Path, orientation: int, turned: int
) -> None:
    """Tesseract reads the page upright; the JPEG is embedded byte for byte, the page
    turned by /Rotate, and the text layer lies on the stored image the same way."""
    source = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[274] = orientation
    page_one.rotate(turned, expand=True).save(source, dpi=(300, 300), exif=exif, quality=92)
    result = ocr_document(source, "image", tmp_path / "out")
    assert_single_page_path(result)
    assert_words(result.text, PAGE_ONE)
    facts = page_facts(result.pdfa)
    assert facts.rotation == turned  # set by EXIF, and confirmed by the text layer's direction
    assert facts.filters == ["/DCTDecode"]
    assert facts.data == source.read_bytes()


def test_one_bit_png_at_200_dpi(page_two: Image.Image, tmp_path: Path) -> None:
    source = tmp_path / "fax.png"
    bilevel = page_two.resize((page_two.width * 2 // 3, page_two.height * 2 // 3)).convert("1")
    bilevel.save(source, dpi=(200, 200))
    result = ocr_document(source, "image", tmp_path / "out", decoded=True)
    assert_single_page_path(result)
    assert_words(result.text, PAGE_TWO)
    facts = page_facts(result.pdfa)
    assert facts.size == pytest.approx((bilevel.width * 72 / 200, bilevel.height * 72 / 200))
    assert facts.bits == 1
    assert facts.pixels == bilevel.tobytes()


def test_image_without_resolution_is_read_at_300_dpi(page_one: Image.Image, tmp_path: Path) -> None:
    source = tmp_path / "camera.png"
    page_one.save(source)  # no pHYs chunk
    result = ocr_document(source, "image", tmp_path / "out")
    assert_single_page_path(result)
    assert_words(result.text, PAGE_ONE)
    assert page_facts(result.pdfa).size == pytest.approx(
        (page_one.width * 72 / 300, page_one.height * 72 / 300)
    )


def test_grey_tiff_and_rgb_jpeg(page_two: Image.Image, tmp_path: Path) -> None:
    tiff, jpeg = tmp_path / "scan.tif", tmp_path / "scan.jpg"
    page_two.save(tiff, compression="tiff_lzw", dpi=(300, 300))
    page_two.convert("RGB").save(jpeg, quality=90, dpi=(300, 300))
    for source in (tiff, jpeg):
        result = ocr_document(source, "image", tmp_path / source.suffix[1:])
        assert_single_page_path(result)
        assert_words(result.text, PAGE_TWO)


def test_time_limit(png: Path, tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match=r"took longer than 0.01 s on page\(s\) 1"):
        ocr_document(png, "image", tmp_path / "out", page_timeout=0.01)
    assert not (tmp_path / "out" / "ocr.pdf").exists()


def test_other_images_still_go_through_ocrmypdf(
    page_one: Image.Image, page_two: Image.Image, tmp_path: Path
) -> None:
    """Several frames, transparency, deskew: OCRmyPDF's pipeline, as before."""
    tiff, alpha = tmp_path / "two.tif", tmp_path / "alpha.png"
    page_one.save(tiff, dpi=(300, 300), save_all=True, append_images=[page_two])
    page_one.convert("LA").save(alpha, dpi=(300, 300))
    runs: list[tuple[Path, dict[str, Any]]] = [(tiff, {}), (alpha, {}), (alpha, {"deskew": True})]
    for number, (source, options) in enumerate(runs):
        result = ocr_document(source, "image", tmp_path / str(number), **options)
        assert creator(result.pdfa).startswith("OCRmyPDF"), creator(result.pdfa)
        assert_words(result.text, PAGE_ONE)


class _InProcess:
    """The worker's job function, run in this process (to switch paths per call)."""

    def run(self, request: dict[str, Any], time_limit: object) -> dict[str, Any]:
        del time_limit
        return _worker.run(request, lambda message: None)


@pytest.mark.parametrize("rotate_pages", [True, False])
def test_same_reading_as_through_ocrmypdf(
    page_two: Image.Image, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rotate_pages: bool
) -> None:
    """The same page, both ways: the same text, and the same image in the same page."""
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)  # the job resets it
    monkeypatch.setattr(_pool, "POOL", _InProcess())
    source = tmp_path / "scan.jpg"
    page_two.convert("RGB").save(source, quality=85)  # no resolution, decoded twice
    applies = _single.applies
    results = []
    for single in (True, False):
        monkeypatch.setattr(_single, "applies", applies if single else lambda *_: False)
        result = ocr_document(
            source, "image", tmp_path / str(single), rotate_pages=rotate_pages, decoded=True
        )
        results.append(result)
    fast, through_ocrmypdf = results
    assert creator(fast.pdfa) != creator(through_ocrmypdf.pdfa)
    assert fast.page_texts == through_ocrmypdf.page_texts
    assert_words(fast.text, PAGE_TWO)
    assert page_facts(fast.pdfa) == page_facts(through_ocrmypdf.pdfa)
    assert page_facts(fast.pdfa).data == source.read_bytes()
