"""ocr_document with real tesseract and OCRmyPDF, on every input kind."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from eakte.exceptions import ExtractionError, InputRejected
from eakte.ocr import OcrResult, available_languages, ocr_document, tesseract_version
from tests.integration.ocr.conftest import PAGE_ONE, PAGE_TWO, assert_pdfa, assert_words
from tests.unit.ocr.scans import font_path

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed"),
]


def rotation(path: Path, page: int = 0) -> int:
    with pikepdf.open(path) as pdf:
        return int(pdf.pages[page].obj.get("/Rotate", 0)) % 360


def test_probes() -> None:
    assert tesseract_version().split(".")[0] in {"4", "5"}
    assert {"deu", "eng", "osd"} <= available_languages()


def test_png(png: Path, tmp_path: Path) -> None:
    result = ocr_document(png, "image", tmp_path)
    assert (result.page_count, result.ocr_pages) == (1, 1)
    assert_words(result.text, PAGE_ONE)
    assert result.pdfa.parent == tmp_path
    assert_pdfa(result.pdfa)


def test_jpeg_with_exif_orientation(page_one: Image.Image, tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[274] = 6  # stored sideways, to be shown turned 90° clockwise
    page_one.rotate(90, expand=True).save(source, dpi=(300, 300), exif=exif, quality=92)
    result = ocr_document(source, "image", tmp_path / "out", rotate_pages=False)
    assert_words(result.text, PAGE_ONE)  # EXIF alone set the page upright
    assert rotation(result.pdfa) == 90
    assert_pdfa(result.pdfa)


def test_two_page_tiff(page_one: Image.Image, page_two: Image.Image, tmp_path: Path) -> None:
    source = tmp_path / "scan.tif"
    page_one.save(source, dpi=(300, 300), save_all=True, append_images=[page_two])
    result = ocr_document(source, "image", tmp_path / "out")
    assert result.page_count == 2
    first, second = result.page_texts
    assert first is not None and second is not None
    assert_words(first, PAGE_ONE)
    assert_words(second, PAGE_TWO)
    assert result.text.count("\f") == 1


def test_image_only_pdf(image_pdf: Path, tmp_path: Path) -> None:
    result = ocr_document(image_pdf, "pdf", tmp_path)
    assert_words(result.text, PAGE_ONE)
    assert_pdfa(result.pdfa)


def test_page_with_text_is_not_ocrd(image_pdf: Path, text_pdf: Path, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.pdf"
    with pikepdf.new() as pdf, pikepdf.open(text_pdf) as typed, pikepdf.open(image_pdf) as scan:
        pdf.pages.extend([typed.pages[0], scan.pages[0]])
        pdf.save(mixed)
    result = ocr_document(mixed, "pdf", tmp_path / "out")
    assert result.page_texts[0] is None
    assert result.page_texts[1] is not None
    assert_words(result.page_texts[1], PAGE_ONE)
    assert result.ocr_pages == 1
    assert_pdfa(result.pdfa)


@pytest.mark.parametrize("turned", [90, 270])
def test_sideways_scan_is_read_and_turned(
    page_one: Image.Image, tmp_path: Path, turned: int
) -> None:
    """90: read again with orientation detection; 270: tesseract reads it as it lies."""
    source = tmp_path / "sideways.png"
    page_one.rotate(turned, expand=True).save(source, dpi=(300, 300))  # no EXIF to help
    result = ocr_document(source, "image", tmp_path / "out")
    assert_words(result.text, PAGE_ONE)
    assert rotation(result.pdfa) == turned
    assert_pdfa(result.pdfa)


def test_upside_down_scan_is_turned(page_one: Image.Image, tmp_path: Path) -> None:
    source = tmp_path / "upside-down.png"
    page_one.rotate(180).save(source, dpi=(300, 300))
    result = ocr_document(source, "image", tmp_path / "out")
    assert_words(result.text, PAGE_ONE)
    assert rotation(result.pdfa) == 180


def test_deskew(page_one: Image.Image, tmp_path: Path) -> None:
    source = tmp_path / "skewed.png"
    page_one.rotate(3, expand=True, fillcolor=255).save(source, dpi=(300, 300))
    result = ocr_document(source, "image", tmp_path / "out", deskew=True)
    assert_words(result.text, PAGE_ONE)
    assert_pdfa(result.pdfa)


def test_documents_in_parallel(png: Path, image_pdf: Path, tmp_path: Path) -> None:
    """Each caller gets its own worker process."""

    def ocr(n: int) -> OcrResult:
        if n % 2:
            return ocr_document(image_pdf, "pdf", tmp_path / str(n), jobs=1)
        return ocr_document(png, "image", tmp_path / str(n), jobs=1)

    with ThreadPoolExecutor(3) as threads:
        results = list(threads.map(ocr, range(3)))
    for result in results:
        assert_words(result.text, PAGE_ONE)


def test_encrypted_pdf(image_pdf: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(image_pdf) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="o", user="u"))
    with pytest.raises(InputRejected) as caught:
        ocr_document(locked, "pdf", tmp_path / "out")
    assert caught.value.code == "encrypted-pdf"


def test_corrupt_png(png: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(png.read_bytes()[:2000])
    with pytest.raises(InputRejected) as caught:
        ocr_document(broken, "image", tmp_path / "out")
    assert caught.value.code == "corrupt-image"


def test_too_large_image(png: Path, tmp_path: Path) -> None:
    with pytest.raises(InputRejected) as caught:
        ocr_document(png, "image", tmp_path / "out", max_image_pixels=10_000)
    assert caught.value.code == "image-too-large"


def test_page_timeout_fails_clearly(png: Path, tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match=r"took longer than 0.01 s on page\(s\) 1"):
        ocr_document(png, "image", tmp_path / "out", page_timeout=0.01)
    result = ocr_document(png, "image", tmp_path / "again")  # the worker is fine afterwards
    assert_words(result.text, PAGE_ONE)


@pytest.mark.skipif(shutil.which("gs") is not None, reason="Ghostscript can embed the font")
def test_non_embedded_font_without_ghostscript(image_pdf: Path, tmp_path: Path) -> None:
    """A born-digital page in Helvetica (not embedded) cannot become PDF/A without Ghostscript."""
    mixed = tmp_path / "letter.pdf"
    with pikepdf.open(image_pdf) as pdf:
        font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1)
        font.BaseFont = pikepdf.Name.Helvetica
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (Sehr geehrte Damen) Tj ET")
        pdf.save(mixed)
    with pytest.raises(ExtractionError, match="apt-get install ghostscript"):
        ocr_document(mixed, "pdf", tmp_path / "out")


@pytest.mark.parametrize("rotate_pages", [True, False])
def test_side_by_side_blocks_are_read_row_by_row(tmp_path: Path, rotate_pages: bool) -> None:
    """A letter's address field with its information block beside it (DIN 5008): the
    text reads row by row, whether tesseract took them as one block or as two."""
    address = ["Herrn", "Max Wagner", "Goethestraße 110", "24103 Kiel"]
    info = ["Aktenzeichen: 10.3-0004/2025", "Ihre Nachricht vom: 21.01.2025", "Datum: 12.02.2025"]
    page = Image.new("L", (2480, 900), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(font_path()), 42)
    for column, lines in ((300, address), (1480, info)):
        for number, line in enumerate(lines):
            draw.text((column, 300 + 65 * number), line, font=font, fill=0)
    source = tmp_path / "head.png"
    page.save(source, dpi=(300, 300))
    result = ocr_document(source, "image", tmp_path / "out", rotate_pages=rotate_pages)
    rows = [row for row in result.text.splitlines() if row.strip()]
    assert [row.split()[0] for row in rows] == ["Herrn", "Max", "Goethestraße", "24103"]
    assert [row.split()[-1] for row in rows[:3]] == ["10.3-0004/2025", "21.01.2025", "12.02.2025"]
    assert_pdfa(result.pdfa)
