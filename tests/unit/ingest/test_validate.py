from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from eakte.config import Settings
from eakte.exceptions import InputRejected
from eakte.ingest._detect import DOCX, ODT, FileType, detect_type
from eakte.ingest._validate import Limits, Validated, validate_file
from tests.fixtures.office_files import docx_entries, zip_bytes

DOCX_TYPE = FileType(DOCX, "office", ".docx")
PNG_TYPE = FileType("image/png", "image", ".png")
JPEG_TYPE = FileType("image/jpeg", "image", ".jpg")
TIFF_TYPE = FileType("image/tiff", "image", ".tif")
PDF_TYPE = FileType("application/pdf", "pdf", ".pdf")


def check(path: Path, limits: Limits) -> Validated:
    return validate_file(path, detect_type(path), limits)


def rejected(path: Path, limits: Limits, file_type: FileType | None = None) -> InputRejected:
    with pytest.raises(InputRejected) as caught:
        validate_file(path, file_type or detect_type(path), limits)
    assert caught.value.message and caught.value.message_de
    assert caught.value.message != caught.value.message_de
    return caught.value


def test_limits_from_settings() -> None:
    settings = Settings(max_file_mb=2, max_pages=10, max_image_pixels=1000, max_zip_ratio=5)
    assert Limits.from_settings(settings) == Limits(2 * 1024 * 1024, 10, 1000, 5)


@pytest.mark.parametrize(
    ("name", "pages", "text_pages"),
    [
        ("sample.pdf", 2, 2),
        ("restricted.pdf", 2, 2),  # owner password only: opens without one, so accepted
        ("scan.pdf", 1, 0),
        ("scan.png", 1, None),
        ("scan-with-note.png", 1, None),
        ("scan.jpg", 1, None),
        ("scan-2pages.tif", 2, None),
        ("letter.docx", None, None),
        ("table.xlsx", None, None),
        ("slides.pptx", None, None),
        ("letter.odt", None, None),
        ("table.ods", None, None),
        ("page.html", None, None),
        ("note.txt", None, None),
        ("mail.eml", None, None),
    ],
)
def test_good_fixtures_pass(
    resources: Path, limits: Limits, name: str, pages: int | None, text_pages: int | None
) -> None:
    assert check(resources / name, limits) == Validated(pages, text_pages)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("encrypted.pdf", "encrypted-pdf"),
        ("truncated.pdf", "truncated"),
        ("corrupt.pdf", "corrupt"),
        ("truncated.png", "truncated"),
        ("bomb.png", "image-too-large"),
        ("zipbomb.docx", "zip-bomb"),
        ("zipslip.docx", "unsafe-zip"),
    ],
)
def test_bad_fixtures_are_refused(resources: Path, limits: Limits, name: str, code: str) -> None:
    assert rejected(resources / name, limits).code == code


def test_encrypted_pdf_message(resources: Path, limits: Limits) -> None:
    error = rejected(resources / "encrypted.pdf", limits)
    assert error.message == (
        "The PDF is encrypted. Remove the password protection and scan or save it again."
    )
    assert error.message_de == (
        "Die PDF-Datei ist verschlüsselt. Bitte den Kennwortschutz "
        "entfernen und erneut scannen oder speichern."
    )


def test_corrupt_message_does_not_show_the_processing_path(resources: Path, limits: Limits) -> None:
    error = rejected(resources / "corrupt.pdf", limits)
    assert str(resources) not in error.message
    assert "beschädigt" in error.message_de


def test_zero_bytes(resources: Path, limits: Limits) -> None:
    assert rejected(resources / "zero.bin", limits, PDF_TYPE).code == "empty-file"


def test_too_large(resources: Path, limits: Limits) -> None:
    error = rejected(resources / "scan.png", dataclasses.replace(limits, max_bytes=1000))
    assert error.code == "too-large"
    assert "at most 1000 bytes" in error.message


@pytest.mark.parametrize("name", ["sample.pdf", "scan-2pages.tif"])
def test_too_many_pages(resources: Path, limits: Limits, name: str) -> None:
    error = rejected(resources / name, dataclasses.replace(limits, max_pages=1))
    assert error.code == "too-many-pages"
    assert "2 pages" in error.message
    assert "höchstens 1 werden angenommen" in error.message_de


def test_bomb_names_its_size(resources: Path, limits: Limits) -> None:
    error = rejected(resources / "bomb.png", limits)
    assert "15000 × 15000" in error.message
    assert "225,000,000" in error.message
    assert "225.000.000" in error.message_de


def test_own_pixel_limit_not_pillows(resources: Path, limits: Limits) -> None:
    """225 million pixels exceed Pillow's global default (which would warn, then refuse)."""
    before = Image.MAX_IMAGE_PIXELS
    roomy = dataclasses.replace(limits, max_image_pixels=250_000_000)
    assert check(resources / "bomb.png", roomy) == Validated(1, None)
    assert before == Image.MAX_IMAGE_PIXELS


def test_every_tiff_frame_is_checked(tmp_path: Path, limits: Limits) -> None:
    small, huge = Image.new("1", (100, 100), 1), Image.new("1", (3000, 3000), 1)
    path = tmp_path / "zwei.tif"
    small.save(path, "TIFF", compression="group4", save_all=True, append_images=[huge])
    error = rejected(path, dataclasses.replace(limits, max_image_pixels=1_000_000))
    assert error.code == "image-too-large"
    assert "page 2" in error.message


