"""``eakte import``: the shared xdomea example and eakte's own packages (round trip).

Round trip: the export fixture's installation is exported whole, imported into
a brand-new installation and exported again; both packages must describe the
same records with the same hashes and byte-identical signed manifests.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import tracemalloc
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from eakte.cli import main
from eakte.config import load_settings
from eakte.exceptions import PermissionDenied
from eakte.export._import import AnchorUntrusted, ImportReport, PackageRefused, import_package
from eakte.export._import_package import EVENT_FIELDS
from eakte.export._import_source import ArchiveRefused, PackageError
from eakte.export._model import CaseFileRecord, CaseRecord, DocumentRecord, HistoryEntry
from eakte.export._xdomea_read import XdomeaError, read_message
from eakte.models import AuditEvent, CaseFile, Document
from eakte.records import (
    SYSTEM,
    Records,
    casefile_view,
    create_case_file,
    create_user,
    document_report,
    grant_role,
    init_keys,
    load_principal,
    verify_store,
)
from eakte.records._demo import DemoResult, load_demo
from eakte.records._imported import ImportConflict
from eakte.signing import event_hash
from eakte.storage import ObjectKind
from tests.conftest import TEST_PASSPHRASE
from tests.integration.export.conftest import PASSWORD, ExportWorld, make_package

EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "xdomea"  # lavnrw's example
MESSAGE = "9fde4e7a-b41b-11ec-9225-005056871b7c_Aussonderung.Aussonderung.0503.xml"
PRIMARY = "f4bcaaf7-d7cb-11ef-a278-005056871b7c.txt"
VORGANG_ID = "67e456ea-b420-11ec-b503-005056871b7c"
DOCUMENT_ID = "7bf9473a-b4a7-11ec-a407-005056871b7c"


def container(
    folder: Path, *, xml: bytes | None = None, primary: bytes | None = None, name: str = PRIMARY
) -> Path:
    """The shared example zipped as the README says (message and file at the top level)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / MESSAGE.replace(".xml", ".zip")
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(MESSAGE, xml if xml is not None else (EXAMPLE / MESSAGE).read_bytes())
        archive.writestr(name, primary if primary is not None else (EXAMPLE / PRIMARY).read_bytes())
    return out


def last_seq(records: Records) -> int:
    with records.reading() as session:
        return session.query(AuditEvent).count()


def stray_objects(records: Records) -> list[str]:
    """What ``eakte verify`` (of the store) reports as objects no record points to."""
    return [f.subject for f in verify_store(records).findings if f.code == "stray-object"]


def statuses(report: ImportReport) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for outcome in report.outcomes:
        found.setdefault(outcome.kind, set()).add(outcome.status)
    return found


# -- a foreign xdomea message -----------------------------------------------------------


def test_example_message_becomes_akte_vorgang_and_document(
    records: Records, demo: DemoResult, tmp_path: Path
) -> None:
    report = import_package(records, SYSTEM, container(tmp_path / "in"))
    assert report.kind == "xdomea" and report.prozess_id.startswith("9fde4e7a")
    assert statuses(report) == {
        "orgunit": {"created"},
        "plan_item": {"created"},
        "casefile": {"created"},
        "case": {"created"},
        "document": {"created"},
    }
    shown = document_report(records, SYSTEM, DOCUMENT_ID)
    assert shown["title"] == "[Dokumentbetreff]"
    assert shown["reference"] == "[Vorgangskennzeichen]"
    assert shown["orgunit"] == "IMPORT"
    assert shown["document_date"] == "2011-02-12"
    assert shown["text"].strip() == "Testdokument"
    assert shown["references"] == ["[Dokumentkennzeichen]"]
    (version,) = shown["versions"]
    assert version["signature_valid"] and version["source"] == "import"
    assert version["filename"] == PRIMARY and version["media_type"] == "text/plain"
    with records.reading() as session:
        akte = session.get(CaseFile, session.get(Document, DOCUMENT_ID).case_file_id)  # type: ignore[union-attr]
        assert akte is not None and akte.title == "Import [Vorgangskennzeichen]"
        assert akte.plan_item.code == "9999" and akte.orgunit.parent is not None
        history = session.query(AuditEvent).filter_by(action="history.imported").all()
    originals = sorted(json.loads(e.details)["original"]["occurred_at"] for e in history)
    assert originals == ["2010-04-04T10:22:49+00:00", "2011-02-12T11:22:35+00:00"]
    assert verify_store(records).ok


