"""Image checks and the lossless conversion to PDF (no tesseract needed)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops

from eakte.exceptions import InputRejected
from eakte.ocr._images import DEFAULT_DPI, image_to_pdf, inspect_image
from tests.unit.ocr.scans import snippet

LIMIT = 200_000_000


@pytest.fixture
def page() -> Image.Image:
    return snippet(["Antrag auf Sondernutzung", "der Straße"])


def embedded_image(path: Path) -> Image.Image:
    with pikepdf.open(path) as pdf:
        (embedded,) = pdf.pages[0].get_images().values()
        assert isinstance(embedded, pikepdf.Stream)
        return pikepdf.PdfImage(embedded).as_pil_image()


def pdf_page_size(path: Path, index: int = 0) -> tuple[float, float]:
    with pikepdf.open(path) as pdf:
        x0, y0, x1, y1 = (float(v) for v in pdf.pages[index].mediabox)
        return x1 - x0, y1 - y0


def rejected(source: Path, code: str, limit: int = LIMIT) -> InputRejected:
    with pytest.raises(InputRejected) as caught:
        image_to_pdf(source, source.with_suffix(".pdf"), limit)
    assert caught.value.code == code
    assert caught.value.message and caught.value.message_de
    return caught.value


def test_png_keeps_its_resolution(tmp_path: Path, page: Image.Image) -> None:
    source = tmp_path / "scan.png"
    page.save(source, dpi=(150, 150))
    assert image_to_pdf(source, tmp_path / "scan.pdf", LIMIT) == 1
    width, height = pdf_page_size(tmp_path / "scan.pdf")
    assert width == pytest.approx(page.width / 150 * 72, abs=0.5)
    assert height == pytest.approx(page.height / 150 * 72, abs=0.5)


def test_missing_resolution_means_300_dpi(tmp_path: Path, page: Image.Image) -> None:
    source = tmp_path / "scan.png"
    page.save(source)  # no pHYs chunk
    assert inspect_image(source, LIMIT)[0].dpi is None
    image_to_pdf(source, tmp_path / "scan.pdf", LIMIT)
    assert pdf_page_size(tmp_path / "scan.pdf")[0] == pytest.approx(
        page.width / DEFAULT_DPI * 72, abs=0.5
    )


def test_conversion_is_lossless(tmp_path: Path, page: Image.Image) -> None:
    source = tmp_path / "scan.png"
    page.save(source, dpi=(300, 300))
    image_to_pdf(source, tmp_path / "scan.pdf", LIMIT)
    back = embedded_image(tmp_path / "scan.pdf")
    assert ImageChops.difference(back.convert("L"), page).getbbox() is None


def test_multi_page_tiff(tmp_path: Path, page: Image.Image) -> None:
    source = tmp_path / "scan.tif"
    second = snippet(["Zweite Seite"])
    page.save(source, dpi=(300, 300), save_all=True, append_images=[second])
    assert [f.width for f in inspect_image(source, LIMIT)] == [page.width, second.width]
    assert image_to_pdf(source, tmp_path / "scan.pdf", LIMIT) == 2


def test_exif_rotation_becomes_page_rotation(tmp_path: Path, page: Image.Image) -> None:
    source = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[274] = 6  # stored sideways: turn 90° clockwise to view
    page.rotate(90, expand=True).save(source, dpi=(300, 300), exif=exif)
    image_to_pdf(source, tmp_path / "photo.pdf", LIMIT)
    with pikepdf.open(tmp_path / "photo.pdf") as pdf:
        assert int(pdf.pages[0].obj.Rotate) == 90


def test_mirrored_exif_is_applied_to_the_pixels(tmp_path: Path, page: Image.Image) -> None:
    source = tmp_path / "mirrored.jpg"
    exif = Image.Exif()
    exif[274] = 2  # mirrored left-right: img2pdf cannot express that as /Rotate
    page.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(source, dpi=(300, 300), exif=exif)
    assert inspect_image(source, LIMIT)[0].mirrored
    image_to_pdf(source, tmp_path / "mirrored.pdf", LIMIT)
    with pikepdf.open(tmp_path / "mirrored.pdf") as pdf:
        assert "/Rotate" not in pdf.pages[0].obj
    back = embedded_image(tmp_path / "mirrored.pdf").convert("L")
    # JPEG is lossy: compare loosely, but the text must be the right way round
    wrong = ImageChops.difference(back, page).point(lambda v: 255 if v > 96 else 0)
    assert wrong.histogram()[255] < 200  # pixels far off: JPEG noise only, not mirrored text


@pytest.mark.parametrize("mirrored", [False, True])
def test_16_bit_grey_tiff_keeps_its_tones(
    tmp_path: Path, page: Image.Image, mirrored: bool
) -> None:
    """img2pdf refuses 16 bits per sample in TIFF: such scans are normalised, not refused."""
    source = tmp_path / "deep.tif"
    deep = page.convert("I").point(lambda value: value * 256).convert("I;16")
    exif = Image.Exif()
    if mirrored:
        exif[274] = 2
        deep = deep.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    deep.save(source, dpi=(300, 300), exif=exif)
    image_to_pdf(source, tmp_path / "deep.pdf", LIMIT)
    back = embedded_image(tmp_path / "deep.pdf").convert("L")
    differences = ImageChops.difference(back, page).histogram()
    assert not any(differences[2:])  # no pixel off by more than one grey level


@pytest.mark.parametrize("mode", ["LA", "RGBA", "P"])
def test_transparency_is_kept(tmp_path: Path, page: Image.Image, mode: str) -> None:
    """img2pdf stores alpha as a soft mask (PDF/A-2 allows it); pdfium renders it on white."""
    source = tmp_path / "alpha.png"
    page.convert(mode).save(source, dpi=(300, 300), transparency=255 if mode == "P" else None)
    assert image_to_pdf(source, tmp_path / "alpha.pdf", LIMIT) == 1
    assert pdf_page_size(tmp_path / "alpha.pdf")[0] == pytest.approx(page.width * 72 / 300, 0.01)


def test_too_many_pixels_is_refused_before_decoding(tmp_path: Path, page: Image.Image) -> None:
    source = tmp_path / "scan.tif"
    large = snippet(["Zweite Seite", "ist größer", "als die erste"])
    page.crop((0, 0, 100, 100)).save(source, save_all=True, append_images=[large])
    error = rejected(source, "image-too-large", limit=large.width * large.height - 1)
    assert "Page 2" in error.message and "Seite 2" in error.message_de


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb's disguise)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\0" * 1000)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "bomb.png"
    source.write_bytes(png_claiming(100_000, 100_000))
    rejected(source, "image-too-large")  # ours (10^10 > 2·10^8), before Pillow's own check


def test_pillows_own_bomb_check_counts_as_too_large(tmp_path: Path) -> None:
    source = tmp_path / "bomb.png"
    source.write_bytes(png_claiming(20_000, 20_000))  # 4·10^8 > 2 × Pillow's default limit
    error = rejected(source, "image-too-large", limit=10**12)
    assert "more pixels than can be decoded safely" in error.message


def test_truncated_png(tmp_path: Path, page: Image.Image) -> None:
    source = tmp_path / "cut.png"
    page.save(source, dpi=(300, 300))
    source.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    rejected(source, "corrupt-image")


def test_not_an_image(tmp_path: Path) -> None:
    source = tmp_path / "scan.png"
    source.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really" * 100)
    rejected(source, "corrupt-image")


def test_other_formats_are_refused(tmp_path: Path, page: Image.Image) -> None:
    source = tmp_path / "scan.gif"
    page.save(source)
    error = rejected(source, "unsupported-image")
    assert "PNG, JPEG or TIFF" in error.message


def test_a_decoded_png_is_not_decoded_again(tmp_path: Path, page: Image.Image) -> None:
    """``decoded``: the caller (ingest's validation) has decoded the frames; only the
    headers are read, so even damaged image data is no longer noticed here."""
    source = tmp_path / "scan.png"
    page.save(source, dpi=(300, 300))
    data = bytearray(source.read_bytes())
    idat = data.index(b"IDAT") + 4
    data[idat + 100 : idat + 400] = bytes(300)  # damaged compressed data, same length
    source.write_bytes(bytes(data))
    rejected(source, "corrupt-image")
    assert image_to_pdf(source, tmp_path / "scan.pdf", LIMIT, decoded=True) == 1


def test_png_exif_orientation_without_decoding(tmp_path: Path, page: Image.Image) -> None:
    source = tmp_path / "turned.png"
    exif = Image.Exif()
    exif[274] = 8  # stored turned: show it turned 270° clockwise
    page.rotate(-90, expand=True).save(source, dpi=(300, 300), exif=exif)
    assert inspect_image(source, LIMIT, decode=False)[0].orientation == 8
    image_to_pdf(source, tmp_path / "turned.pdf", LIMIT, decoded=True)
    with pikepdf.open(tmp_path / "turned.pdf") as pdf:
        assert int(pdf.pages[0].obj.Rotate) == 270


def test_damaged_data_found_when_the_conversion_decodes(tmp_path: Path, page: Image.Image) -> None:
    """A PNG with alpha is decoded to be flattened: damaged data under right CRCs (which
    ingest's check lets through) is then the file's fault, not a failure to retry."""
    from tests.fixtures.pictures import png_with_broken_data

    made = tmp_path / "made.png"
    page.convert("RGBA").save(made, dpi=(300, 300))
    source = tmp_path / "scan.png"
    source.write_bytes(png_with_broken_data(made.read_bytes()))
    with pytest.raises(InputRejected) as caught:
        image_to_pdf(source, tmp_path / "scan.pdf", LIMIT, decoded=True)
    assert caught.value.code == "corrupt-image"
    assert "broken data stream" in caught.value.message


def test_a_failing_write_is_not_the_files_fault(tmp_path: Path, page: Image.Image) -> None:
    source = tmp_path / "scan.png"
    page.convert("RGBA").save(source, dpi=(300, 300))
    with pytest.raises(FileNotFoundError):
        image_to_pdf(source, tmp_path / "missing" / "scan.pdf", LIMIT, decoded=True)
