"""Check a file of known type against the limits before anything expensive reads it.

A PDF that opens without a password but has an owner password (restrictions) is
accepted. ``text_pages`` is an estimate: a PDF page with a font in its resources
(or a form XObject's) counts as text; plain scans have none, OCR'd pages count.
Image frames are checked from their headers before any pixel is decoded, with our
limit, not Pillow's global ``MAX_IMAGE_PIXELS``. JPEG and TIFF frames are then
decoded once. A PNG is not: every byte after its signature is covered by a
chunk CRC, so checking the CRCs up to IEND (~0.1 ms for an A4 scan, against
~10 ms to decode it) finds a truncated or damaged file. Only a file written
with a broken compressed stream under correct CRCs gets through: tesseract,
which reads a single-page scan itself, then refuses it as ``corrupt-image``;
on the rarer way through OCRmyPDF (palette, alpha or 16-bit PNGs, deskew) the
conversion fails on it, and it reaches the failed area after its attempts
with that error. ZIP ratios use declared sizes.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import ImageFile, JpegImagePlugin, PngImagePlugin, TiffImagePlugin

from eakte.config import Settings
from eakte.exceptions import InputRejected
from eakte.ingest import _detect as detect
from eakte.ingest._detect import FileType

MIB = 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
_IMAGE_PLUGINS: dict[str, type[ImageFile.ImageFile]] = {
    "image/png": PngImagePlugin.PngImageFile,
    "image/jpeg": JpegImagePlugin.JpegImageFile,
    "image/tiff": TiffImagePlugin.TiffImageFile,
}
# What Pillow and zipfile raise on damaged data (LookupError: IndexError, KeyError).
_IMAGE_ERRORS = (OSError, SyntaxError, ValueError, TypeError, LookupError, EOFError, struct.error)
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, RuntimeError, ValueError, EOFError, OSError)


@dataclass(frozen=True)
class Limits:
    """What an incoming file may be: bytes, pages, pixels per page, unpacked/packed ratio."""

    max_bytes: int
    max_pages: int
    max_image_pixels: int
    max_zip_ratio: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        mib = settings.max_file_mb * MIB
        return cls(mib, settings.max_pages, settings.max_image_pixels, settings.max_zip_ratio)


@dataclass(frozen=True)
class Validated:
    """What validation learnt: pages (PDF, images; None for others), PDF pages with text."""

    page_count: int | None
    text_pages: int | None


def validate_file(path: Path, file_type: FileType, limits: Limits) -> Validated:
    """Check the file at ``path`` (already typed by ``detect_type``) against ``limits``."""
    size = path.stat().st_size
    if size == 0:
        raise detect.empty_file()
    if size > limits.max_bytes:
        raise detect.too_large(size, limits.max_bytes)
    if file_type.kind == "pdf":
        return _check_pdf(path, limits)
    if file_type.kind == "image":
        return _check_image(path, file_type, limits)
    if file_type.kind == "office":
        _check_office(path, size, limits)
    return Validated(page_count=None, text_pages=None)


def _check_pdf(path: Path, limits: Limits) -> Validated:
    if b"%%EOF" not in _tail(path).rstrip(b"\x00\r\n\t ")[-1024:]:
        raise _truncated("PDF", "PDF-Datei")
    try:
        with pikepdf.open(path) as pdf:
            pages = len(pdf.pages)
            if pages == 0:
                raise _corrupt("PDF", "Die PDF-Datei", "it has no pages")
            _check_pages(pages, limits)
            return Validated(pages, sum(1 for page in pdf.pages if _has_fonts(page.obj)))
    except pikepdf.PasswordError:
        raise InputRejected(
            "The PDF is encrypted. Remove the password protection and scan or save it again.",
            "Die PDF-Datei ist verschlüsselt. Bitte den Kennwortschutz entfernen und erneut "
            "scannen oder speichern.",
            "encrypted-pdf",
        ) from None
    except (pikepdf.PdfError, ValueError, RecursionError) as exc:
        raise _corrupt("PDF", "Die PDF-Datei", str(exc).removeprefix(f"{path}: ")) from exc


def _has_fonts(page: pikepdf.Object) -> bool:
    """Fonts in the page's (pushed-down) resources or a form XObject's it draws."""
    resources = page.get("/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    forms = xobjects.items() if isinstance(xobjects, pikepdf.Dictionary) else []
    return _fonts(resources) or any(
        isinstance(form, pikepdf.Stream)
        and form.get("/Subtype") == "/Form"
        and _fonts(form.get("/Resources"))
        for _, form in forms
    )


def _fonts(resources: pikepdf.Object | None) -> bool:
    fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
    return isinstance(fonts, pikepdf.Dictionary) and len(fonts.keys()) > 0


def _check_image(path: Path, file_type: FileType, limits: Limits) -> Validated:
    if file_type.media_type == "image/png" and b"IEND" not in _tail(path):
        raise _truncated("image", "Bilddatei")
    plugin = _IMAGE_PLUGINS[file_type.media_type]
    try:
        with path.open("rb") as stream, plugin(stream) as image:
            frames = _check_frames(image, file_type.media_type == "image/tiff", limits)
            if file_type.media_type == "image/png":
                image.verify()  # every chunk's CRC: all bytes after the signature
            else:
                for number in range(frames):
                    image.seek(number)
                    image.load()
    except _IMAGE_ERRORS as exc:
        if "truncated" in str(exc).lower():
            raise _truncated("image", "Bilddatei") from exc
        raise _corrupt("image", "Die Bilddatei", str(exc)) from exc
    return Validated(page_count=frames, text_pages=None)


def _check_frames(image: ImageFile.ImageFile, multi: bool, limits: Limits) -> int:
    """Check and count the frames from their headers only (seek decodes nothing)."""
    frames = 1
    while True:
        _check_pages(frames, limits, exact=False)
        _check_pixels(frames, *image.size, limits)
        if not multi:
            return frames
        try:
            image.seek(frames)
        except EOFError:
            return frames
        frames += 1


def _check_pixels(number: int, width: int, height: int, limits: Limits) -> None:
    pixels, limit = width * height, limits.max_image_pixels
    if pixels > limit:
        raise InputRejected(
            f"The image is too large: {width} × {height} pixels ({pixels:,}) on page {number}; "
            f"at most {limit:,} pixels per page are accepted. Scan it at a lower resolution "
            "(300 dpi is enough for A4) and deliver it again.",
            f"Das Bild ist zu groß: {width} × {height} Pixel ({_de(pixels)}) auf Seite {number}; "
            f"höchstens {_de(limit)} Pixel pro Seite werden angenommen. Bitte mit geringerer "
            "Auflösung scannen (300 dpi reichen für A4) und erneut einlegen.",
            "image-too-large",
        )


def _check_pages(pages: int, limits: Limits, *, exact: bool = True) -> None:
    if pages > limits.max_pages:
        raise InputRejected(
            f"The document has {'' if exact else 'at least '}{pages} pages; at most "
            f"{limits.max_pages} are accepted. Split it into smaller documents and deliver those.",
            f"Das Dokument hat {'' if exact else 'mindestens '}{pages} Seiten; höchstens "
            f"{limits.max_pages} werden angenommen. Bitte in kleinere Dokumente aufteilen "
            "und erneut einlegen.",
            "too-many-pages",
        )


def _check_office(path: Path, size: int, limits: Limits) -> None:
    if detect.is_encrypted_ooxml(path):
        raise detect.encrypted_office()
    try:
        with zipfile.ZipFile(path) as archive:
            _check_zip_entries(archive.infolist(), size, limits)
            parts = [n for n in archive.namelist() if n.endswith((".xml", ".rels"))]
            if not parts:
                raise _corrupt("office document", "Das Office-Dokument", "it has no XML parts")
            for name in parts:  # the text lives here: reading it through checks the CRCs
                with archive.open(name) as entry:
                    while chunk := entry.read(MIB):
                        if name == "META-INF/manifest.xml" and b"encryption-data" in chunk:
                            raise detect.encrypted_office()  # ODF encrypted with a password
    except _ZIP_ERRORS as exc:
        raise _corrupt("office document", "Das Office-Dokument", str(exc)) from exc


def _check_zip_entries(infos: list[zipfile.ZipInfo], size: int, limits: Limits) -> None:
    unpacked = sum(info.file_size for info in infos)
    most = min(10 * limits.max_bytes, limits.max_zip_ratio * size)
    if len(infos) > MAX_ZIP_ENTRIES or unpacked > most:
        raise InputRejected(
            f"The office document would unpack to {unpacked:,} bytes in {len(infos)} parts from "
            f"{size:,} bytes: this looks like a decompression bomb. Open it in the office "
            "program, save it again normally (or as PDF) and deliver it again.",
            f"Das Office-Dokument würde sich von {_de(size)} auf {_de(unpacked)} Byte in "
            f"{len(infos)} Teilen entpacken: das sieht nach einer Dekompressionsbombe aus. "
            "Bitte im Office-Programm öffnen, neu (oder als PDF) speichern und erneut einlegen.",
            "zip-bomb",
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise detect.encrypted_office()
        parts = re.split(r"[/\\]", info.filename)
        if parts[0] == "" or ":" in parts[0] or ".." in parts:
            shown = "".join(c if c.isprintable() else "?" for c in info.filename[:120])
            raise InputRejected(
                f"The office document contains a part with an unsafe path ({shown}). Open it "
                "in the office program, save it again (or as PDF) and deliver it again.",
                f"Das Office-Dokument enthält einen Teil mit unsicherem Pfad ({shown}). Bitte "
                "im Office-Programm öffnen, neu (oder als PDF) speichern und erneut einlegen.",
                "unsafe-zip",
            )


def _tail(path: Path) -> bytes:
    with path.open("rb") as stream:
        stream.seek(max(0, path.stat().st_size - 4096))
        return stream.read()


def _truncated(what: str, was: str) -> InputRejected:
    return InputRejected(
        f"The {what} file is incomplete (cut off before its end). Copy or scan it again "
        "and wait until it is completely written.",
        f"Die {was} ist unvollständig (vor dem Ende abgeschnitten). Bitte erneut kopieren "
        "oder scannen und warten, bis sie ganz geschrieben ist.",
        "truncated",
    )


def _corrupt(what: str, was: str, detail: str) -> InputRejected:
    return InputRejected(
        f"The {what} is damaged and cannot be read ({detail[:200]}). Save it again in the "
        "program that made it (or scan it again) and deliver it again.",
        f"{was} ist beschädigt und nicht lesbar ({detail[:200]}). Bitte im erzeugenden "
        "Programm neu speichern (oder neu scannen) und erneut einlegen.",
        "corrupt",
    )


def _de(number: int) -> str:  # German thousands separators: 1.234.567
    return f"{number:,}".replace(",", ".")