AKTE_ID = "33333333-b420-11ec-b503-005056871b7c"
AKTE = f"""<xdomea:Schriftgutobjekt>
    <xdomea:Akte>
      <xdomea:Identifikation><xdomea:ID>{AKTE_ID}</xdomea:ID></xdomea:Identifikation>
      <xdomea:AllgemeineMetadaten>
        <xdomea:Betreff>Altakte Marktwesen</xdomea:Betreff>
        <xdomea:Kennzeichen>MW-17</xdomea:Kennzeichen>
        <xdomea:Aktenplaneinheit>
          <xdomea:Kennzeichen>1.2.7</xdomea:Kennzeichen>
          <xdomea:Inhaltsangabe>Wochenmarkt</xdomea:Inhaltsangabe>
        </xdomea:Aktenplaneinheit>
      </xdomea:AllgemeineMetadaten>
      <xdomea:Akteninhalt>
    <xdomea:Vorgang>"""


def example_in_akte() -> bytes:
    """The example's Vorgang inside an Akte of another system (schema-valid)."""
    xml = (EXAMPLE / MESSAGE).read_text("utf-8")
    xml = xml.replace("<xdomea:Schriftgutobjekt>\n    <xdomea:Vorgang>", AKTE)
    closing = "</xdomea:Vorgang>\n  </xdomea:Schriftgutobjekt>"
    wrapped = "</xdomea:Vorgang></xdomea:Akteninhalt></xdomea:Akte></xdomea:Schriftgutobjekt>"
    return xml.replace(closing, wrapped).encode("utf-8")


def test_foreign_akte_keeps_reference_and_joins_the_file_plan(
    records: Records, demo: DemoResult, tmp_path: Path
) -> None:
    package = container(tmp_path / "in", xml=example_in_akte())
    import_package(records, SYSTEM, package, orgunit="32")
    view = casefile_view(records, SYSTEM, "MW-17")
    assert view.title == "Altakte Marktwesen" and view.orgunit_code == "32"
    assert (view.plan_code, view.plan_title) == ("1.2.7", "Wochenmarkt")
    assert view.retention_years is None and view.disposition == "B"
    assert [c.reference for c in view.cases] == ["[Vorgangskennzeichen]"]
    assert document_report(records, SYSTEM, DOCUMENT_ID)["case_file"] == "MW-17"
    assert verify_store(records).ok


def test_the_same_message_twice_imports_nothing_new(
    records: Records, demo: DemoResult, tmp_path: Path
) -> None:
    package = container(tmp_path / "in")
    import_package(records, SYSTEM, package)
    before = last_seq(records)
    again = import_package(records, SYSTEM, package)
    assert statuses(again) == {
        "casefile": {"present"},
        "case": {"present"},
        "document": {"present"},
    }
    assert last_seq(records) == before


def test_dry_run_writes_nothing(records: Records, demo: DemoResult, tmp_path: Path) -> None:
    before = last_seq(records)
    report = import_package(records, SYSTEM, container(tmp_path / "in"), dry_run=True)
    assert report.dry_run and "created" in statuses(report)["document"]
    assert last_seq(records) == before
    assert list(records.store.iter_objects(ObjectKind.CONTENT)) == []
    with records.reading() as session:
        assert session.get(Document, DOCUMENT_ID) is None


def test_orgunit_option_places_unknown_units(
    records: Records, demo: DemoResult, tmp_path: Path
) -> None:
    report = import_package(records, SYSTEM, container(tmp_path / "in"), orgunit="32")
    assert "orgunit" not in statuses(report)
    assert document_report(records, SYSTEM, DOCUMENT_ID)["orgunit"] == "32"


