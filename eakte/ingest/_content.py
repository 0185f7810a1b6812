"""The text stage: Tika for born-digital files, OCR for scans, the mail parser for e-mail.

Every page is OCR'd once: the indexed text and the PDF/A text layer come from
the same tesseract run (see ``eakte.ocr``).
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from eakte.config import Settings
from eakte.extract import TikaResult, extract_text
from eakte.ingest._detect import FileType
from eakte.ingest._email import ParsedMail, html_to_text, parse_eml
from eakte.ingest._validate import Validated

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Content:
    """What the text stage found in one file."""

    text: str
    page_count: int | None
    pdfa: Path | None = None  # searchable PDF/A rendition, when OCR ran
    ocr_pages: int = 0
    metadata: dict[str, str] = field(default_factory=dict)  # Tika's (title, author, …)
    mail: ParsedMail | None = None


def ocr_jobs(settings: Settings) -> int:
    """Tesseract processes per document: every core, so one long scan uses the whole
    machine; when several workers OCR at once the cores are shared (one thread each)."""
    del settings
    return os.cpu_count() or 1


def extract_content(
    settings: Settings, path: Path, file_type: FileType, validated: Validated, workdir: Path
) -> Content:
    if file_type.kind == "email":
        mail = parse_eml(path, settings.max_file_mb * 1024 * 1024)
        date = mail.date.strftime("%d.%m.%Y") if mail.date else ""
        header = [f"Von: {mail.sender}", f"Datum: {date}", f"Betreff: {mail.subject}"]
        text = "\n".join(line for line in [*header, "", mail.text] if line is not None)
        return Content(text=text, page_count=None, mail=mail)
    if file_type.kind == "image":
        # validate_file has decoded every frame: OCR need not decode them again
        return _ocr(settings, path, "image", workdir, None)
    if file_type.kind in ("text", "html"):
        return _plain(path, file_type.kind)
    tika = extract_text(path, tika_url=settings.tika_url, timeout=settings.tika_timeout)
    pages = validated.page_count
    needs_ocr = (
        file_type.kind == "pdf"
        and pages is not None
        and (validated.text_pages is None or validated.text_pages < pages)
    )
    if needs_ocr:
        return _ocr(settings, path, "pdf", workdir, tika)
    return Content(text=tika.text, page_count=pages or tika.page_count, metadata=tika.metadata)


def _ocr(
    settings: Settings, path: Path, kind: str, workdir: Path, tika: TikaResult | None
) -> Content:
    from eakte.ocr import ocr_document

    result = ocr_document(
        path,
        kind,  # type: ignore[arg-type]
        workdir,
        languages=settings.ocr_languages,
        jobs=ocr_jobs(settings),
        page_timeout=settings.ocr_page_timeout,
        max_image_pixels=settings.max_image_pixels,
        rotate_pages=settings.ocr_rotate_pages,
        deskew=settings.ocr_deskew,
        decoded=kind == "image",
    )
    born_digital = tika.text.strip() if tika else ""
    text = "\n".join(part for part in (born_digital, result.text) if part.strip())
    return Content(
        text=text,
        page_count=result.page_count,
        pdfa=result.pdfa,
        ocr_pages=result.ocr_pages,
        metadata=tika.metadata if tika else {},
    )


def _plain(path: Path, kind: str) -> Content:
    """Plain text and HTML need no Tika (which costs ~150 ms per file, even for these)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # the usual legacy Windows encoding
    if kind == "text":
        return Content(text=text, page_count=None)
    title = _TITLE.search(text)
    metadata = {"title": html.unescape(title.group(1)).strip()} if title else {}
    return Content(text=html_to_text(text), page_count=None, metadata=metadata)
