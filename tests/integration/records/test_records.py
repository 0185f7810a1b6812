"""Records services on SQLite and PostgreSQL: org units, users, file plan,
case files with references, cases, documents with signed versions, permissions."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eakte import records as svc
from eakte.exceptions import (
    AlreadyExists,
    AuthenticationFailed,
    InvalidReference,
    NotFound,
    PermissionDenied,
    RecordsError,
)
from eakte.models import AuditEvent, DocumentVersion, User
from eakte.records import SYSTEM, Principal, Records, VersionInput
from eakte.records._demo import DemoResult, load_demo
from eakte.signing import parse_manifest, verify_signature
from eakte.storage import ObjectKind

YEAR = datetime.now(UTC).year


def make_user(records: Records, name: str, *roles: str) -> Principal:
    svc.create_user(
        records, SYSTEM, username=name, display_name=name.title(), password="secret password"
    )
    for spec in roles:
        unit, role = spec.split(":")
        svc.grant_role(records, SYSTEM, username=name, orgunit=unit, role=role)
    return svc.authenticate(records, name, "secret password")


def test_demo_loads_once(records: Records, demo: DemoResult) -> None:
    assert demo.loaded and demo.admin_password
    assert {u.code for u in svc.list_orgunits(records)} >= {"10", "32", "33", "63", "70"}
    plan = svc.list_plan_items(records)
    assert len([i for i in plan if "." not in i.code]) == 10
    assert any(i.retention_years is None for i in plan)
    assert load_demo(records).loaded is False
    assert svc.authenticate(records, "admin", demo.admin_password).name == "admin"


def test_passwords_are_argon2_and_login_is_generic(records: Records, demo: DemoResult) -> None:
    make_user(records, "erika", "32:sachbearbeitung")
    with records.reading() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "erika"))
    assert stored and stored.startswith("$argon2id$")
    with pytest.raises(AuthenticationFailed) as wrong_password:
        svc.authenticate(records, "erika", "not the password")
    with pytest.raises(AuthenticationFailed) as unknown_user:
        svc.authenticate(records, "nobody", "not the password")
    assert str(wrong_password.value) == str(unknown_user.value)


def test_reference_allocation_follows_the_pattern(records: Records, demo: DemoResult) -> None:
    first = svc.create_case_file(
        records, SYSTEM, plan_code="1.2", title="Sondernutzung Marktplatz", orgunit="32"
    )
    second = svc.create_case_file(
        records, SYSTEM, plan_code="1.2", title="Sondernutzung Altstadt", orgunit="32"
    )
    other = svc.create_case_file(
        records, SYSTEM, plan_code="6.2", title="Bauantrag Lindenweg 3", orgunit="63"
    )
    assert first.reference == f"1.2-0001/{YEAR}"
    assert second.reference == f"1.2-0002/{YEAR}"
    assert other.reference == f"6.2-0001/{YEAR}"
    case = svc.create_case(
        records, SYSTEM, case_file_reference=first.reference, title="Antrag Wochenmarkt"
    )
    assert case.reference == f"{first.reference}-1"


def test_explicit_references_are_checked_and_unique(records: Records, demo: DemoResult) -> None:
    with pytest.raises(InvalidReference, match="does not match the pattern"):
        svc.create_case_file(
            records, SYSTEM, plan_code="1.2", title="x", orgunit="32", reference="Akte 17"
        )
    with pytest.raises(RecordsError, match="names file plan item 6.2"):
        svc.create_case_file(
            records, SYSTEM, plan_code="1.2", title="x", orgunit="32", reference="6.2-0001/2020"
        )
    imported = svc.create_case_file(
        records,
        SYSTEM,
        plan_code="1.2",
        title="Altakte",
        orgunit="32",
        year=2020,
        reference="1.2-0815/2020",
    )
    assert imported.reference == "1.2-0815/2020"
    with pytest.raises(AlreadyExists):
        svc.create_case_file(
            records, SYSTEM, plan_code="1.2", title="x", orgunit="32", reference="1.2-0815/2020"
        )
    # the counter moved past the imported number: no later clash
    nxt = svc.create_case_file(records, SYSTEM, plan_code="1.2", title="y", orgunit="32", year=2020)
    assert nxt.reference == "1.2-0816/2020"


def test_unknown_things_give_clear_errors(records: Records, demo: DemoResult) -> None:
    with pytest.raises(NotFound, match="Unknown org unit '99'"):
        svc.create_case_file(records, SYSTEM, plan_code="1.2", title="x", orgunit="99")
    with pytest.raises(NotFound, match="Unknown file plan item"):
        svc.create_case_file(records, SYSTEM, plan_code="4.4", title="x", orgunit="32")
    with pytest.raises(InvalidReference):
        svc.create_plan_item(records, SYSTEM, code="1..2", title="kaputt")
    with pytest.raises(RecordsError, match="Unknown role"):
        svc.grant_role(records, SYSTEM, username="admin", orgunit="32", role="king")
    for bad in ("a/b", "a\\b", "a b", "", "x" * 65):
        with pytest.raises(RecordsError, match="user name needs"):
            svc.create_user(
                records, SYSTEM, username=bad, display_name="", password="0123456789ab"
            )


def test_document_versions_are_stored_signed_and_chained(
    records: Records, demo: DemoResult
) -> None:
    first = svc.create_document(
        records,
        SYSTEM,
        title="Antrag auf Sondernutzung",
        orgunit="32",
        content=b"Sehr geehrte Damen und Herren, ...",
        version=VersionInput(
            filename="../../Weißmüller Antrag.pdf",
            media_type="application/pdf",
            metadata={"absender": "Weißmüller GmbH"},
            source="scan",
            scan_note={"operator": "scan01", "pages": 2},
        ),
    )
    second = svc.add_version(
        records,
        SYSTEM,
        first.document_id,
        io.BytesIO(b"corrected scan"),
        VersionInput(filename="Antrag-v2.pdf", media_type="application/pdf"),
    )
    assert (first.number, second.number) == (1, 2)
    assert first.filename == "Weißmüller Antrag.pdf"  # no path parts survive
    assert second.previous_manifest_sha256 == first.manifest_sha256
    manifest_bytes = records.store.read_bytes(ObjectKind.MANIFEST, second.manifest_sha256)
    manifest = parse_manifest(manifest_bytes)
    assert manifest["previous_manifest_sha256"] == first.manifest_sha256
    assert manifest["document_id"] == first.document_id and manifest["version"] == 2
    pem = records.keyring().public_pem(second.key_id)
    assert verify_signature(pem, manifest_bytes, base64.b64decode(second.signature))
    signature_record = json.loads(
        records.store.read_bytes(ObjectKind.SIGNATURE, second.signature_sha256)
    )
    assert signature_record["manifest_sha256"] == second.manifest_sha256
    with svc.open_content(records, SYSTEM, first.document_id, 2) as reader:
        assert reader.read() == b"corrected scan"
    versions = svc.list_versions(records, SYSTEM, first.document_id)
    assert [v.number for v in versions] == [1, 2]
    with records.reading() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == first.document_id)
        ).all()
    assert actions == ["document.created", "document.version_added", "document.version_added"]


def test_documents_filed_in_case_files(records: Records, demo: DemoResult) -> None:
    case_file = svc.create_case_file(
        records, SYSTEM, plan_code="7.1", title="Sperrmüll 2024", orgunit="70"
    )
    case = svc.create_case(
        records, SYSTEM, case_file_reference=case_file.reference, title="Beschwerde"
    )
    version = svc.create_document(
        records,
        SYSTEM,
        title="Beschwerde Abfuhr",
        orgunit="70",
        content=b"...",
        version=VersionInput(filename="b.txt"),
        case=case.reference,
    )
    assert version.case_reference == case.reference
    document = svc.get_document(records, SYSTEM, version.document_id)
    assert document.case_file_id == case_file.id and document.case_id == case.id


def test_permissions_are_checked_in_the_service_layer(records: Records, demo: DemoResult) -> None:
    clerk32 = make_user(records, "clerk32", "32:sachbearbeitung")
    clerk70 = make_user(records, "clerk70", "70:sachbearbeitung")
    auditor = make_user(records, "pruefer", "VW:auditor")
    scanner = make_user(records, "scan1", "10:scan")
    doc = svc.create_document(
        records,
        clerk32,
        title="Intern 32",
        orgunit="32",
        content=b"geheim",
        version=VersionInput(filename="a.txt"),
    )
    assert svc.get_document(records, clerk32, doc.document_id).title == "Intern 32"
    assert svc.get_document(records, auditor, doc.document_id).title == "Intern 32"
    for forbidden in (
        lambda: svc.get_document(records, clerk70, doc.document_id),
        lambda: svc.list_versions(records, clerk70, doc.document_id),
        lambda: svc.add_version(
            records, clerk70, doc.document_id, b"x", VersionInput(filename="x")
        ),
        lambda: svc.add_version(
            records, auditor, doc.document_id, b"x", VersionInput(filename="x")
        ),
        lambda: svc.create_document(
            records,
            clerk70,
            title="t",
            orgunit="32",
            content=b"x",
            version=VersionInput(filename="x"),
        ),
        lambda: svc.get_document(records, scanner, doc.document_id),
        lambda: svc.create_orgunit(records, clerk32, code="99", name="Neu"),
        lambda: svc.create_user(
            records, clerk32, username="evil", display_name="", password="0123456789"
        ),
        lambda: svc.create_plan_item(records, clerk32, code="1.9", title="x"),
    ):
        with pytest.raises(PermissionDenied):
            forbidden()
    with pytest.raises(PermissionDenied), svc.open_content(records, clerk70, doc.document_id, 1):
        pass
    # a scan station may deposit into the Posteingang but not read it back
    deposited = svc.create_document(
        records,
        scanner,
        title="Scan",
        orgunit="10",
        content=b"scan",
        version=VersionInput(filename="scan.pdf", source="scan"),
    )
    assert deposited.number == 1
    with pytest.raises(PermissionDenied):
        svc.get_document(records, scanner, deposited.document_id)
    assert [cf.reference for cf in svc.list_case_files(records, clerk70)] == []


def test_identical_content_is_stored_once_but_recorded_twice(
    records: Records, demo: DemoResult
) -> None:
    one = svc.create_document(
        records, SYSTEM, title="t", orgunit="10", content=b"one", version=VersionInput("a")
    )
    two = svc.create_document(
        records, SYSTEM, title="t2", orgunit="10", content=b"one", version=VersionInput("b")
    )
    assert one.content_sha256 == two.content_sha256
    assert one.document_id != two.document_id
    assert list(records.store.iter_objects(ObjectKind.CONTENT)) == [one.content_sha256]


def test_failed_commit_leaves_no_record_pointing_to_missing_objects(
    records: Records, demo: DemoResult
) -> None:
    """Storage succeeded, the database transaction failed: only stray objects remain."""

    def commit_fails(session: object, row: object) -> None:  # after every write, before commit
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        svc.create_document(
            records,
            SYSTEM,
            title="t",
            orgunit="32",
            content=b"orphan",
            version=VersionInput("o"),
            on_created=commit_fails,
        )
    with records.reading() as session:
        assert session.scalars(select(DocumentVersion)).all() == []
    report = svc.verify_store(records)
    assert report.ok
    assert {f.code for f in report.findings} == {"stray-object"}
    assert {f.subject.split()[0] for f in report.findings} == {"content", "manifest", "signature"}


def test_case_file_references_do_not_leak(records: Records, demo: DemoResult) -> None:
    """An outsider cannot tell an existing reference from a missing one."""
    clerk70 = make_user(records, "clerk70b", "70:sachbearbeitung")
    existing = svc.create_case_file(
        records, SYSTEM, plan_code="1.2", title="Markt", orgunit="32"
    ).reference
    missing = existing.replace("0001", "0999")
    messages = []
    for reference in (existing, missing):
        with pytest.raises(NotFound) as info:
            svc.get_case_file(records, clerk70, reference)
        messages.append(str(info.value).replace(reference, "REF"))
        with pytest.raises(NotFound):
            svc.create_case(records, clerk70, case_file_reference=reference, title="x")
        with pytest.raises(NotFound):
            svc.create_document(
                records,
                clerk70,
                title="t",
                orgunit="70",
                content=b"x",
                version=VersionInput("x"),
                case_file=reference,
            )
    assert messages[0] == messages[1]
    assert "32" not in messages[0]