def test_truncated_jpeg(resources: Path, tmp_path: Path, limits: Limits) -> None:
    path = tmp_path / "abgeschnitten.jpg"
    path.write_bytes((resources / "scan.jpg").read_bytes()[:20_000])
    assert rejected(path, limits, JPEG_TYPE).code == "truncated"


def test_png_without_end_chunk_is_truncated(
    resources: Path, tmp_path: Path, limits: Limits
) -> None:
    path = tmp_path / "ohne-ende.png"
    path.write_bytes((resources / "scan.png").read_bytes()[:-12])
    assert rejected(path, limits, PNG_TYPE).code == "truncated"


def test_damaged_image_data(resources: Path, tmp_path: Path, limits: Limits) -> None:
    data = bytearray((resources / "scan.png").read_bytes())
    data[200:260] = bytes(60)  # inside the compressed pixel data
    path = tmp_path / "kaputt.png"
    path.write_bytes(bytes(data))
    assert rejected(path, limits, PNG_TYPE).code in ("corrupt", "truncated")


def test_image_that_is_not_one(resources: Path, limits: Limits) -> None:
    assert rejected(resources / "note.txt", limits, TIFF_TYPE).code == "corrupt"


def test_pdf_cut_behind_the_end_marker_is_still_read(
    resources: Path, tmp_path: Path, limits: Limits
) -> None:
    path = tmp_path / "mit-nullen.pdf"
    path.write_bytes((resources / "sample.pdf").read_bytes() + b"\x00" * 3000 + b"\r\n")
    assert check(path, limits) == Validated(2, 2)


def test_zip_bomb_by_absolute_size(resources: Path, limits: Limits) -> None:
    relaxed = dataclasses.replace(limits, max_bytes=1_000_000, max_zip_ratio=100_000)
    error = rejected(resources / "zipbomb.docx", relaxed)
    assert error.code == "zip-bomb"
    assert "Dekompressionsbombe" in error.message_de


@pytest.mark.parametrize("entry", ["/etc/cron.d/x", "\\windows\\x", "C:/x.xml", "word/../../x"])
def test_unsafe_zip_paths(tmp_path: Path, limits: Limits, entry: str) -> None:
    path = tmp_path / "pfad.docx"
    path.write_bytes(zip_bytes([*docx_entries("T", ["x"]), (entry, b"x")]))
    error = rejected(path, limits, DOCX_TYPE)
    assert error.code == "unsafe-zip"
    assert entry in error.message


def test_encrypted_office_as_office(resources: Path, limits: Limits) -> None:
    assert rejected(resources / "encrypted.docx", limits, DOCX_TYPE).code == "encrypted-office"


def test_encrypted_odf(tmp_path: Path, limits: Limits) -> None:
    manifest = (
        b'<manifest:manifest><manifest:file-entry manifest:full-path="content.xml">'
        b"<manifest:encryption-data/></manifest:file-entry></manifest:manifest>"
    )
    path = tmp_path / "geheim.odt"
    path.write_bytes(
        zip_bytes(
            [
                ("mimetype", ODT.encode()),
                ("META-INF/manifest.xml", manifest),
                ("content.xml", b"\x93\x01binary"),
            ]
        )
    )
    error = rejected(path, limits, FileType(ODT, "office", ".odt"))
    assert error.code == "encrypted-office"


def test_zip_with_encrypted_entries(tmp_path: Path, limits: Limits) -> None:
    data = bytearray(zip_bytes(docx_entries("T", ["x"])))
    for offset in _header_offsets(bytes(data)):
        data[offset] |= 0x1  # set "encrypted" in every local and central header
    path = tmp_path / "zipcrypt.docx"
    path.write_bytes(bytes(data))
    assert rejected(path, limits, DOCX_TYPE).code == "encrypted-office"


def _header_offsets(data: bytes) -> list[int]:
    offsets = []
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start >= 0:
            offsets.append(start + flag_at)
            start = data.find(signature, start + 1)
    return offsets


def test_truncated_office_document(resources: Path, tmp_path: Path, limits: Limits) -> None:
    path = tmp_path / "halb.docx"
    path.write_bytes((resources / "letter.docx").read_bytes()[:900])
    assert rejected(path, limits, DOCX_TYPE).code == "corrupt"


def test_damaged_office_xml(tmp_path: Path, limits: Limits) -> None:
    buffer = io.BytesIO(zip_bytes(docx_entries("T", ["Absatz " * 200])))
    with zipfile.ZipFile(buffer) as archive:
        info = archive.getinfo("word/document.xml")
    data = bytearray(buffer.getvalue())
    start = info.header_offset + 30 + len(info.filename)
    data[start + 10 : start + 30] = bytes(range(20))  # damage the deflate stream
    path = tmp_path / "beschaedigt.docx"
    path.write_bytes(bytes(data))
    assert rejected(path, limits, DOCX_TYPE).code == "corrupt"


def test_office_without_xml_parts(tmp_path: Path, limits: Limits) -> None:
    path = tmp_path / "leer.docx"
    path.write_bytes(zip_bytes([("bild.png", b"x")]))
    assert rejected(path, limits, DOCX_TYPE).code == "corrupt"
