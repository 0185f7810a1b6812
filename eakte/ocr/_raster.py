"""An OCRmyPDF plugin that "rasterises" a plain scanned page by taking its image out.

OCRmyPDF renders every page to a PNG for tesseract (pdfium, then Pillow's
PNG encoder): ~0.3 s of CPU per A4 page at 300 dpi, a tenth of what tesseract
itself needs, spent on recreating an image the page already holds. For the
common page — one image filling the page, nothing else — this plugin writes
that image instead: a Flate image with PNG predictors (what img2pdf makes of
PNG and TIFF scans) becomes a PNG file around the unchanged compressed data; a
JPEG is decoded once and written as a fast PNG. Any other page (annotations,
rotation, masks, colour spaces other than grey/RGB, CCITT, a resolution that
does not match) returns None, and OCRmyPDF's own rasteriser takes over.
"""

from __future__ import annotations

import io
import logging
import struct
import zlib
from pathlib import Path
from typing import Any

import pikepdf
from ocrmypdf import hookimpl

log = logging.getLogger(__name__)

#: Raster device → (Pillow mode, PDF colour space, bits per component, PNG colour type).
_DEVICES = {
    "pnggray": ("L", "/DeviceGray", 8, 0),
    "png16m": ("RGB", "/DeviceRGB", 8, 2),
    "pngmonod": ("1", "/DeviceGray", 1, 0),
}
_IMAGE_DRAWING = ["q", "cm", "Do", "Q"]  # img2pdf's page content: draw one image
_POINTS_SLACK = 0.5


def _sole_image(page: pikepdf.Page) -> pikepdf.Stream | None:
    """The image XObject if the page draws exactly that, scaled to fill the page."""
    if page.obj.get("/Annots") or int(page.obj.get("/Rotate", 0)) % 360 or "/UserUnit" in page.obj:
        return None
    instructions = list(pikepdf.parse_content_stream(page))
    if [str(getattr(i, "operator", "")) for i in instructions] != _IMAGE_DRAWING:
        return None
    width, b, c, height, x, y = (float(v) for v in instructions[1].operands)
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    box = (x, y, x + width, y + height)
    if (
        b
        or c
        or any(abs(p - q) > _POINTS_SLACK for p, q in zip(box, (x0, y0, x1, y1), strict=True))
    ):
        return None
    xobjects = page.resources.get("/XObject")
    if not isinstance(xobjects, pikepdf.Dictionary):
        return None
    image = xobjects.get(str(instructions[2].operands[0]))
    if not isinstance(image, pikepdf.Stream) or image.get("/Subtype") != "/Image":
        return None
    if any(key in image for key in ("/ImageMask", "/SMask", "/Mask", "/Decode")):
        return None
    return image


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_around(
    image: pikepdf.Stream, bits: int, colour_type: int, dpi: tuple[float, float]
) -> bytes:
    """A PNG file whose image data is the PDF stream's Flate data, unchanged."""
    header = struct.pack(
        ">IIBBBBB", int(image.Width), int(image.Height), bits, colour_type, 0, 0, 0
    )
    per_metre = struct.pack(">IIB", round(dpi[0] / 0.0254), round(dpi[1] / 0.0254), 1)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"pHYs", per_metre),
            _chunk(b"IDAT", image.read_raw_bytes()),
            _chunk(b"IEND", b""),
        ]
    )


def _png_predicted(filters: list[str], parms: Any, bits: int, colours: int, width: int) -> bool:
    """Is this Flate data with PNG row filters, i.e. exactly what a PNG's IDAT holds?"""
    return (
        filters == ["/FlateDecode"]
        and isinstance(parms, pikepdf.Dictionary)
        and int(parms.get("/Predictor", 1)) >= 10
        and int(parms.get("/Colors", 1)) == colours
        and int(parms.get("/BitsPerComponent", 8)) == bits
        and int(parms.get("/Columns", 1)) == width
    )


def page_image_png(
    page: pikepdf.Page, device: str, size: tuple[int, int], dpi: tuple[float, float]
) -> bytes | None:
    """The page's image as PNG bytes in the device's colour mode, or None if it needs rendering."""
    if device not in _DEVICES:
        return None
    mode, colour_space, bits, colour_type = _DEVICES[device]
    image = _sole_image(page)
    if image is None or image.get("/ColorSpace") != colour_space:
        return None
    if int(image.get("/BitsPerComponent", 0)) != bits:
        return None
    if abs(int(image.Width) - size[0]) > 1 or abs(int(image.Height) - size[1]) > 1:
        return None
    raw_filters = image.get("/Filter")
    listed = [raw_filters] if isinstance(raw_filters, pikepdf.Name) else list(raw_filters or [])
    filters = [str(name) for name in listed]
    parms = image.get("/DecodeParms")
    parms = parms[0] if isinstance(parms, pikepdf.Array) and len(parms) == 1 else parms
    if _png_predicted(filters, parms, bits, 3 if mode == "RGB" else 1, int(image.Width)):
        return _png_around(image, bits, colour_type, dpi)
    if filters in (["/DCTDecode"], ["/FlateDecode"]):
        decoded = pikepdf.PdfImage(image).as_pil_image()
        if decoded.mode != mode:
            return None
        out = io.BytesIO()
        decoded.save(out, format="PNG", compress_level=1, dpi=dpi)
        return out.getvalue()
    return None


@hookimpl
def rasterize_pdf_page(
    input_file: Path,
    output_file: Path,
    raster_device: Any,
    raster_dpi: Any,
    pageno: int,
    page_dpi: Any,
    rotation: int | None,
    filter_vector: bool,
    stop_on_soft_error: bool,
    options: Any,
    use_cropbox: bool,
) -> Path | None:
    if rotation or filter_vector or use_cropbox:
        return None
    try:
        with pikepdf.open(input_file) as pdf:
            page = pdf.pages[pageno - 1]
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            size = (round((x1 - x0) * raster_dpi.x / 72), round((y1 - y0) * raster_dpi.y / 72))
            dpi = page_dpi or raster_dpi
            data = page_image_png(page, str(raster_device), size, (float(dpi.x), float(dpi.y)))
    except Exception as e:  # anything unexpected: let OCRmyPDF's rasteriser do it
        log.debug("page %d: taking the image out failed (%s); rendering it", pageno, e)
        return None
    if data is None:
        return None
    output_file.write_bytes(data)
    return output_file
