"""eakte's own xdomea 0503 messages: schema-valid, and read back into exactly the same records."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from eakte.export._layout import primary_name
from eakte.export._model import (
    CaseFileRecord,
    CaseRecord,
    DocumentRecord,
    HistoryEntry,
    MessageHeader,
    PrimaryFile,
    RecordObject,
    VersionRecord,
)
from eakte.export._schema import schema_errors
from eakte.export._xdomea_read import read_message
from eakte.export._xdomea_write import write_message

NS = {"x": "urn:xoev-de:xdomea:schema:3.0.0"}
T0 = datetime(2024, 3, 4, 9, 15, 30, 123456, tzinfo=UTC)
XSS_TITLE = "Widerspruch <b>&\"' gegen Bescheid"


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _history(object_name: str) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            actor="jörg.müller",
            at=_at(1),
            action=f"{object_name}.created",
            description="Angelegt von Jörg Müller",
            details={"title": "Grünflächen", "nested": {"list": [1, "zwei", None, True]}},
        ),
        HistoryEntry(actor="system", at=_at(2), action=f"{object_name}.viewed", description=""),
    ]


def _version(document_id: str, number: int, filename: str, media_type: str) -> VersionRecord:
    at = _at(10 * number)
    files = [
        PrimaryFile(
            role="original",
            name=primary_name(document_id, number, "original", filename, media_type),
            original_name=filename,
            media_type=media_type,
            sha256=f"{number:064x}",
            size=1000 + number,
            created_at=at,
        ),
        PrimaryFile(
            role="pdfa",
            name=primary_name(document_id, number, "pdfa", filename, media_type),
            original_name=filename,
            media_type="application/pdf",
            sha256=f"{number + 100:064x}",
            size=2000 + number,
            created_at=at + timedelta(seconds=5),
        ),
    ]
    return VersionRecord(number=number, created_at=at, created_by="anna.schröder", files=files)


def _document(title: str, number: int = 1, **fields: object) -> DocumentRecord:
    document_id = str(uuid.uuid4())
    record = DocumentRecord(
        id=document_id,
        title=title,
        created_at=_at(number),
        created_by="anna.schröder",
        orgunit_code="32.1",
        orgunit_name="Straßenverkehrsbehörde",
        number_in_container=number,
        history=_history("document"),
        versions=[_version(document_id, 1, "Antrag Überfahrt.docx", "application/octet-stream")],
    )
    for name, value in fields.items():
        setattr(record, name, value)
    return record


def sample_objects() -> list[RecordObject]:
    """An Akte with everything a record can carry, a Vorgang on its own, a Posteingang document."""
    multi = _document("Antrag mit drei Versionen", 2)
    multi.versions = [
        _version(multi.id, 1, "scan.tif", "image/tiff"),
        _version(multi.id, 2, "Brief.PDF", "application/pdf"),
        _version(multi.id, 3, "messwerte.h5", "application/x-hdf5"),
    ]
    in_akte = [
        _document(
            XSS_TITLE,
            1,
            reference="Az. 32.10.05-0815/2024",
            document_date=date(2024, 2, 29),
            sender="Bürgerinitiative Straße & Grün e. V.",
            document_type="Widerspruch",
            language="de",
            page_count=3,
            confidential=True,
            scan_note={"scanner": "Fujitsu fi-7160", "operator": "jörg", "pages": 3, "ok": True},
            extra={"Eingangskanal": "Post", "Bemerkung": "<script>alert(1)</script>"},
        ),
        multi,
    ]
    closed_case = CaseRecord(
        id=str(uuid.uuid4()),
        reference="32.10.05-0815/2024-1",
        title="Widerspruchsverfahren Müller",
        created_at=_at(3),
        created_by="anna.schröder",
        closed_at=_at(500),
        retention_until=date(2035, 12, 31),
        history=_history("case"),
        documents=[_document("Bescheid", 1), _document("Anhörung", 2, history=[], versions=[])],
    )
    open_case = CaseRecord(
        id=str(uuid.uuid4()),
        reference="32.10.05-0815/2024-2",
        title="Ortstermin",
        created_at=_at(4),
        created_by="anna.schröder",
        documents=[_document("Protokoll", 1)],
    )
    akte = CaseFileRecord(
        id=str(uuid.uuid4()),
        reference="32.10.05-0815/2024",
        title="Sondernutzung Gehweg Hauptstraße 1 – Café Ölmühle",
        orgunit_code="32.1",
        orgunit_name="Straßenverkehrsbehörde",
        plan_code="32.10.05",
        plan_title="Sondernutzungen öffentlicher Verkehrsflächen",
        retention_years=10,
        disposition="A",
        created_at=T0,
        created_by="anna.schröder",
        closed_at=_at(600),
        history=_history("case_file"),
        cases=[closed_case, open_case],
        documents=in_akte,
    )
    own_case = CaseRecord(
        id=str(uuid.uuid4()),
        reference="10.1-7/2024",
        title="Vorgang ohne mitexportierte Akte",
        created_at=T0,
        created_by="admin",
        documents=[_document("Vermerk", 1)],
    )
    forever = CaseFileRecord(
        id=str(uuid.uuid4()),
        reference="01.1-1/2020",
        title="Leere Akte, dauernd aufzubewahren",
        orgunit_code="01",
        orgunit_name="Hauptamt",
        plan_code="01.1",
        plan_title="Organisation",
        retention_years=None,
        disposition="V",
        created_at=T0,
        created_by="admin",
    )
    posteingang = _document("Posteingang: Anfrage Bürgerbüro", 1, sender="Erika Mustermann")
    return [akte, own_case, forever, posteingang]


def sample_header() -> MessageHeader:
    return MessageHeader(
        prozess_id=str(uuid.uuid4()),
        created_at=T0,
        sender_institution="Stadt Musterstadt",
        sender_orgunit="32.1 Straßenverkehrsbehörde",
        recipient_institution="Prüfung",
    )


def write_sample(path: Path) -> tuple[MessageHeader, list[RecordObject]]:
    header, objects = sample_header(), sample_objects()
    with path.open("wb") as out:
        write_message(out, header, objects)
    return header, objects


@pytest.fixture
def sample(tmp_path: Path) -> tuple[Path, MessageHeader, list[RecordObject]]:
    path = tmp_path / "message.xml"
    header, objects = write_sample(path)
    return path, header, objects


def test_written_message_is_schema_valid_and_reads_back_equal(
    sample: tuple[Path, MessageHeader, list[RecordObject]],
) -> None:
    path, header, objects = sample
    assert schema_errors(path) == []
    read_header, records = read_message(path)
    assert read_header == header
    assert list(records) == objects


def test_namespace_prefix_is_xdomea_and_special_characters_are_escaped(
    sample: tuple[Path, MessageHeader, list[RecordObject]],
) -> None:
    text = sample[0].read_text(encoding="utf-8")
    assert text.splitlines()[1].startswith(
        '<xdomea:Aussonderung.Aussonderung.0503 xmlns:xdomea="urn:xoev-de:xdomea:schema:3.0.0"'
    )
    assert "Widerspruch &lt;b&gt;&amp;\"' gegen Bescheid" in text
    assert "&lt;script&gt;" in text and "<script>" not in text
    assert "Café Ölmühle" in text  # UTF-8 as such, not as character references


def test_model_fields_use_the_xdomea_elements(
    sample: tuple[Path, MessageHeader, list[RecordObject]],
) -> None:
    path, header, objects = sample
    akte, _, forever, posteingang = objects
    assert isinstance(akte, CaseFileRecord) and isinstance(forever, CaseFileRecord)
    root = etree.parse(str(path)).getroot()

    def one(xpath: str) -> str:
        (value,) = root.xpath(xpath, namespaces=NS)
        return str(value)

    assert one("x:Kopf/x:ProzessID/text()") == header.prozess_id
    assert one("x:Kopf/x:Nachrichtentyp/code/text()") == "0503"
    assert one("x:Kopf/x:Erstellungszeitpunkt/text()") == "2024-03-04T09:15:30.123456Z"
    a = f"x:Schriftgutobjekt/x:Akte[x:Identifikation/x:ID='{akte.id}']"
    assert one(f"{a}/x:AllgemeineMetadaten/x:Kennzeichen/text()") == akte.reference
    assert one(f"{a}/x:AllgemeineMetadaten/x:Federfuehrung/text()") == (
        "32.1 Straßenverkehrsbehörde"
    )
    assert one(f"{a}/x:AllgemeineMetadaten/x:Aktenplaneinheit/x:Kennzeichen/text()") == "32.10.05"
    archive = f"{a}/x:ArchivspezifischeMetadaten"
    assert one(f"{archive}/x:Aufbewahrungsdauer/x:AnzahlJahre/text()") == "10"
    assert one(f"{archive}/x:Aussonderungsart/x:Aussonderungsart/code/text()") == "A"
    assert one(f"{a}/x:Laufzeit/x:Beginn/text()") == "2024-03-04"
    assert one(f"{a}/x:ZdA/text()") == "true"
    assert one(f"{a}/x:HistorienProtokollInformation[1]/x:Akteur/text()") == "jörg.müller"
    assert one(f"{a}/x:HistorienProtokollInformation[1]/x:Aktion/text()") == (
        "Angelegt von Jörg Müller"
    )
    b = f"x:Schriftgutobjekt/x:Akte[x:Identifikation/x:ID='{forever.id}']"
    assert one(f"{b}/x:ArchivspezifischeMetadaten/x:Aufbewahrungsdauer/x:Unbefristet/text()") == (
        "true"
    )

    first, multi = akte.documents
    d = f"{a}/x:Akteninhalt/x:Dokument[x:Identifikation/x:ID='{first.id}']"
    assert one(f"{d}/x:AllgemeineMetadaten/x:Betreff/text()") == XSS_TITLE
    assert one(f"{d}/x:AllgemeineMetadaten/x:Vertraulichkeitsstufe/code/text()") == "002"
    assert one(f"{d}/x:DatumDesSchreibens/text()") == "2024-02-29"
    assert one(f"{d}/x:Typ/text()") == "Widerspruch"
    assert one(f"{d}/x:Absender/x:Institution/x:Name/text()") == first.sender

    m = f"{a}/x:Akteninhalt/x:Dokument[x:Identifikation/x:ID='{multi.id}']"
    assert root.xpath(f"{m}/x:Version/x:Nummer/text()", namespaces=NS) == ["1", "2", "3"]
    v2 = f"{m}/x:Version[x:Nummer='2']"
    assert root.xpath(f"{v2}/x:Format/x:Name/code/text()", namespaces=NS) == ["018", "044"]
    names = root.xpath(f"{v2}/x:Format/x:Primaerdokument/x:Dateiname/text()", namespaces=NS)
    assert names == [f.name for f in multi.versions[1].files]
    assert one(f"{v2}/x:Format[1]/x:Primaerdokument/x:DateinameOriginal/text()") == "Brief.PDF"
    assert one(f"{v2}/x:Format[1]/x:Primaerdokument/x:DatumUhrzeit/text()") == (
        "2024-03-04T09:35:30.123456Z"
    )
    v3 = f"{m}/x:Version[x:Nummer='3']/x:Format[1]"
    assert one(f"{v3}/x:Name/code/text()") == "100"  # not in the list: "Sonstiges"
    assert one(f"{v3}/x:SonstigerName/text()") == "application/x-hdf5"

    p = f"x:Schriftgutobjekt/x:Dokument[x:Identifikation/x:ID='{posteingang.id}']"
    assert one(f"{p}/x:AllgemeineMetadaten/x:Vertraulichkeitsstufe/code/text()") == "003"


def test_characters_xml_cannot_carry_become_replacement_characters(tmp_path: Path) -> None:
    path = tmp_path / "message.xml"
    document = _document("Scan\x0cSeite 2\x00", 1)
    with path.open("wb") as out:
        write_message(out, sample_header(), [document])
    assert schema_errors(path) == []
    _, records = read_message(path)
    (read,) = list(records)
    assert isinstance(read, DocumentRecord)
    assert read.title == "Scan\ufffdSeite 2\ufffd"