def test_clashes_import_nothing(records: Records, demo: DemoResult, tmp_path: Path) -> None:
    import_package(records, SYSTEM, container(tmp_path / "first"))
    before = last_seq(records)
    other_file = container(tmp_path / "content", primary=b"Ein anderes Dokument")
    with pytest.raises(ImportConflict, match=DOCUMENT_ID):
        import_package(records, SYSTEM, other_file)
    xml = (EXAMPLE / MESSAGE).read_bytes()
    new_ids = xml.replace(VORGANG_ID.encode(), b"11111111-b420-11ec-b503-005056871b7c").replace(
        DOCUMENT_ID.encode(), b"22222222-b4a7-11ec-a407-005056871b7c"
    )
    with pytest.raises(ImportConflict, match="belongs here to another Vorgang"):
        import_package(records, SYSTEM, container(tmp_path / "reference", xml=new_ids))
    assert last_seq(records) == before
    with records.reading() as session:
        assert session.get(Document, "22222222-b4a7-11ec-a407-005056871b7c") is None
    assert stray_objects(records) == []  # the refused imports stored nothing


def test_zip_bomb_container_is_refused_before_anything_is_stored(
    records: Records, demo: DemoResult, tmp_path: Path
) -> None:
    xml = (EXAMPLE / MESSAGE).read_bytes().replace(PRIMARY.encode(), b"bomb.bin")
    package = tmp_path / "bomb.zip"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(MESSAGE, xml)
        with archive.open("bomb.bin", "w") as out:
            for _ in range(16):
                out.write(bytes(1024 * 1024))  # 16 MiB of zeros: > 1000:1
    before = last_seq(records)
    with pytest.raises(ArchiveRefused, match="zip-bomb"):
        import_package(records, SYSTEM, package, orgunit="32")
    assert last_seq(records) == before
    assert list(records.store.iter_objects(ObjectKind.CONTENT)) == []


def test_unreadable_message_imports_nothing(records: Records, tmp_path: Path) -> None:
    before = last_seq(records)
    with pytest.raises(XdomeaError):
        import_package(records, SYSTEM, container(tmp_path / "in", xml=b"<x/>", primary=b"x"))
    assert last_seq(records) == before


@pytest.mark.parametrize("name", ["../evil.txt", "sub/f.txt", ".hidden"])
def test_file_names_must_be_plain(
    records: Records, demo: DemoResult, tmp_path: Path, name: str
) -> None:
    xml = (EXAMPLE / MESSAGE).read_bytes().replace(PRIMARY.encode(), name.encode())
    before = last_seq(records)
    with pytest.raises(PackageError):
        import_package(records, SYSTEM, container(tmp_path / "in", xml=xml, name=name))
    assert last_seq(records) == before


def test_import_needs_file_plan_and_write_rights(
    records: Records, demo: DemoResult, tmp_path: Path
) -> None:
    for username, role in (("anna", "sachbearbeitung"), ("reg", "registratur")):
        create_user(records, SYSTEM, username=username, display_name=username, password=PASSWORD)
        grant_role(
            records,
            SYSTEM,
            username=username,
            orgunit="32" if role != "registratur" else "VW",
            role=role,
        )
    with records.reading() as session:
        anna, reg = load_principal(session, "anna"), load_principal(session, "reg")
    package = container(tmp_path / "in")
    with pytest.raises(PermissionDenied):
        import_package(records, anna, package, orgunit="32")
    with pytest.raises(PermissionDenied):  # creating the org unit IMPORT needs an admin
        import_package(records, reg, package)
    report = import_package(records, reg, package, orgunit="32")
    assert statuses(report)["document"] == {"created"}
    assert verify_store(records).ok


def test_big_files_are_streamed(records: Records, demo: DemoResult, tmp_path: Path) -> None:
    """48 MB of content pass through with a few MB of Python memory."""
    package = container(tmp_path / "in", name="gross.bin")
    xml = (EXAMPLE / MESSAGE).read_bytes().replace(PRIMARY.encode(), b"gross.bin")
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr(MESSAGE, xml)
        with archive.open("gross.bin", "w", force_zip64=True) as out:
            for _ in range(48):
                out.write(os.urandom(1024 * 1024))
    tracemalloc.start()
    try:
        import_package(records, SYSTEM, package, orgunit="32")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, peak
    (version,) = document_report(records, SYSTEM, DOCUMENT_ID)["versions"]
    assert version["size"] == 48 * 1024 * 1024


