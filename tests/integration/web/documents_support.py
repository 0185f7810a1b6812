"""Set-up for the Posteingang and document page tests: the workflow tests' world
(anna in 32, hans in 10, an Akte with a Vorgang in 32, the shipped workflows),
real ingest of sample files, and small checks of PNG answers."""

from __future__ import annotations

import io
import json
import shutil
import struct
import uuid
from pathlib import Path

import pikepdf
from sqlalchemy import select

from eakte.ingest import Pipeline, Source
from eakte.models import AuditEvent, Case
from eakte.records import Records
from tests.integration.workflow.conftest import World

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
XSS = "<script>alert(1)</script>"


def ingest(
    records: Records,
    tmp: Path,
    fixture: str | None,
    orgunit: str = "32",
    name: str | None = None,
    data: bytes | None = None,
) -> str:
    """Run the real pipeline on a sample file (or ``data``) delivered as ``name``."""
    path = tmp / f"in-{uuid.uuid4().hex}"
    if data is None:
        assert fixture is not None
        shutil.copy(FIXTURES / fixture, path)
    else:
        path.write_bytes(data)
    outcome = Pipeline(records).ingest(
        Source(
            path=path,
            name=name or fixture or "datei",
            item_id=str(uuid.uuid4()),
            source="cli",
            orgunit=orgunit,
        )
    )
    assert outcome.status == "stored", outcome
    assert outcome.document_id is not None
    return outcome.document_id


def pdf_titled(title: str) -> bytes:
    """A one-page PDF without text whose document title is ``title``."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = title
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (after checking its magic)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def akte_of(world: World) -> str:
    with world.records.reading() as session:
        case = session.scalar(select(Case).where(Case.reference == world.case))
        assert case is not None
        return case.case_file.reference


def events(records: Records, action: str, document_id: str) -> list[dict[str, object]]:
    with records.reading() as session:
        rows = session.scalars(
            select(AuditEvent.details)
            .where(AuditEvent.action == action, AuditEvent.object_id == document_id)
            .order_by(AuditEvent.seq)
        ).all()
    return [json.loads(row) for row in rows]
