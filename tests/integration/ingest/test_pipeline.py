"""The pipeline on real files: every born-digital format, e-mail, duplicates,
routing, the scan note and every bad-input class (real Tika, no mocks)."""

from __future__ import annotations

import shutil

import pytest

from eakte import records as svc
from eakte.ingest import Inbox, Pipeline, run_job
from eakte.records import SYSTEM, Records
from tests.integration.ingest.conftest import FIXTURES

pytestmark = pytest.mark.integration


def ingest(pipeline: Pipeline, name: str, orgunit: str | None = None) -> dict[str, object]:
    inbox = Inbox(pipeline.settings)
    job = inbox.submit_copy(FIXTURES / name, orgunit)
    result = run_job(pipeline, inbox, job)
    assert result is not None
    assert not job.folder.exists()  # the copy is gone, the original stays
    assert (FIXTURES / name).exists()
    return result.outcome.as_dict()


@pytest.mark.parametrize(
    ("name", "words", "media_type"),
    [
        ("letter.docx", ["Sondernutzung", "Weißmüller"], "wordprocessingml"),
        ("table.xlsx", ["Schloßstraße"], "spreadsheetml"),
        ("slides.pptx", ["Verkehrsflächen"], "presentationml"),
        ("letter.odt", ["Weißmüller"], "opendocument.text"),
        ("table.ods", ["Außengastronomie"], "opendocument.spreadsheet"),
        ("page.html", ["Bekanntmachung"], "text/html"),
        ("note.txt", ["Größer"], "text/plain"),
        ("sample.pdf", ["Schloßstraße"], "application/pdf"),
    ],
)
def test_born_digital_formats_are_stored_with_their_text(
    pipeline: Pipeline, installation: Records, name: str, words: list[str], media_type: str
) -> None:
    outcome = ingest(pipeline, name)
    assert outcome["status"] == "stored", outcome
    report = svc.document_report(installation, SYSTEM, str(outcome["document_id"]))
    for word in words:
        assert word.lower() in report["text"].lower(), (word, report["text"][:300])
    version = report["versions"][0]
    assert media_type in version["media_type"]
    assert version["signature_valid"] is True
    assert "text" in version["renditions"]
    assert report["orgunit"] == "10"  # the default Posteingang


def test_mail_and_attachments_become_linked_documents(
    pipeline: Pipeline, installation: Records
) -> None:
    outcome = ingest(pipeline, "mail.eml")
    assert outcome["status"] == "stored"
    attachments = outcome["attachments"]
    assert isinstance(attachments, list) and len(attachments) == 2
    names = set()
    for child in attachments:
        assert child["status"] == "stored", child
        report = svc.document_report(installation, SYSTEM, child["document_id"])
        assert report["parent_id"] == outcome["document_id"]
        names.add(report["versions"][0]["filename"])
    assert any("Weißmüller" in name for name in names)  # RFC 2047 name decoded
    mail = svc.document_report(installation, SYSTEM, str(outcome["document_id"]))
    assert mail["versions"][0]["media_type"] == "message/rfc822"


def test_the_same_bytes_twice_are_a_duplicate(pipeline: Pipeline) -> None:
    first = ingest(pipeline, "note.txt")
    second = ingest(pipeline, "note.txt")
    assert second == {
        "path": "note.txt",
        "status": "duplicate",
        "document_id": first["document_id"],
    }


