"""``eakte export``: a valid bag holding a valid xdomea message, the records as they are
in the database, their proof and the audit trail up to a signed checkpoint."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import bagit
import pytest
import xmlschema
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import select, update

import eakte.export
from eakte.cli import main
from eakte.exceptions import NotFound, ObjectIntegrityError, PermissionDenied, RecordsError
from eakte.export import Selection, export_package
from eakte.export import _layout as layout
from eakte.models import AuditCheckpoint, AuditEvent, Document, DocumentVersion, SigningKey
from eakte.records import SYSTEM, Records
from eakte.signing import link_hash, verify_signature
from eakte.storage import ObjectKind
from tests.conftest import TEST_PASSPHRASE
from tests.integration.export.conftest import ExportWorld, make_package
from tests.integration.storage.tamper import overwrite_raw

# the official xdomea 3.0.0 schema files as published, bundled unchanged with eakte
# (tests/unit/export/test_bundled_schema.py compares them with the shared copy)
OFFICIAL_XSD = Path(eakte.export.__file__).parent / "xsd" / "xdomea-3.0.0" / "xdomea.xsd"
NS = {"xdomea": "urn:xoev-de:xdomea:schema:3.0.0"}


@functools.cache
def official_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(OFFICIAL_XSD))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Unpacked:
    """An extracted package: its bag folder and package.json."""

    def __init__(self, package: Path, into: Path) -> None:
        with zipfile.ZipFile(package) as archive:
            self.infos = {info.filename: info for info in archive.infolist()}
            archive.extractall(into)
        (self.bag,) = into.iterdir()
        self.index: dict[str, Any] = json.loads(self.read(layout.PACKAGE_JSON))
        self.prozess_id: str = self.index["prozess_id"]

    def read(self, path: str) -> bytes:
        return (self.bag / path).read_bytes()

    @property
    def documents(self) -> set[str]:
        return {d["document_id"] for d in self.index["documents"]}

    def xml_ids(self, kind: str) -> set[str]:
        tree = etree.parse(str(self.bag / layout.message_path(self.prozess_id)))
        path = f"//xdomea:{kind}/xdomea:Identifikation/xdomea:ID"
        return {str(e.text) for e in tree.xpath(path, namespaces=NS)}


def unpack(package: Path, tmp_path: Path, name: str = "unpacked") -> Unpacked:
    return Unpacked(package, tmp_path / name)


def test_the_package_is_a_valid_bag_with_a_schema_valid_message(
    export_world: ExportWorld, tmp_path: Path
) -> None:
    package = make_package(export_world.records, tmp_path)
    assert not package.with_name(package.name + ".part").exists()
    got = unpack(package, tmp_path)
    assert got.bag.name == layout.bag_name(got.prozess_id)
    bagit.Bag(str(got.bag)).validate()  # fixity, Payload-Oxum, tag manifest

    assert got.read(layout.BAGIT_TXT) == b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    info = dict(line.split(": ", 1) for line in got.read(layout.BAG_INFO).decode().splitlines())
    assert info["External-Identifier"] == got.prozess_id
    assert info["Bag-Software-Agent"].startswith("eakte ")
    payload = sorted(
        str(p.relative_to(got.bag)) for p in (got.bag / "data").rglob("*") if p.is_file()
    )
    lines = got.read(layout.MANIFEST).decode().splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == payload  # every file, sorted
    size = sum((got.bag / p).stat().st_size for p in payload)
    assert info["Payload-Oxum"] == f"{size}.{len(payload)}"
    tags = [line.split("  ", 1)[1] for line in got.read(layout.TAGMANIFEST).decode().splitlines()]
    assert tags == [layout.BAG_INFO, layout.BAGIT_TXT, layout.MANIFEST]

    message = got.bag / layout.message_path(got.prozess_id)
    official_schema().validate(str(message))
    assert got.xml_ids("Akte") == {got_id(export_world, "akte"), got_id(export_world, "other")}
    assert got.xml_ids("Dokument") == got.documents
    assert len(got.documents) == 7

    stored = {
        name: info.compress_type for name, info in got.infos.items() if not name.endswith("/")
    }
    for name, compression in stored.items():
        text_like = name.rsplit(".", 1)[-1] in {"xml", "json", "txt", "html"}
        assert compression == (zipfile.ZIP_DEFLATED if text_like else zipfile.ZIP_STORED), name
    report = got.read(layout.REPORT).decode()
    assert "Antrag auf Sondernutzung" in report and "sha256sum -c manifest-sha256.txt" in report
    assert "openssl pkeyutl -verify" in report and export_world.old_key in report


def records_versions(records: Records, documents: set[str]) -> list[DocumentVersion]:
    with records.reading() as session:
        return list(
            session.scalars(
                select(DocumentVersion).where(DocumentVersion.document_id.in_(documents))
            ).all()
        )


def got_id(world: ExportWorld, which: str) -> str:
    from eakte.models import CaseFile

    reference = world.akte if which == "akte" else world.akte_other
    with world.records.reading() as session:
        found = session.scalar(select(CaseFile.id).where(CaseFile.reference == reference))
        assert found is not None
        return found


def test_contents_and_proof_match_the_database(export_world: ExportWorld, tmp_path: Path) -> None:
    records = export_world.records
    seen: list[tuple[int, int]] = []
    result = export_package(
        records,
        SYSTEM,
        Selection.of(orgunit=["32"]),
        tmp_path / "package.zip",
        lambda done, total: seen.append((done, total)),
    )
    got = unpack(result.path, tmp_path)
    assert got.documents == export_world.documents_32
    assert got.index["counts"] == result.counts and result.prozess_id == got.prozess_id
    content = sum(v.size for v in records_versions(records, export_world.documents_32))
    assert seen[-1] == (content, content)  # progress over the originals' bytes
    with records.reading() as session:
        pems = dict(session.execute(select(SigningKey.key_id, SigningKey.public_pem)).all())
        versions = session.scalars(
            select(DocumentVersion).where(
                DocumentVersion.document_id.in_(export_world.documents_32)
            )
        ).all()
    assert set(got.index["keys"]) == {export_world.old_key, export_world.new_key}
    for key_id, path in got.index["keys"].items():
        assert got.read(f"data/{path}").decode() == pems[key_id]

    entries = {
        (d["document_id"], v["number"]): v for d in got.index["documents"] for v in d["versions"]
    }
    assert len(entries) == len(versions) == 8
    pdfa_seen = 0
    for version in versions:
        doc, n = version.document_id, version.number
        entry = entries[(doc, n)]
        original = got.read(f"data/{entry['files']['original']}")
        assert sha256(original) == version.content_sha256 == entry["content_sha256"]
        assert entry["files"]["original"] == layout.primary_name(
            doc, n, "original", version.filename, version.media_type
        )
        manifest = got.read(layout.manifest_path(doc, n))
        assert manifest == records.store.read_bytes(ObjectKind.MANIFEST, version.manifest_sha256)
        assert sha256(manifest) == entry["manifest_sha256"]
        signature = got.read(layout.manifest_sig_path(doc, n))
        assert signature == base64.b64decode(version.signature) and len(signature) == 64
        assert verify_signature(pems[version.key_id], manifest, signature)
        record = got.read(layout.signature_record_path(doc, n))
        assert record == records.store.read_bytes(ObjectKind.SIGNATURE, version.signature_sha256)
        renditions = version.renditions or {}
        if "pdfa" in renditions:
            pdfa_seen += 1
            pdfa = got.read(f"data/{entry['files']['pdfa']}")
            assert sha256(pdfa) == renditions["pdfa"] and pdfa.startswith(b"%PDF")
            assert json.loads(manifest)["renditions"]["pdfa"] == renditions["pdfa"]
        if "text" in renditions:
            assert sha256(got.read(f"data/{entry['text']}")) == renditions["text"]
        else:
            assert entry["text"] is None
    assert pdfa_seen == 1  # the scan went through OCR
    assert {v["key_id"] for v in entries.values()} == {
        export_world.old_key,
        export_world.new_key,
    }


def test_audit_events_chain_up_to_a_signed_checkpoint(
    export_world: ExportWorld, tmp_path: Path
) -> None:
    records = export_world.records
    got = unpack(make_package(records, tmp_path, akte=[export_world.akte]), tmp_path)
    audit = got.index["audit"]
    pems = {k: got.read(f"data/{p}").decode() for k, p in got.index["keys"].items()}
    with records.reading() as session:
        export_event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "export.created", AuditEvent.object_id == got.prozess_id
            )
        )
        assert export_event is not None
        assert json.loads(export_event.details)["selection"]["akte"] == [export_world.akte]
        rotation = session.scalar(select(AuditEvent).where(AuditEvent.action == "key.rotated"))
        assert rotation is not None
        checkpoint = session.scalar(
            select(AuditCheckpoint)
            .where(AuditCheckpoint.seq >= export_event.seq)
            .order_by(AuditCheckpoint.seq)
        )
        assert checkpoint is not None
        object_events = session.scalars(
            select(AuditEvent.seq).where(
                AuditEvent.object_id.in_({export_world.letter, export_world.scan})
            )
        ).all()
        stored = {r.seq: r.hash for r in session.execute(select(AuditEvent.seq, AuditEvent.hash))}
    assert export_event.seq in audit["events"] and rotation.seq in audit["events"]
    assert set(object_events) <= set(audit["events"])
    main, *key_segments = audit["segments"]
    assert main == {"first": min(audit["events"]), "last": checkpoint.seq, "purpose": "records"}
    assert [s["purpose"] for s in key_segments] == ["key"]
    assert key_segments[0]["first"] == rotation.seq

    for segment in audit["segments"]:
        lines = got.read(layout.chain_path(segment["first"], segment["last"])).decode()
        rows = [line.split(" ") for line in lines.splitlines()]  # seq format prev digest hash
        assert [int(r[0]) for r in rows] == list(range(segment["first"], segment["last"] + 1))
        for before, after in zip(rows, rows[1:], strict=False):
            assert after[2] == before[4]  # each line names the hash of the one before
        for row in rows:  # format 2: the hash follows from the line, the stored one
            assert row[1] == "2" and row[4] == link_hash(row[2], row[3])
            assert row[4] == stored[int(row[0])]
        digests = {int(r[0]): r[3] for r in rows}
        for seq in audit["events"]:
            if seq in digests:  # an event file is the content its line's digest names
                assert sha256(got.read(layout.event_path(seq))) == digests[seq]
        record = got.read(layout.checkpoint_path(segment["last"]))
        signed = json.loads(record)
        assert signed["seq"] == segment["last"] and signed["head_hash"] == rows[-1][4]
        envelope = json.loads(got.read(layout.checkpoint_envelope_path(segment["last"])))
        assert envelope["checkpoint"].encode() == record
        signature = got.read(layout.checkpoint_sig_path(segment["last"]))
        assert verify_signature(pems[envelope["key_id"]], record, signature)
    assert checkpoint.key_id == export_world.new_key  # the anchor
    event = json.loads(got.read(layout.event_path(rotation.seq)))
    assert json.loads(event["details"]) == {"retired": export_world.old_key}
    assert event["object_id"] == export_world.new_key
    other_event = json.loads(got.read(layout.event_path(export_event.seq)))
    assert other_event["action"] == "export.created"
    with records.reading() as session:  # the confidential Lageplan: its reading is recorded
        (read,) = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "document.read",
                AuditEvent.object_id == export_world.lageplan,
            )
        ).all()
    assert json.loads(read.details) == {"read": "export", "export": got.prozess_id}
    assert read.seq in audit["events"] and read.seq < export_event.seq


def test_the_selection_takes_exactly_what_it_names(
    export_world: ExportWorld, tmp_path: Path
) -> None:
    w = export_world
    in_akte = {w.letter, w.scan, w.lageplan, w.bescheid}
    cases: dict[str, Any] = {
        "akte": ({"akte": [w.akte]}, in_akte),
        "vorgang": ({"vorgang": [w.vorgang]}, {w.letter, w.scan}),
        "two": (
            {"vorgang": [w.vorgang_closed], "akte": [w.akte_other]},
            {w.bescheid, w.other_document},
        ),
        "orgunit": ({"orgunit": ["32"]}, w.documents_32),
        "all": ({"everything": True}, w.documents_32 | {w.other_document, w.other_inbox_document}),
    }
    for name, (selection, expected) in cases.items():
        got = unpack(
            make_package(w.records, tmp_path, name=f"{name}.zip", **selection), tmp_path, name
        )
        assert got.documents == expected, name
        assert got.xml_ids("Dokument") == expected, name
    got = unpack(tmp_path / "vorgang.zip", tmp_path, "vorgang-again")
    assert len(got.xml_ids("Akte")) == 1 and len(got.xml_ids("Vorgang")) == 1

    with w.records.transaction() as session:  # the scan came in long ago
        session.execute(
            update(Document)
            .where(Document.id == w.scan)
            .values(created_at=datetime(2020, 5, 4, tzinfo=UTC))
        )
    may_2020 = {"date_from": date(2020, 5, 1), "date_to": date(2020, 5, 31)}
    got = unpack(make_package(w.records, tmp_path, name="dated.zip", **may_2020), tmp_path, "d")
    assert got.documents == {w.scan}
    assert got.xml_ids("Vorgang") == {_case_id(w, w.vorgang)}  # only what holds the scan
    got = unpack(
        make_package(
            w.records, tmp_path, name="since.zip", date_from=date(2021, 1, 1), orgunit=["32"]
        ),
        tmp_path,
        "since",
    )
    assert got.documents == w.documents_32 - {w.scan}
    with pytest.raises(RecordsError, match="Nothing to export"):
        make_package(w.records, tmp_path, name="none.zip", akte=[w.akte_other], **may_2020)
    assert not (tmp_path / "none.zip").exists()


def _case_id(world: ExportWorld, reference: str) -> str:
    from eakte.models import Case

    with world.records.reading() as session:
        found = session.scalar(select(Case.id).where(Case.reference == reference))
        assert found is not None
        return found


def test_permission_is_checked_for_every_exported_object(
    export_world: ExportWorld, tmp_path: Path
) -> None:
    w = export_world
    anna = w.who("anna")
    with pytest.raises(PermissionDenied, match="may not read in org unit 63"):
        make_package(w.records, tmp_path, principal=anna, orgunit=["63"])
    with pytest.raises(PermissionDenied, match="Export refused"):
        make_package(w.records, tmp_path, principal=anna, everything=True)
    with pytest.raises(NotFound):
        make_package(w.records, tmp_path, principal=anna, akte=["1.2-9999/2026"])
    assert not list(tmp_path.glob("*.zip*"))
    with w.records.reading() as session:
        exports = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export.created")
        ).all()
    assert exports == []  # a refused export records nothing

    got = unpack(make_package(w.records, tmp_path, principal=anna, orgunit=["32"]), tmp_path)
    assert got.documents == w.documents_32 and got.index["created_by"] == "user:anna"
    pruefer = w.who("pruefer")  # an auditor reads everything
    got = unpack(make_package(w.records, tmp_path, principal=pruefer, name="p.zip"), tmp_path, "p")
    assert len(got.documents) == 7


def test_an_empty_selection_is_an_error(export_records: Records, tmp_path: Path) -> None:
    with pytest.raises(RecordsError, match="Say what to export"):
        export_package(export_records, SYSTEM, Selection(), tmp_path / "x.zip")
    with pytest.raises(RecordsError, match="--from must not be later"):
        export_package(
            export_records,
            SYSTEM,
            Selection(date_from=date(2026, 2, 1), date_to=date(2026, 1, 1)),
            tmp_path / "x.zip",
        )
    assert not (tmp_path / "x.zip").exists()


def test_the_command(export_world: ExportWorld, tmp_path: Path) -> None:
    settings = export_world.records.settings
    env = {
        "EAKTE_DATA_DIR": str(settings.data_dir),
        "EAKTE_DATABASE_URL": settings.resolved_database_url,
        "EAKTE_KEY_PASSPHRASE": TEST_PASSPHRASE,
    }
    out = tmp_path / "pruefung.zip"

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, ["export", *args], env=env, catch_exceptions=False)

    result = run("--akte", export_world.akte, "-o", str(out), "--json", "--as", "pruefer")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["path"] == str(out) and data["counts"]["documents"] == 4
    assert data["counts"]["versions"] == 7 and data["counts"]["files"] == 8
    assert out.is_file() and not out.with_name("pruefung.zip.part").exists()
    assert unpack(out, tmp_path).prozess_id == data["prozess_id"]
    checked = CliRunner().invoke(main, ["verify", str(out)], env=env, catch_exceptions=False)
    assert checked.exit_code == 0, checked.output  # offline verification finds nothing,
    assert "audit-event-unproven" not in checked.output  # and every event reaches a checkpoint

    again = run("--akte", export_world.akte, "-o", str(out))
    assert again.exit_code != 0 and "exists already" in again.output
    replaced = run("--vorgang", export_world.vorgang, "-o", str(out), "--force")
    assert replaced.exit_code == 0 and "ProzessID" in replaced.output, replaced.output
    assert "2 documents" in replaced.output

    empty = run("-o", str(tmp_path / "leer.zip"))
    assert empty.exit_code == RecordsError.exit_code and "Say what to export" in empty.output
    refused = run("--all", "--as", "anna", "-o", str(tmp_path / "alles.zip"))
    assert refused.exit_code == PermissionDenied.exit_code
    assert not (tmp_path / "leer.zip").exists() and not (tmp_path / "alles.zip").exists()
    assert not list(tmp_path.glob("*.part"))


def test_damaged_content_stops_the_export(export_world: ExportWorld, tmp_path: Path) -> None:
    """The store's reader checks every byte: a damaged object never goes into a package."""
    records = export_world.records
    with records.reading() as session:
        sha = session.scalar(
            select(DocumentVersion.content_sha256).where(
                DocumentVersion.document_id == export_world.lageplan
            )
        )
    assert sha is not None
    overwrite_raw(records.store, ObjectKind.CONTENT, sha, b"not the Lageplan")
    with pytest.raises(ObjectIntegrityError, match="damaged or was altered"):
        make_package(records, tmp_path, akte=[export_world.akte])
    assert list(tmp_path.glob("package.zip*")) == []  # neither the package nor its .part
    with records.reading() as session:  # content is copied before the export is recorded
        assert (
            session.scalar(select(AuditEvent).where(AuditEvent.action == "export.created")) is None
        )