def test_neither_package_nor_container(records: Records, tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(PackageError, match="neither an eakte package"):
        import_package(records, SYSTEM, path)


def test_cli_import_show_and_search(tmp_path: Path) -> None:
    env = {"EAKTE_DATA_DIR": str(tmp_path / "var"), "EAKTE_KEY_PASSPHRASE": TEST_PASSPHRASE}

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    for setup in (["db", "upgrade"], ["keys", "init"], ["demo"]):
        assert run(*setup).exit_code == 0
    package = str(container(tmp_path / "in"))
    dry = run("import", package, "--dry-run")
    assert dry.exit_code == 0 and "Dry run" in dry.output
    result = run("import", package, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"]["document_created"] == 1
    shown = run("show", DOCUMENT_ID)
    assert "signature valid" in shown.output and "Testdokument" in shown.output
    assert run("search", "reindex").exit_code == 0
    found = run("search", "Testdokument", "--json")
    assert DOCUMENT_ID in found.output
    again = run("import", package)
    assert again.exit_code == 0 and "0 created" in again.output
    assert run("verify").exit_code == 0


# -- round trip: export -> import into a new installation -> export -------------------------


@pytest.fixture
def target_records(
    request: pytest.FixtureRequest, tmp_path: Path, database_url: str
) -> Iterator[Records]:
    """A brand-new installation: migrated empty database, a signing key, nothing else."""
    if database_url.startswith("sqlite"):
        target = tmp_path / "target.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        url = f"sqlite:///{target}"
    else:
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.url(cluster.create_database(template=request.getfixturevalue("pg_template")))
    settings = load_settings(
        data_dir=tmp_path / "target",
        database_url=url,
        key_passphrase=TEST_PASSPHRASE,
        audit_checkpoint_seconds=0,
    )
    settings.ensure_data_dir()
    records = Records(settings)
    init_keys(records, SYSTEM)
    yield records
    records.close()


def _index(package: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """package.json and every signed manifest (by document/version) of a package."""
    with zipfile.ZipFile(package) as archive:
        (index_name,) = [n for n in archive.namelist() if n.endswith("data/eakte/package.json")]
        index = json.loads(archive.read(index_name))
        manifests = {
            "/".join(name.split("/")[-3:-1]): archive.read(name)
            for name in archive.namelist()
            if name.endswith("/manifest.json")
        }
    return index, manifests


def _records(package: Path, folder: Path) -> list[str]:
    """The message's objects as lines "object field = value" (a readable diff)."""
    folder.mkdir()
    with zipfile.ZipFile(package) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith("0503.xml")]
        (folder / "message.xml").write_bytes(archive.read(name))
    _, objects = read_message(folder / "message.xml")
    lines: list[str] = []
    for record in sorted((_normalised(o) for o in objects), key=lambda o: o.id):
        lines.extend(_lines(record))
    return lines


def _lines(record: Any) -> Iterator[str]:
    name = f"{type(record).__name__} {record.id}"
    for key, value in vars(record).items():
        if key in ("cases", "documents"):
            for child in value:
                yield from _lines(child)
        elif key == "history":
            yield from (f"{name} history {entry!r}" for entry in value)
        else:
            yield f"{name} {key} = {value!r}"


def _history(entries: list[HistoryEntry]) -> list[tuple[str, datetime, str, Any]]:
    """The original history: imported entries by what they recorded; the import's own
    steps and the exports' reads of confidential documents left out."""
    return [
        e
        for e in _recorded(entries)
        if not (e[2] == "document.read" and e[3].get("read") == "export")
    ]


def _recorded(entries: list[HistoryEntry]) -> list[tuple[str, datetime, str, Any]]:
    result = []
    for entry in entries:
        if entry.action == "history.imported":
            original = entry.details["original"]
            result.append(
                (
                    original["actor"],
                    datetime.fromisoformat(original["occurred_at"]),
                    original["action"],
                    json.loads(original["details"]),
                )
            )
        elif "imported_from" not in entry.details:  # not a step of the import itself
            result.append((entry.actor, entry.at, entry.action, entry.details))
    return result


def _normalised(record: Any) -> Any:
    if isinstance(record, DocumentRecord):
        return replace(record, history=_history(record.history))
    if isinstance(record, CaseRecord):
        return replace(
            record,
            history=_history(record.history),
            documents=[_normalised(d) for d in record.documents],
        )
    assert isinstance(record, CaseFileRecord)
    return replace(
        record,
        history=_history(record.history),
        cases=[_normalised(c) for c in record.cases],
        documents=[_normalised(d) for d in record.documents],
    )


def test_round_trip_keeps_records_metadata_and_hashes(
    export_records: Records, target_records: Records, tmp_path: Path
) -> None:
    first = make_package(export_records, tmp_path, name="first.zip")
    anchor = export_records.keyring().active()
    report = import_package(target_records, SYSTEM, first, trusted_keys=[anchor.public_pem])
    assert report.kind == "eakte-package"
    assert (report.anchor_key, report.anchor_confirmed) == (anchor.key_id, "--trusted-key")
    assert "present" not in {o.status for o in report.outcomes}
    assert report.notes and "eakte demo" in report.notes[0]  # org units of an empty installation
    with target_records.reading() as session:
        sealed = [
            json.loads(d)
            for d in session.scalars(
                select(AuditEvent.details).where(AuditEvent.action == "key.imported")
            )
        ]
    assert sealed and all(
        d["trust_anchor"] == anchor.key_id
        and d["confirmed_by"] == SYSTEM.actor
        and d["confirmed_with"] == "--trusted-key"
        for d in sealed
    )
    assert verify_store(target_records).ok, verify_store(target_records).findings
    _originals_recompute_their_hashes(export_records, target_records)

    shown = document_report(target_records, SYSTEM, report_document(report))
    assert all(v["signature_valid"] for v in shown["versions"])

    again = import_package(target_records, SYSTEM, first)  # its keys are known here now
    assert {o.status for o in again.outcomes} == {"present"}

    second = make_package(target_records, tmp_path, name="second.zip")
    index1, manifests1 = _index(first)
    index2, manifests2 = _index(second)
    assert manifests1 == manifests2  # byte-identical signed manifests
    docs1 = sorted(index1["documents"], key=lambda d: d["document_id"])
    docs2 = sorted(index2["documents"], key=lambda d: d["document_id"])
    assert docs1 == docs2  # ids, titles, references, versions, manifest and content hashes
    assert set(index1["keys"]) <= set(index2["keys"])
    before, after = _records(first, tmp_path / "m1"), _records(second, tmp_path / "m2")
    assert before == after, "\n".join(difflib.unified_diff(before, after, lineterm="", n=0))

    from eakte.export._verify_package import verify_package

    # the first installation's keys are anchored in the new chain by their key.imported events
    findings = [f for f in verify_package(second).findings if f.severity.value == "error"]
    assert findings == []


def _originals_recompute_their_hashes(source: Records, target: Records) -> None:
    """Each history.imported event keeps what recomputes the event's hash in the source."""
    with source.reading() as session:
        hashes = {r.seq: r.hash for r in session.execute(select(AuditEvent.seq, AuditEvent.hash))}
    with target.reading() as session:
        details = session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "history.imported")
        ).all()
    originals = [json.loads(d)["original"] for d in details]
    assert originals and {o["hash_format"] for o in originals} == {2}
    for original in originals:
        recomputed = event_hash(
            **{name: original[name] for name in EVENT_FIELDS},
            prev_hash=original["prev_hash"],
            hash_format=original["hash_format"],
        )
        assert recomputed == original["hash"] == hashes[original["seq"]]


