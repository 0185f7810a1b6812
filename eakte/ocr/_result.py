"""What OCR of one document produced, and how it is read from OCRmyPDF's sidecar text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from eakte.exceptions import ExtractionError

#: OCRmyPDF writes this for a run of pages it did not OCR (they had text already).
_SKIPPED_RANGE = re.compile(r"\[OCR skipped on page\(s\) (\d+)(?:-(\d+))?\]")
#: …and this as the text of a page whose tesseract run timed out or was refused.
GAVE_UP = "[skipped page]"


@dataclass(frozen=True)
class OcrResult:
    """A searchable PDF/A rendition and the text of the same tesseract run."""

    pdfa: Path
    #: One entry per page: the OCR text, or None for a page that had a text
    #: layer already and was left as it was (its text comes from Tika).
    page_texts: tuple[str | None, ...]
    page_count: int

    @property
    def text(self) -> str:
        """The OCR'd pages' text, separated by form feeds."""
        return "\f".join(text for text in self.page_texts if text is not None)

    @property
    def ocr_pages(self) -> int:
        return sum(text is not None for text in self.page_texts)


def split_sidecar(sidecar: str, page_count: int) -> list[str | None]:
    """One entry per page from OCRmyPDF's sidecar: pages are separated by form feeds,
    and a run of pages that were not OCR'd is one "[OCR skipped on page(s) 2-4]" entry."""
    pages: list[str | None] = []
    for chunk in sidecar.split("\f"):
        skipped = _SKIPPED_RANGE.fullmatch(chunk.strip())
        if skipped and int(skipped[1]) == len(pages) + 1:
            last = int(skipped[2] or skipped[1])
            pages.extend([None] * (last - len(pages)))
        else:
            pages.append(chunk)
    if len(pages) != page_count:
        raise ExtractionError(
            f"OCRmyPDF's text output has {len(pages)} pages for a document of {page_count}; "
            "the OCR result cannot be matched to the pages. This is a bug: please report it "
            "with the file."
        )
    return pages
