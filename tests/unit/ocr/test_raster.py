"""The rasteriser plugin: a plain scanned page yields its own image, anything else is rendered."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import img2pdf
import pikepdf
import pytest
from PIL import Image, ImageChops

from eakte.ocr._raster import page_image_png, rasterize_pdf_page
from tests.unit.ocr.scans import snippet

DPI = (300.0, 300.0)


@pytest.fixture
def page() -> Image.Image:
    return snippet(["Antrag auf Sondernutzung", "der Straße"])


def as_pdf(tmp_path: Path, image: Image.Image, name: str, **save: Any) -> pikepdf.Pdf:
    source = tmp_path / name
    image.save(source, dpi=(300, 300), **save)
    return pikepdf.open(io.BytesIO(img2pdf.convert(str(source))))


def png_of(pdf: pikepdf.Pdf, device: str, size: tuple[int, int]) -> Image.Image | None:
    data = page_image_png(pdf.pages[0], device, size, DPI)
    if data is None:
        return None
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(
    ("mode", "name", "device"),
    [
        ("L", "scan.png", "pnggray"),
        ("RGB", "scan.png", "png16m"),
        ("1", "scan.png", "pngmonod"),
        ("L", "scan.tif", "pnggray"),
    ],
)
def test_flate_images_come_out_pixel_for_pixel(
    tmp_path: Path, page: Image.Image, mode: str, name: str, device: str
) -> None:
    original = page.convert(mode)
    out = png_of(as_pdf(tmp_path, original, name), device, original.size)
    assert out is not None
    assert out.mode == mode and out.size == original.size
    assert out.info["dpi"] == pytest.approx(DPI, abs=0.01)
    assert ImageChops.difference(out.convert("L"), original.convert("L")).getbbox() is None


def test_jpeg_is_decoded_once(tmp_path: Path, page: Image.Image) -> None:
    out = png_of(as_pdf(tmp_path, page, "scan.jpg", quality=90), "pnggray", page.size)
    assert out is not None and out.mode == "L" and out.size == page.size


def test_other_pages_are_left_to_ocrmypdf(tmp_path: Path, page: Image.Image) -> None:
    pdf = as_pdf(tmp_path, page, "scan.png")
    assert png_of(pdf, "png16m", page.size) is None  # colour mode differs
    assert png_of(pdf, "pnggray", (page.width * 2, page.height * 2)) is None  # resolution
    assert png_of(pdf, "jpeggray", page.size) is None  # not a PNG device
    g4 = as_pdf(tmp_path, page.convert("1"), "fax.tif", compression="group4")
    assert png_of(g4, "pngmonod", page.size) is None  # CCITT: rendered by pdfium
    pdf.pages[0].obj.Rotate = 90
    assert png_of(pdf, "pnggray", page.size) is None
    pdf.pages[0].obj.Rotate = 0
    pdf.pages[0].contents_add(pdf.make_stream(b"BT ET"))  # anything drawn besides the image
    assert png_of(pdf, "pnggray", page.size) is None


def test_annotated_page_is_rendered(tmp_path: Path, page: Image.Image) -> None:
    pdf = as_pdf(tmp_path, page, "scan.png")
    annotation = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Square)
    pdf.pages[0].obj.Annots = pikepdf.Array([pdf.make_indirect(annotation)])
    assert png_of(pdf, "pnggray", page.size) is None


def test_hook_writes_the_file_or_declines(tmp_path: Path, page: Image.Image) -> None:
    as_pdf(tmp_path, page, "scan.png").save(tmp_path / "scan.pdf")
    dpi = SimpleNamespace(x=300.0, y=300.0)
    call: dict[str, Any] = {
        "input_file": tmp_path / "scan.pdf",
        "output_file": tmp_path / "page.png",
        "raster_device": "pnggray",
        "raster_dpi": dpi,
        "pageno": 1,
        "page_dpi": dpi,
        "rotation": 0,
        "filter_vector": False,
        "stop_on_soft_error": True,
        "options": None,
        "use_cropbox": False,
    }
    assert rasterize_pdf_page(**call) == tmp_path / "page.png"
    assert Image.open(tmp_path / "page.png").size == page.size
    assert rasterize_pdf_page(**{**call, "rotation": 90}) is None
    assert rasterize_pdf_page(**{**call, "pageno": 5}) is None