def test_own_export_is_present_already(export_records: Records, tmp_path: Path) -> None:
    package = make_package(export_records, tmp_path)
    before = last_seq(export_records)
    report = import_package(export_records, SYSTEM, package)
    assert {o.status for o in report.outcomes} == {"present"}
    assert {o.kind for o in report.outcomes} >= {"casefile", "case", "document"}
    assert last_seq(export_records) == before


def test_clash_or_damage_imports_nothing(
    export_world: ExportWorld, target_records: Records, tmp_path: Path
) -> None:
    package = make_package(export_world.records, tmp_path)
    load_demo(target_records)
    create_case_file(
        target_records,
        SYSTEM,
        plan_code="1.2",
        title="Eine andere Akte",
        orgunit="32",
        reference=export_world.akte,
    )
    before = last_seq(target_records)
    keys = target_records.keyring().list()
    trusted = [export_world.records.keyring().active().key_id]
    with pytest.raises(ImportConflict, match="belongs here to another Akte"):
        import_package(target_records, SYSTEM, package, trusted_keys=trusted)
    assert stray_objects(target_records) == []  # no manifest, signature or content stored
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(damaged, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".txt") and "/data/eakte/" not in info.filename:
                data = data.replace(b"Sehr", b"Sehx")
            out.writestr(info, data)
    with pytest.raises(PackageRefused, match="does not verify"):
        import_package(target_records, SYSTEM, damaged, trusted_keys=trusted)
    assert last_seq(target_records) == before
    assert stray_objects(target_records) == []
    assert target_records.keyring().list() == keys
    with target_records.reading() as session:
        assert session.get(Document, export_world.letter) is None