@pytest.mark.parametrize("written", ["1.2.5 - 0815 / 2024", "1.2.5-O815/2O24"])
def test_a_known_reference_files_the_document_into_its_case_file(
    pipeline: Pipeline, installation: Records, written: str
) -> None:
    svc.create_plan_item(installation, SYSTEM, code="1.2.5", title="Sondernutzung Straßen")
    svc.create_case_file(
        installation,
        SYSTEM,
        plan_code="1.2.5",
        title="Gerüst Schloßstraße",
        orgunit="32",
        year=2024,
        reference="1.2.5-0815/2024",
    )
    source = FIXTURES / "note.txt"
    letter = pipeline.settings.tmp_dir / "brief.txt"
    letter.parent.mkdir(parents=True, exist_ok=True)
    letter.write_text(source.read_text(encoding="utf-8") + f"\nAz.: {written}\n", encoding="utf-8")
    inbox = Inbox(pipeline.settings)
    result = run_job(pipeline, inbox, inbox.submit_copy(letter, None))
    assert result is not None
    outcome = result.outcome
    assert outcome.status == "stored" and outcome.routing
    assert "1.2.5-0815/2024" in outcome.routing
    report = svc.document_report(installation, SYSTEM, str(outcome.document_id))
    assert report["case_file"] == "1.2.5-0815/2024" and report["orgunit"] == "32"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("zero.bin", "empty-file"),
        ("not-allowed.exe", "type-not-allowed"),
        ("encrypted.pdf", "encrypted-pdf"),
        ("truncated.pdf", "truncated"),
        ("truncated.png", "truncated"),
        ("damaged-data.png", "corrupt-image"),
        ("corrupt.pdf", None),
        ("bomb.png", "image-too-large"),
        ("zipbomb.docx", "zip-bomb"),
        ("zipslip.docx", None),
        ("encrypted.docx", "encrypted-office"),
    ],
)
def test_bad_input_goes_to_the_failed_area_with_a_reason(
    pipeline: Pipeline, name: str, code: str | None
) -> None:
    """Through the inbox: the file is kept in .failed/ with a German and English reason."""
    settings = pipeline.settings
    inbox = Inbox(settings)
    (settings.inbox_dir / "32").mkdir(parents=True, exist_ok=True)
    dropped = settings.inbox_dir / "32" / f"Scan {name}"
    shutil.copy(FIXTURES / name, dropped)
    job = inbox.claim(dropped)
    assert job is not None and not dropped.exists()
    result = run_job(pipeline, inbox, job)
    assert result is not None and result.outcome.status == "failed"
    if code:
        assert result.outcome.code == code
    kept = settings.resolved_failed_dir / "32" / f"Scan {name}"
    assert kept.read_bytes() == (FIXTURES / name).read_bytes()
    report = kept.with_name(kept.name + ".error.txt").read_text(encoding="utf-8")
    assert "Grund" in report and "Reason" in report
    assert "payload" not in report  # the job's own name for the file is not the user's
    assert [f.path for f in inbox.failed_files()] == [kept]


def drop_with_note(pipeline: Pipeline, name: str, note: str) -> tuple[Inbox, object]:
    settings = pipeline.settings
    inbox = Inbox(settings)
    folder = settings.inbox_dir / "33"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / name, folder / name)
    (folder / f"{name}.json").write_text(note, encoding="utf-8")
    assert inbox.is_complete(folder / name)  # the sidecar marks it complete at once
    job = inbox.claim(folder / name)
    assert job is not None and job.sidecar is not None
    result = run_job(pipeline, inbox, job)
    assert result is not None
    return inbox, result.outcome


NOTE = (
    '{"operator": "M. Schneider", "device": "Scanner Poststelle", "batch_id": "B-17", '
    '"scanned_at": "2024-12-03T10:42:00", "expected_pages": %d, "protection_class": "hoch"}'
)


def test_scan_note_is_validated_and_signed(pipeline: Pipeline, installation: Records) -> None:
    _, outcome = drop_with_note(pipeline, "sample.pdf", NOTE % 2)
    assert outcome.status == "stored", outcome
    report = svc.document_report(installation, SYSTEM, str(outcome.document_id))
    note = report["versions"][0]["scan_note"]
    assert note["operator"] == "M. Schneider" and note["protection_class"] == "high"
    assert note["scanned_at"].startswith("2024-12-03T10:42:00+01:00")  # Berlin time
    assert report["orgunit"] == "33"
    assert svc.verify_store(installation).ok


def test_page_count_mismatch_sends_the_scan_to_the_failed_area(pipeline: Pipeline) -> None:
    inbox, outcome = drop_with_note(pipeline, "sample.pdf", NOTE % 3)
    assert outcome.status == "failed" and outcome.code == "page-count-mismatch"
    failed = pipeline.settings.resolved_failed_dir / "33"
    assert (failed / "sample.pdf").exists() and (failed / "sample.pdf.json").exists()
    assert "Vollzähligkeit" in (failed / "sample.pdf.error.txt").read_text(encoding="utf-8")


def test_invalid_scan_note_is_refused(pipeline: Pipeline) -> None:
    note = (FIXTURES / "scan-bad-note.json").read_text(encoding="utf-8")
    _, outcome = drop_with_note(pipeline, "sample.pdf", note)
    assert outcome.status == "failed" and outcome.code == "scan-note-invalid"
