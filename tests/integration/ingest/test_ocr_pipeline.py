"""Scans through the whole pipeline with real tesseract: text, PDF/A rendition, pages."""

from __future__ import annotations

import io

import pikepdf
import pytest

from eakte import records as svc
from eakte.ingest import Inbox, Pipeline, run_job
from eakte.records import SYSTEM, Records
from eakte.storage import ObjectKind
from tests.integration.ingest.conftest import FIXTURES

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.parametrize(
    ("name", "pages", "media_type"),
    [
        ("scan.png", 1, "image/png"),
        ("scan.jpg", 1, "image/jpeg"),  # EXIF orientation 6: read only if turned upright
        ("scan-2pages.tif", 2, "image/tiff"),
        ("scan.pdf", 1, "application/pdf"),
    ],
)
def test_scans_get_ocr_text_and_a_pdfa_rendition(
    pipeline: Pipeline, installation: Records, name: str, pages: int, media_type: str
) -> None:
    inbox = Inbox(pipeline.settings)
    result = run_job(pipeline, inbox, inbox.submit_copy(FIXTURES / name, "32"))
    assert result is not None and result.outcome.status == "stored", result
    report = svc.document_report(installation, SYSTEM, str(result.outcome.document_id))
    text = report["text"].lower()
    assert "sondernutzung" in text and "weißmüller" in text, report["text"][:400]
    assert report["page_count"] == pages
    assert report["document_date"] == "2024-12-03"
    version = report["versions"][0]
    assert version["media_type"] == media_type and version["signature_valid"]
    original = installation.store.read_bytes(ObjectKind.CONTENT, version["sha256"])
    assert original == (FIXTURES / name).read_bytes()  # the original is kept unchanged
    pdfa = installation.store.read_bytes(ObjectKind.RENDITION, version["renditions"]["pdfa"])
    with pikepdf.open(io.BytesIO(pdfa)) as pdf:
        assert len(pdf.pages) == pages
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "2"
    assert svc.verify_store(installation).ok