def report_document(report: ImportReport) -> str:
    return next(o.id for o in report.outcomes if o.kind == "document")


def test_package_cannot_anchor_itself(
    export_world: ExportWorld, target_records: Records, tmp_path: Path
) -> None:
    """Without --trusted-key naming its anchor (or with another key) nothing is imported."""
    package = make_package(export_world.records, tmp_path)
    anchor = export_world.records.keyring().active().key_id
    before = last_seq(target_records)
    keys = target_records.keyring().list()
    other = target_records.keyring().active().key_id
    for trusted in ([], [other], ["0" * 32]):
        with pytest.raises(AnchorUntrusted) as refused:
            import_package(target_records, SYSTEM, package, trusted_keys=trusted)
        assert anchor in str(refused.value) and "--trusted-key" in str(refused.value)
    with pytest.raises(PackageRefused, match="trusted-key-invalid"):
        import_package(target_records, SYSTEM, package, trusted_keys=["not a key"])
    assert last_seq(target_records) == before
    assert target_records.keyring().list() == keys
    assert stray_objects(target_records) == []


def test_trusting_new_keys_needs_an_admin(
    export_world: ExportWorld, target_records: Records, tmp_path: Path
) -> None:
    package = make_package(export_world.records, tmp_path)
    load_demo(target_records)
    create_user(target_records, SYSTEM, username="reg", display_name="reg", password=PASSWORD)
    grant_role(target_records, SYSTEM, username="reg", orgunit="VW", role="registratur")
    with target_records.reading() as session:
        reg = load_principal(session, "reg")
    trusted = [export_world.records.keyring().active().key_id]
    keys = target_records.keyring().list()
    with pytest.raises(PermissionDenied, match="administer"):
        import_package(target_records, reg, package, trusted_keys=trusted, orgunit="32")
    assert target_records.keyring().list() == keys
    assert stray_objects(target_records) == []


def test_cli_import_of_a_package_shows_and_needs_the_anchor(
    export_world: ExportWorld, target_records: Records, tmp_path: Path
) -> None:
    package = make_package(export_world.records, tmp_path)
    anchor = export_world.records.keyring().active()
    pem = tmp_path / "anchor.pem"
    pem.write_text(anchor.public_pem)
    settings = target_records.settings
    env = {
        "EAKTE_DATA_DIR": str(settings.data_dir),
        "EAKTE_DATABASE_URL": settings.database_url or "",
        "EAKTE_KEY_PASSPHRASE": TEST_PASSPHRASE,
    }

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env)

    refused = run("import", str(package))
    assert refused.exit_code != 0 and anchor.key_id in refused.output, refused.output
    done = run("import", str(package), "--trusted-key", str(pem))
    assert done.exit_code == 0, done.output
    assert f"Trust anchor {anchor.key_id} (confirmed: --trusted-key)" in done.output
