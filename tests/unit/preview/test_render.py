"""The preview renderer on untrusted files: kinds by content, page bounds, pixel
limits before decoding, bounded output for absurd page sizes, damaged files."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pikepdf
import pytest

from eakte.preview._render import Limits, RenderError, count_pages, kind_of, render

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
LIMITS = Limits(max_pages=1000, max_image_pixels=100_000_000)
BOX = (160, 226)


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.mark.parametrize(
    ("name", "kind", "pages"),
    [
        ("scan.png", "png", 1),
        ("scan.jpg", "jpeg", 1),
        ("scan-2pages.tif", "tiff", 2),
        ("sample.pdf", "pdf", 2),
        ("note.txt", None, 0),
    ],
)
def test_kinds_and_pages_come_from_the_content(name: str, kind: str | None, pages: int) -> None:
    path = FIXTURES / name
    assert kind_of(path) == kind
    assert count_pages(path, LIMITS) == pages
    if pages:
        width, height = _size(render(path, pages, BOX, LIMITS))
        assert 0 < width <= BOX[0] and 0 < height <= BOX[1]
        with pytest.raises(RenderError):
            render(path, pages + 1, BOX, LIMITS)
        with pytest.raises(RenderError):
            render(path, 0, BOX, LIMITS)


def test_a_renamed_file_is_drawn_by_what_it_is(tmp_path: Path) -> None:
    disguised = tmp_path / "letter.pdf"
    disguised.write_bytes((FIXTURES / "scan.png").read_bytes())
    assert kind_of(disguised) == "png"
    _size(render(disguised, 1, BOX, LIMITS))


def test_too_many_pixels_are_refused_before_decoding() -> None:
    with pytest.raises(RenderError, match="too large"):
        count_pages(FIXTURES / "bomb.png", LIMITS)
    with pytest.raises(RenderError, match="too large"):
        render(FIXTURES / "bomb.png", 1, BOX, LIMITS)


@pytest.mark.parametrize("name", ["truncated.png", "corrupt.pdf", "zero.bin"])
def test_damaged_files_raise_render_error(name: str) -> None:
    with pytest.raises(RenderError):
        render(FIXTURES / name, 1, BOX, LIMITS)


def test_an_absurd_page_size_gives_a_small_image(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(14400, 14400))  # 200 inches square, the PDF maximum
    out = io.BytesIO()
    pdf.save(out)
    path = tmp_path / "huge.pdf"
    path.write_bytes(out.getvalue())
    width, height = _size(render(path, 1, (1240, 1754), LIMITS))
    assert width <= 1240 and height <= 1754
    tiny = tmp_path / "tiny.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(10, 10))
    pdf.save(tiny)
    assert max(_size(render(tiny, 1, (1240, 1754), LIMITS))) <= 40  # at most 4 × 72 dpi


def test_page_limit_applies(tmp_path: Path) -> None:
    with pytest.raises(RenderError):
        render(FIXTURES / "sample.pdf", 2, BOX, Limits(max_pages=1, max_image_pixels=10**8))
