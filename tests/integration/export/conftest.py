"""A small realistic installation to export, and ``make_package`` to export it.

The content (fixture ``export_world``; ``export_records`` is its Records):

- demo data; people: anna (Sachbearbeitung 32), chefin (Leitung 32), bauer
  (Sachbearbeitung 63) and pruefer (Auditor at the top unit VW);
- Akte ``world.akte`` in 32 (plan 1.2) with two Vorgänge:
  ``world.vorgang`` (open) holds the letter (3 text versions, sender and date
  set afterwards) and the scan (a real ingest of ``scan.pdf``: OCR text and a
  PDF/A rendition); ``world.vorgang_closed`` holds the Bescheid and was closed
  (zdA) by an ``antrag`` workflow that ended in ``abgelehnt``;
- the Lageplan (2 PNG versions, confidential) lies directly in the Akte;
- the signing key is rotated after the letter's first two versions, so the
  package needs the older key and its anchoring ``key.rotated`` event;
- a Posteingang document in 32 (``world.inbox_document``, no Akte);
- Akte ``world.akte_other`` in 63 with one document, and a Posteingang
  document in 10 (``world.other_inbox_document``): what a 32-only export
  must leave out.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from eakte import records as svc
from eakte import workflow as wf
from eakte.config import Settings, load_settings
from eakte.export import _layout as layout
from eakte.ingest import Inbox, Pipeline, run_job
from eakte.records import SYSTEM, Principal, Records, VersionInput, load_principal
from eakte.records._demo import load_demo
from tests.conftest import TEST_PASSPHRASE

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PASSWORD = "ein langes Testpasswort"
PEOPLE = {  # username -> (org unit, role)
    "anna": ("32", "sachbearbeitung"),
    "chefin": ("32", "leitung"),
    "bauer": ("63", "sachbearbeitung"),
    "pruefer": ("VW", "auditor"),
}


@dataclass
class ExportWorld:
    records: Records
    akte: str  # reference of the Akte in 32
    vorgang: str  # its open Vorgang
    vorgang_closed: str  # its Vorgang closed (zdA) by a workflow
    letter: str  # document ids ...
    scan: str
    bescheid: str
    lageplan: str
    inbox_document: str  # Posteingang of 32
    akte_other: str  # an Akte in 63
    other_document: str  # in akte_other
    other_inbox_document: str  # Posteingang of 10
    old_key: str
    new_key: str
    documents_32: set[str] = field(default_factory=set)

    def who(self, username: str) -> Principal:
        with self.records.reading() as session:
            return load_principal(session, username)


def world_settings(folder: Path, database_url: str) -> Settings:
    """Settings of an export test installation in ``folder``."""
    return load_settings(
        data_dir=folder / "var",
        database_url=database_url,
        key_passphrase=TEST_PASSPHRASE,
        audit_checkpoint_seconds=0,
        inbox_dir=folder / "inbox",
        inbox_settle_seconds=0.3,
        ingest_workers=1,
    )


@pytest.fixture
def export_settings(tmp_path: Path, database_url: str) -> Settings:
    return world_settings(tmp_path, database_url)


@contextmanager
def sqlite_world(folder: Path, sqlite_template: Path) -> Iterator[tuple[Records, ExportWorld]]:
    """A module-wide installation on a copy of the migrated SQLite template."""
    shutil.copy(sqlite_template, folder / "eakte.sqlite3")
    settings = world_settings(folder, f"sqlite:///{folder / 'eakte.sqlite3'}")
    settings.ensure_data_dir()
    records = Records(settings)
    try:
        yield records, _build(records)
    finally:
        records.close()


def _png(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _text(title: str, body: str, filename: str = "schreiben.txt") -> dict[str, Any]:
    return {
        "content": body.encode(),
        "version": VersionInput(filename=filename, media_type="text/plain"),
        "title": title,
    }


@pytest.fixture
def export_world(export_settings: Settings) -> Iterator[ExportWorld]:
    export_settings.ensure_data_dir()
    records = Records(export_settings)
    try:
        yield _build(records)
    finally:
        records.close()


@pytest.fixture
def export_records(export_world: ExportWorld) -> Records:
    return export_world.records


def _build(records: Records) -> ExportWorld:
    old_key = svc.init_keys(records, SYSTEM).key_id
    load_demo(records)
    for username, (unit, role) in PEOPLE.items():
        svc.create_user(
            records, SYSTEM, username=username, display_name=username.title(), password=PASSWORD
        )
        svc.grant_role(records, SYSTEM, username=username, orgunit=unit, role=role)
    wf.sync_definitions(records, SYSTEM, wf.shipped_examples())
    with records.reading() as session:
        anna = load_principal(session, "anna")
        bauer = load_principal(session, "bauer")

    akte = svc.create_case_file(
        records, anna, plan_code="1.2", title="Sondernutzungen Marktplatz", orgunit="32"
    ).reference
    vorgang = svc.create_case(
        records, anna, case_file_reference=akte, title="Antrag Eiscafé Venezia"
    ).reference
    vorgang_closed = svc.create_case(
        records, anna, case_file_reference=akte, title="Antrag Imbisswagen"
    ).reference

    letter = svc.create_document(
        records,
        anna,
        orgunit="32",
        case=vorgang,
        **_text("Antrag auf Sondernutzung", "Sehr geehrte Damen und Herren, ...", "antrag.txt"),
    ).document_id
    svc.add_version(
        records,
        anna,
        letter,
        b"Sehr geehrte Damen und Herren, (korrigiert)",
        VersionInput(filename="antrag-2.txt", media_type="text/plain", metadata={"note": "v2"}),
    )
    new_key = svc.rotate_keys(records, SYSTEM).key_id  # older versions keep the old key
    svc.add_version(
        records,
        anna,
        letter,
        b"Sehr geehrte Damen und Herren, (endgueltig)",
        VersionInput(filename="Antrag Endfassung.TXT", media_type="text/plain"),
    )
    svc.update_metadata(
        records, anna, letter, sender="Eiscafé Venezia GmbH", document_date=date(2024, 12, 3)
    )

    scan = _ingest_scan(records)
    svc.file_document(records, anna, scan, case=vorgang)

    lageplan = svc.create_document(
        records,
        anna,
        title="Lageplan Marktplatz",
        orgunit="32",
        case_file=akte,
        content=_png("white"),
        version=VersionInput(filename="lageplan.png", media_type="image/png"),
    ).document_id
    svc.add_version(
        records, anna, lageplan, _png("grey"), VersionInput("lageplan-neu.png", "image/png")
    )
    svc.update_metadata(records, anna, lageplan, confidential=True)

    bescheid = svc.create_document(
        records,
        anna,
        orgunit="32",
        case=vorgang_closed,
        **_text("Ablehnungsbescheid", "Ihr Antrag wird abgelehnt.", "bescheid.txt"),
    ).document_id
    wf.start_workflow(records, anna, "antrag", case=vorgang_closed)
    (task,) = [t for t in wf.tasks_for(records, anna) if t.kind == "step"]
    assert task.id is not None
    wf.take(records, anna, task.id, "ablehnen", comment="Kein Platz auf dem Marktplatz.")

    inbox_document = svc.create_document(
        records,
        SYSTEM,
        orgunit="32",
        **_text("Rechnung 4711", "Rechnung Nr. 4711 über 120,00 EUR", "rechnung.txt"),
    ).document_id

    akte_other = svc.create_case_file(
        records, bauer, plan_code="6.2", title="Bauantrag Lindenstraße 5", orgunit="63"
    ).reference
    other_document = svc.create_document(
        records,
        bauer,
        orgunit="63",
        case_file=akte_other,
        **_text("Bauantrag", "Bauantrag für ein Gartenhaus", "bauantrag.txt"),
    ).document_id
    other_inbox_document = svc.create_document(
        records, SYSTEM, orgunit="10", **_text("Einladung", "Einladung zur Sitzung")
    ).document_id
    return ExportWorld(
        records=records,
        akte=akte,
        vorgang=vorgang,
        vorgang_closed=vorgang_closed,
        letter=letter,
        scan=scan,
        bescheid=bescheid,
        lageplan=lageplan,
        inbox_document=inbox_document,
        akte_other=akte_other,
        other_document=other_document,
        other_inbox_document=other_inbox_document,
        old_key=old_key,
        new_key=new_key,
        documents_32={letter, scan, bescheid, lageplan, inbox_document},
    )


def _ingest_scan(records: Records) -> str:
    """``scan.pdf`` through the real pipeline (OCR, PDF/A), into the Posteingang of 32."""
    inbox = Inbox(records.settings)
    inbox.ensure()
    result = run_job(Pipeline(records), inbox, inbox.submit_copy(FIXTURES / "scan.pdf", "32"))
    assert result is not None and result.outcome.status == "stored", result
    assert result.outcome.document_id is not None
    return str(result.outcome.document_id)


def make_package(
    records: Records,
    tmp_path: Path,
    *,
    principal: Principal = SYSTEM,
    name: str = "package.zip",
    **selection: Any,
) -> Path:
    """Export into ``tmp_path / name``; no selection given: everything (``all=True``).

    ``selection`` takes the fields of :class:`eakte.export.Selection`: akte,
    vorgang, orgunit (sequences of references/codes), date_from, date_to
    (dates) and everything (bool).
    """
    from eakte.export import Selection, export_package

    if not selection:
        selection = {"everything": True}
    out = tmp_path / name
    export_package(records, principal, Selection.of(**selection), out)
    return out


def fix_bag_manifests(files: dict[str, bytes]) -> None:
    """Re-hash the bag manifests and Payload-Oxum after a change (as an attacker would)."""
    payload = sorted(p for p in files if p.startswith("data/"))
    files[layout.MANIFEST] = "".join(
        f"{hashlib.sha256(files[p]).hexdigest()}  {p}\n" for p in payload
    ).encode()
    info = files[layout.BAG_INFO].decode().splitlines()
    oxum = f"Payload-Oxum: {sum(len(files[p]) for p in payload)}.{len(payload)}"
    files[layout.BAG_INFO] = (
        "\n".join(oxum if line.startswith("Payload-Oxum:") else line for line in info).encode()
        + b"\n"
    )
    tags = [layout.BAGIT_TXT, layout.BAG_INFO, layout.MANIFEST]
    files[layout.TAGMANIFEST] = "".join(
        f"{hashlib.sha256(files[p]).hexdigest()}  {p}\n" for p in tags
    ).encode()