def test_the_export_event_seals_message_versions_and_events(
    export_world: ExportWorld, tmp_path: Path
) -> None:
    """export.created records the message's SHA-256, digests of the version and event lists
    and the counts, computed from the package as written."""
    records = export_world.records
    got = unpack(make_package(records, tmp_path, akte=[export_world.akte]), tmp_path)
    with records.reading() as session:
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "export.created", AuditEvent.object_id == got.prozess_id
            )
        )
    assert event is not None
    details = json.loads(event.details)
    message = got.read(layout.message_path(got.prozess_id))
    assert details["message_sha256"] == sha256(message)
    lines = sorted(
        f"{d['document_id']} {v['number']} {v['manifest_sha256']}\n"
        for d in got.index["documents"]
        for v in d["versions"]
    )
    for line in lines:  # the manifests in the bag are the ones listed
        doc, number, manifest = line.split()
        assert sha256(got.read(layout.manifest_path(doc, int(number)))) == manifest
    assert details["versions_sha256"] == sha256("".join(lines).encode())
    events = sorted(set(got.index["audit"]["events"]) - {event.seq})
    assert event.seq in got.index["audit"]["events"]
    assert details["events_sha256"] == sha256("".join(f"{seq}\n" for seq in events).encode())
    sizes = 0
    for d in got.index["documents"]:
        for v in d["versions"]:
            sizes += json.loads(got.read(layout.manifest_path(d["document_id"], v["number"])))[
                "size"
            ]
    assert details["counts"] == {
        "case_files": len(got.xml_ids("Akte")),
        "cases": len(got.xml_ids("Vorgang")),
        "documents": len(got.documents),
        "versions": len(lines),
        "audit_events": len(events),
        "content_bytes": sizes,
    }


def test_an_interrupted_export_leaves_its_event_but_no_package(
    export_world: ExportWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the export event is recorded the bag is completed; failing then leaves the event
    (as the auditor guide says) and no file."""
    from eakte.export import _package

    def fail(*_: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(_package._BagWriter, "_keys", fail)
    with pytest.raises(OSError, match="disk full"):
        make_package(export_world.records, tmp_path, akte=[export_world.akte])
    assert list(tmp_path.glob("package.zip*")) == []
    with export_world.records.reading() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "export.created"))
