"""Draw one page of a PDF or an image file as a PNG, never larger than asked.

The file is untrusted: its kind is taken from its first bytes (not its media
type), the page number is checked against the page count, image dimensions
are read from the header and checked before a pixel is decoded, and the
rendering scale follows from the requested box, so a page of absurd
dimensions still gives a small image.
"""

from __future__ import annotations

import io
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pypdfium2 as pdfium  # type: ignore[import-untyped]
from PIL import Image, ImageFile, JpegImagePlugin, PngImagePlugin, TiffImagePlugin

_PDFIUM = threading.Lock()  # pdfium is not thread-safe
_PLUGINS: dict[str, type[ImageFile.ImageFile]] = {
    "png": PngImagePlugin.PngImageFile,
    "jpeg": JpegImagePlugin.JpegImageFile,
    "tiff": TiffImagePlugin.TiffImageFile,
}
_IMAGE_ERRORS = (OSError, SyntaxError, ValueError, TypeError, LookupError, EOFError, struct.error)
T = TypeVar("T")
MAX_SCALE = 4.0  # never blow a tiny page up beyond 4 × 72 dpi


class RenderError(Exception):
    """The file cannot be drawn (damaged, too large, no such page, not a page format)."""


@dataclass(frozen=True)
class Limits:
    max_pages: int
    max_image_pixels: int


def kind_of(path: Path) -> str | None:
    """ "pdf", "png", "jpeg", "tiff" by the first bytes; None for anything else."""
    with path.open("rb") as stream:
        head = stream.read(1024)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if b"%PDF-" in head:
        return "pdf"
    return None


def count_pages(path: Path, limits: Limits) -> int:
    kind = kind_of(path)
    if kind is None:
        return 0
    if kind == "pdf":
        with _PDFIUM:
            try:
                pdf = pdfium.PdfDocument(path)
            except pdfium.PdfiumError as exc:
                raise RenderError(str(exc)) from exc
            try:
                return min(len(pdf), limits.max_pages)
            finally:
                pdf.close()
    return _with_image(path, kind, limits, lambda image: _checked_frames(image, limits))


def render(path: Path, page: int, box: tuple[int, int], limits: Limits) -> bytes:
    """Page ``page`` (1-based) as PNG bytes fitting into ``box`` (width, height)."""
    kind = kind_of(path)
    if kind is None:
        raise RenderError("not a PDF or image file")
    if not 1 <= page <= limits.max_pages:
        raise RenderError(f"no page {page}")
    if kind == "pdf":
        image = _pdf_page(path, page, box)
    else:
        image = _with_image(path, kind, limits, lambda im: _image_page(im, page, box, limits))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _pdf_page(path: Path, page: int, box: tuple[int, int]) -> Image.Image:
    with _PDFIUM:
        try:
            pdf = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as exc:
            raise RenderError(str(exc)) from exc
        try:
            if page > len(pdf):
                raise RenderError(f"no page {page}")
            sheet = pdf[page - 1]
            width, height = sheet.get_size()
            if width <= 0 or height <= 0:
                raise RenderError("page without size")
            scale = min(box[0] / width, box[1] / height, MAX_SCALE)
            bitmap = sheet.render(scale=scale, may_draw_forms=True)
            image: Image.Image = bitmap.to_pil().convert("RGB")
            image.thumbnail(box)  # rounding may add a pixel
            return image
        except pdfium.PdfiumError as exc:
            raise RenderError(str(exc)) from exc
        finally:
            pdf.close()


def _with_image(
    path: Path, kind: str, limits: Limits, use: Callable[[ImageFile.ImageFile], T]
) -> T:
    """Open with the plugin of the detected kind only (no guessing, no global pixel limit)."""
    try:
        with path.open("rb") as stream, _PLUGINS[kind](stream) as image:
            if _frames(image) > limits.max_pages:
                raise RenderError("too many pages")
            return use(image)
    except _IMAGE_ERRORS as exc:
        raise RenderError(str(exc)) from exc


def _frames(image: ImageFile.ImageFile) -> int:
    return int(getattr(image, "n_frames", 1))


def _check_pixels(image: ImageFile.ImageFile, limits: Limits) -> None:
    """From the header, before any pixel is decoded."""
    width, height = image.size
    if width * height > limits.max_image_pixels:
        raise RenderError(f"image of {width} × {height} pixels is too large")


def _checked_frames(image: ImageFile.ImageFile, limits: Limits) -> int:
    """The frame count, if every frame's header is within the pixel limit."""
    for number in range(_frames(image)):
        image.seek(number)
        _check_pixels(image, limits)
    return _frames(image)


def _image_page(
    image: ImageFile.ImageFile, page: int, box: tuple[int, int], limits: Limits
) -> Image.Image:
    if page > 1:
        if page > _frames(image):
            raise RenderError(f"no page {page}")
        image.seek(page - 1)
    _check_pixels(image, limits)
    if isinstance(image, JpegImagePlugin.JpegImageFile):
        image.draft("RGB", box)  # decode at a reduced scale where JPEG allows
    image.load()
    drawn = image.copy() if image.mode in ("RGB", "L") else image.convert("RGB")
    drawn.thumbnail(box)
    return drawn
