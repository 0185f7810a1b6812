"""``eakte verify`` detects each kind of tampering, on both databases and both stores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, update

from eakte import records as svc
from eakte.cli import main
from eakte.config import Settings
from eakte.exceptions import DatabaseError
from eakte.models import (
    AuditCheckpoint,
    AuditEvent,
    AuditHead,
    Document,
    DocumentVersion,
    OrgUnit,
    SigningKey,
)
from eakte.records import SYSTEM, Records, VersionInput
from eakte.records._demo import load_demo
from eakte.storage import ObjectKind
from tests.conftest import TEST_PASSPHRASE
from tests.integration.records.attacker import drop_guards
from tests.integration.storage.tamper import overwrite_raw


@pytest.fixture(params=["fs", pytest.param("s3", marks=pytest.mark.integration)])
def filled(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> Iterator[tuple[Records, list[DocumentVersion]]]:
    """Demo data plus two documents with two versions each, on the fs or the s3 store."""
    store = None
    if request.param == "s3":
        store = request.getfixturevalue("s3_server").store(tmp_path / "s3-tmp")
    settings.ensure_data_dir()
    records = Records(settings, store=store)
    svc.init_keys(records, SYSTEM)
    load_demo(records)
    versions = []
    for n in range(2):
        first = svc.create_document(
            records,
            SYSTEM,
            title=f"Brief {n}",
            orgunit="32",
            content=f"Brief {n}".encode(),
            version=VersionInput(filename=f"brief{n}.txt", media_type="text/plain"),
        )
        second = svc.add_version(
            records,
            SYSTEM,
            first.document_id,
            f"Brief {n}, korrigiert".encode(),
            VersionInput(filename=f"brief{n}.txt", media_type="text/plain"),
        )
        versions += [first, second]
    drop_guards(records)  # the tests below play a database administrator
    yield records, versions
    records.close()


def one_letter(records: Records) -> DocumentVersion:
    """Demo data and one stored letter."""
    load_demo(records)
    return svc.create_document(
        records,
        SYSTEM,
        title="Brief",
        orgunit="32",
        content=b"Brief",
        version=VersionInput(filename="brief.txt"),
    )


def codes(records: Records) -> set[str]:
    report = svc.verify_store(records)
    return {f.code for f in report.findings if f.severity == "error"}


def test_an_untouched_store_verifies(filled: tuple[Records, list[DocumentVersion]]) -> None:
    records, _ = filled
    report = svc.verify_store(records)
    assert report.ok, report.findings
    assert report.counts["versions"] == 4
    with records.reading() as session:
        assert session.scalars(select(AuditCheckpoint)).all()  # checkpoints were signed


def test_edited_version_row(filled: tuple[Records, list[DocumentVersion]]) -> None:
    records, versions = filled
    with records.transaction() as session:
        session.execute(
            update(DocumentVersion)
            .where(DocumentVersion.id == versions[1].id)
            .values(filename="gefaelscht.txt")
        )
    assert codes(records) == {"version-row-altered"}


def test_swapped_content_hash_in_row(filled: tuple[Records, list[DocumentVersion]]) -> None:
    records, versions = filled
    with records.transaction() as session:
        session.execute(
            update(DocumentVersion)
            .where(DocumentVersion.id == versions[1].id)
            .values(content_sha256=versions[3].content_sha256)
        )
    assert codes(records) == {"version-row-altered"}


def test_altered_stored_bytes(filled: tuple[Records, list[DocumentVersion]]) -> None:
    records, versions = filled
    overwrite_raw(records.store, ObjectKind.CONTENT, versions[0].content_sha256, b"Brief 9")
    report = svc.verify_store(records)
    assert {f.code for f in report.findings if f.severity == "error"} == {"content-altered"}
    assert any(versions[0].document_id in f.subject for f in report.findings)


def test_altered_manifest(filled: tuple[Records, list[DocumentVersion]]) -> None:
    records, versions = filled
    original = records.store.read_bytes(ObjectKind.MANIFEST, versions[2].manifest_sha256)
    overwrite_raw(
        records.store,
        ObjectKind.MANIFEST,
        versions[2].manifest_sha256,
        original.replace(b"brief1.txt", b"brief7.txt"),
    )
    assert codes(records) == {"manifest-altered"}


def test_forged_signature_in_row(filled: tuple[Records, list[DocumentVersion]]) -> None:
    records, versions = filled
    forged = versions[0].signature  # a valid signature, but over another manifest
    with records.transaction() as session:
        session.execute(
            update(DocumentVersion)
            .where(DocumentVersion.id == versions[1].id)
            .values(signature=forged)
        )
    assert codes(records) == {"signature-invalid", "signature-object-mismatch"}


def test_deleted_version(filled: tuple[Records, list[DocumentVersion]]) -> None:
    records, versions = filled
    with records.transaction() as session:
        session.execute(delete(DocumentVersion).where(DocumentVersion.id == versions[3].id))
    assert codes(records) == {"version-missing", "version-deleted"}


def test_edited_audit_event(filled: tuple[Records, list[DocumentVersion]]) -> None:
    records, _ = filled
    with records.transaction() as session:
        session.execute(
            update(AuditEvent).where(AuditEvent.seq == 3).values(actor="user:someone-else")
        )
    assert codes(records) == {"audit-event-altered"}


def test_audit_event_claiming_the_old_hash_format(
    filled: tuple[Records, list[DocumentVersion]],
) -> None:
    records, _ = filled
    with records.transaction() as session:
        session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(hash_format=1))
    assert codes(records) == {"audit-event-altered"}


def test_deleted_audit_event_in_the_middle(filled: tuple[Records, list[DocumentVersion]]) -> None:
    records, _ = filled
    with records.transaction() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq == 7))
    assert codes(records) == {"audit-sequence-gap", "audit-chain-broken", "audit-events-missing"}


def test_deleted_last_audit_event(filled: tuple[Records, list[DocumentVersion]]) -> None:
    records, _ = filled
    with records.transaction() as session:
        last = session.scalar(select(AuditHead.seq))
        session.execute(delete(AuditEvent).where(AuditEvent.seq == last))
    assert "audit-head-mismatch" in codes(records)


def test_rewritten_audit_tail_is_caught_by_stored_checkpoints(
    filled: tuple[Records, list[DocumentVersion]],
) -> None:
    """Deleting events, checkpoint rows and fixing the head leaves the stored checkpoints."""
    records, _ = filled
    with records.transaction() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq > 3))
        session.execute(delete(AuditCheckpoint))
        event = session.get(AuditEvent, 3)
        assert event is not None
        session.execute(update(AuditHead).values(seq=3, hash=event.hash))
    found = codes(records)
    assert "audit-events-missing" in found
    assert "audit-head-mismatch" not in found


def test_stray_object_is_a_warning_only(filled: tuple[Records, list[DocumentVersion]]) -> None:
    records, _ = filled
    records.store.put(ObjectKind.CONTENT, b"left behind by a failed commit")
    report = svc.verify_store(records)
    assert report.ok
    assert [f.code for f in report.findings] == ["stray-object"]


def test_altered_signature_record_object(filled: tuple[Records, list[DocumentVersion]]) -> None:
    records, versions = filled
    other = records.store.read_bytes(ObjectKind.SIGNATURE, versions[0].signature_sha256)
    overwrite_raw(records.store, ObjectKind.SIGNATURE, versions[1].signature_sha256, other)
    assert codes(records) == {"signature-object-altered"}


def test_broken_public_key_is_a_finding_not_a_crash(
    filled: tuple[Records, list[DocumentVersion]],
) -> None:
    records, versions = filled
    with records.transaction() as session:
        session.execute(
            update(SigningKey)
            .where(SigningKey.key_id == versions[0].key_id)
            .values(public_pem="-----BEGIN PUBLIC KEY-----\nbroken\n-----END PUBLIC KEY-----\n")
        )
    assert "signing-key-untrusted" in codes(records)


def test_cli_verify_names_findings_and_exits_non_zero(records: Records) -> None:
    version = one_letter(records)
    overwrite_raw(records.store, ObjectKind.CONTENT, version.content_sha256, b"kaputt")
    env = {
        "EAKTE_DATA_DIR": str(records.settings.data_dir),
        "EAKTE_DATABASE_URL": records.settings.resolved_database_url,
        "EAKTE_KEY_PASSPHRASE": TEST_PASSPHRASE,
    }
    result = CliRunner().invoke(main, ["verify"], env=env)
    assert result.exit_code == 10
    assert "[content-altered]" in result.output and version.document_id in result.output
    as_json = CliRunner().invoke(main, ["verify", "--json"], env=env)
    assert json.loads(as_json.output)["ok"] is False


def test_the_database_refuses_changes_to_the_record(records: Records) -> None:
    version = one_letter(records)
    attempts = [
        update(DocumentVersion).where(DocumentVersion.id == version.id).values(size=1),
        update(AuditEvent).where(AuditEvent.seq == 1).values(actor="x"),
        delete(AuditEvent).where(AuditEvent.seq == 1),
        delete(AuditCheckpoint),
        delete(DocumentVersion).where(DocumentVersion.id == version.id),
        delete(Document).where(Document.id == version.document_id),
    ]
    for statement in attempts:
        with pytest.raises(DatabaseError, match="append-only"), records.transaction() as session:
            session.execute(statement)
    assert svc.verify_store(records).ok


def test_moved_document_row(filled: tuple[Records, list[DocumentVersion]]) -> None:
    """Who may read a document follows its org unit: a silent move must be caught."""
    records, versions = filled
    with records.transaction() as session:
        other = session.scalars(select(OrgUnit.id).where(OrgUnit.code == "70")).one()
        session.execute(
            update(Document).where(Document.id == versions[0].document_id).values(orgunit_id=other)
        )
    assert codes(records) == {"document-row-altered"}


def test_deleted_newest_version_with_rewritten_audit_tail(
    filled: tuple[Records, list[DocumentVersion]],
) -> None:
    """Delete the last version, fix the counters, cut the audit log back: still caught."""
    records, versions = filled
    last = versions[3]
    with records.transaction() as session:
        added = session.scalars(
            select(AuditEvent.seq).where(AuditEvent.details.contains(last.manifest_sha256))
        ).one()
        session.execute(delete(DocumentVersion).where(DocumentVersion.id == last.id))
        session.execute(
            update(Document).where(Document.id == last.document_id).values(version_count=1)
        )
        session.execute(delete(AuditEvent).where(AuditEvent.seq >= added))
        session.execute(delete(AuditCheckpoint).where(AuditCheckpoint.seq >= added))
        previous = session.get(AuditEvent, added - 1)
        assert previous is not None
        session.execute(update(AuditHead).values(seq=previous.seq, hash=previous.hash))
    found = codes(records)
    assert "version-deleted" in found  # the signed manifest is still in the store
    assert "audit-events-missing" in found  # so is the signed checkpoint


def test_forged_version_signed_with_a_rogue_key(
    filled: tuple[Records, list[DocumentVersion]], tmp_path: Path
) -> None:
    """A key the database names but the key folder does not know proves nothing."""
    import base64

    from eakte.signing import KeyRing, build_manifest, sign_manifest

    records, versions = filled
    rogue = KeyRing(tmp_path / "rogue-keys", b"attacker")
    info = rogue.init()
    target = versions[1]
    forged = records.store.put(ObjectKind.CONTENT, b"genehmigt")
    with records.reading() as session:
        row = session.get(DocumentVersion, target.id)
        assert row is not None
    manifest = build_manifest(
        document_id=row.document_id,
        version=row.number,
        content_sha256=forged.sha256,
        size=forged.size,
        media_type=row.media_type,
        filename=row.filename,
        created_at=row.created_at,
        created_by=row.created_by,
        source=row.source,
        scan_note=row.scan_note,
        case_reference=row.case_reference,
        metadata=row.doc_metadata,
        previous_manifest_sha256=row.previous_manifest_sha256,
    )
    signed = sign_manifest(rogue, manifest)
    records.store.put(ObjectKind.MANIFEST, signed.manifest_bytes)
    sig = records.store.put(ObjectKind.SIGNATURE, signed.signature_record())
    with records.transaction() as session:
        session.add(
            SigningKey(
                key_id=info.key_id,
                public_pem=info.public_pem,
                created_at=info.created_at,
                retired_at=None,
            )
        )
        session.flush()
        session.execute(
            update(DocumentVersion)
            .where(DocumentVersion.id == target.id)
            .values(
                content_sha256=forged.sha256,
                size=forged.size,
                key_id=info.key_id,
                manifest_sha256=signed.manifest_sha256,
                signature=base64.b64encode(signed.signature).decode(),
                signature_sha256=sig.sha256,
            )
        )
    found = codes(records)
    assert {"signing-key-untrusted", "signature-unknown-key"} <= found


def test_rolled_back_change_leaves_no_signed_checkpoint(records: Records) -> None:
    """Checkpoints are signed after commit, so a rollback cannot contradict them."""
    load_demo(records)

    def fail(session: object, row: object) -> None:
        raise RuntimeError("commit fails")

    with pytest.raises(RuntimeError):
        svc.create_document(
            records,
            SYSTEM,
            title="x",
            orgunit="32",
            content=b"x",
            version=VersionInput("x"),
            on_created=fail,
        )
    svc.create_document(
        records, SYSTEM, title="y", orgunit="32", content=b"y", version=VersionInput("y")
    )
    report = svc.verify_store(records)
    assert report.ok, report.findings
    assert {f.code for f in report.findings} == {"stray-object"}
