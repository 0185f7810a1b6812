"""Write an xdomea 3.0.0 Aussonderung.Aussonderung.0503 message, one Schriftgutobjekt at a time.

The message is streamed with lxml's ``etree.xmlfile``: each Schriftgutobjekt
is built as a small tree, indented, written and dropped, so memory does not
grow with the number of objects. The functions below show which model field
goes into which xdomea element; :mod:`eakte.export._xdomea_ext` holds what
xdomea has no element for. Characters XML 1.0 cannot carry (control
characters) are written as U+FFFD.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any, BinaryIO

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from eakte.export import _xdomea_codes as codes
from eakte.export._layout import extension
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
from eakte.export._xdomea_ext import (
    EXT_DESCRIPTION,
    EXT_ID,
    EXT_NAME,
    EXT_VERSION,
    Field,
    Group,
    case_extension,
    case_file_extension,
    document_extension,
)
from eakte.export._xdomea_time import xs_date, xs_datetime

NS = "urn:xoev-de:xdomea:schema:3.0.0"
ROOT = "Aussonderung.Aussonderung.0503"
NSMAP = {"xdomea": NS}


@functools.cache
def q(name: str) -> str:
    """The qualified name of an xdomea element."""
    return f"{{{NS}}}{name}"


_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_Element = Any  # lxml's _Element (lxml has no type stubs here)


def _leaf(parent: _Element, name: str, text: str | None) -> None:
    """``<xdomea:name>text</xdomea:name>`` below ``parent``; nothing when ``text`` is None.

    Characters XML 1.0 cannot carry (control characters) become U+FFFD.
    """
    if text is None:
        return
    if _INVALID_XML.search(text):
        text = _INVALID_XML.sub("\ufffd", text)
    etree.SubElement(parent, q(name)).text = text


def _el(parent: _Element, name: str, attrib: dict[str, str] | None = None) -> _Element:
    return etree.SubElement(parent, q(name), attrib)


def _code(parent: _Element, name: str, codes_: codes.CodeList, code: str) -> None:
    elem = _el(parent, name, {"listURI": codes_.uri, "listVersionID": codes_.version})
    etree.SubElement(elem, "code").text = code
    if code in codes_.names:
        etree.SubElement(elem, "name").text = codes_.names[code]


def write_message(out: BinaryIO, header: MessageHeader, objects: Iterable[RecordObject]) -> None:
    """Write an Aussonderung.Aussonderung.0503 message incrementally (lxml etree.xmlfile), one
    Schriftgutobjekt per object; memory independent of the number of objects.

    Each Schriftgutobjekt is built as a small tree (one Akte with its contents
    at most), written, flushed and dropped.
    """
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(q(ROOT), nsmap=NSMAP):
            _write(xf, _kopf(header))
            for obj in objects:
                sgo = etree.Element(q("Schriftgutobjekt"), nsmap=NSMAP)
                if isinstance(obj, CaseFileRecord):
                    _akte(sgo, obj)
                elif isinstance(obj, CaseRecord):
                    _vorgang(sgo, obj)
                else:
                    _dokument(sgo, obj)
                _write(xf, sgo)
                xf.flush()
            xf.write("\n")


def _write(xf: Any, elem: _Element) -> None:
    etree.indent(elem, space="  ", level=1)
    xf.write("\n  ")
    xf.write(elem)


def _kopf(header: MessageHeader) -> _Element:
    from eakte import __version__

    kopf = etree.Element(q("Kopf"), nsmap=NSMAP)
    _leaf(kopf, "ProzessID", header.prozess_id)
    _code(kopf, "Nachrichtentyp", codes.NACHRICHTENTYP, codes.AUSSONDERUNG_0503)
    _leaf(kopf, "Erstellungszeitpunkt", xs_datetime(header.created_at))
    sender = _el(kopf, "Absender")
    _leaf(_el(sender, "Institution"), "Name", header.sender_institution)
    if header.sender_orgunit is not None:
        _leaf(_el(sender, "Organisationseinheit"), "Name", header.sender_orgunit)
    _leaf(_el(_el(kopf, "Empfaenger"), "Institution"), "Name", header.recipient_institution)
    system = _el(kopf, "SendendesSystem")
    _leaf(system, "Produktname", "eakte")
    _leaf(system, "Version", __version__)
    _leaf(kopf, "Importbestaetigung", "true")
    _leaf(kopf, "RueckmeldungArchivkennung", "false")
    _leaf(kopf, "Empfangsbestaetigung", "false")
    return kopf


def _akte(parent: _Element, akte: CaseFileRecord) -> None:
    elem = _el(parent, "Akte")
    _leaf(_el(elem, "Identifikation"), "ID", akte.id)
    meta = _el(elem, "AllgemeineMetadaten")
    _leaf(meta, "Betreff", akte.title)
    _leaf(meta, "Kennzeichen", akte.reference)
    _leaf(meta, "Federfuehrung", _orgunit(akte.orgunit_code, akte.orgunit_name))
    _code(meta, "Medium", codes.MEDIUM, codes.MEDIUM_ELECTRONIC)
    plan = _el(meta, "Aktenplaneinheit")
    _leaf(plan, "Kennzeichen", akte.plan_code)
    _leaf(plan, "Inhaltsangabe", akte.plan_title)
    archive = _el(elem, "ArchivspezifischeMetadaten")
    retention = _el(archive, "Aufbewahrungsdauer")
    if akte.retention_years is None:
        _leaf(retention, "Unbefristet", "true")
    else:
        _leaf(retention, "AnzahlJahre", str(akte.retention_years))
    disposition = _el(archive, "Aussonderungsart")
    if akte.disposition in codes.AUSSONDERUNGSART.names:
        _code(disposition, "Aussonderungsart", codes.AUSSONDERUNGSART, akte.disposition)
    else:
        _leaf(disposition, "AussonderungsartKonfigurierbar", akte.disposition)
    _laufzeit(elem, akte.created_at, akte.closed_at)
    _history(elem, akte.history)
    if akte.documents or akte.cases:
        content = _el(elem, "Akteninhalt")
        for document in akte.documents:
            _dokument(content, document)
        for case in akte.cases:
            _vorgang(content, case)
    if akte.closed_at is not None:
        _leaf(elem, "ZdA", "true")
        _leaf(elem, "ZdADatum", xs_date(akte.closed_at))
    _extension(elem, case_file_extension(akte))


def _vorgang(parent: _Element, case: CaseRecord) -> None:
    elem = _el(parent, "Vorgang")
    _leaf(_el(elem, "Identifikation"), "ID", case.id)
    meta = _el(elem, "AllgemeineMetadaten")
    _leaf(meta, "Betreff", case.title)
    _leaf(meta, "Kennzeichen", case.reference)
    _code(meta, "Medium", codes.MEDIUM, codes.MEDIUM_ELECTRONIC)
    if case.retention_until is not None:
        _leaf(
            _el(elem, "ArchivspezifischeMetadaten"),
            "Aufbewahrungsende",
            xs_date(case.retention_until),
        )
    if case.closed_at is not None:
        _leaf(elem, "ZdA", "true")
        _leaf(elem, "ZdADatum", xs_date(case.closed_at))
    _laufzeit(elem, case.created_at, case.closed_at)
    _history(elem, case.history)
    for document in case.documents:
        _dokument(elem, document)
    _extension(elem, case_extension(case))


def _dokument(parent: _Element, doc: DocumentRecord) -> None:
    elem = _el(parent, "Dokument")
    ident = _el(elem, "Identifikation")
    _leaf(ident, "ID", doc.id)
    _leaf(ident, "NummerImUebergeordnetenContainer", str(doc.number_in_container))
    meta = _el(elem, "AllgemeineMetadaten")
    _leaf(meta, "Betreff", doc.title)
    _leaf(meta, "Kennzeichen", doc.reference)
    _leaf(meta, "Federfuehrung", _orgunit(doc.orgunit_code, doc.orgunit_name))
    level = codes.CONFIDENTIAL if doc.confidential else codes.OPEN
    _code(meta, "Vertraulichkeitsstufe", codes.VERTRAULICHKEITSSTUFE, level)
    _code(meta, "Medium", codes.MEDIUM, codes.MEDIUM_ELECTRONIC)
    if doc.document_date is not None:
        _leaf(elem, "DatumDesSchreibens", xs_date(doc.document_date))
    _leaf(elem, "Bearbeiter", doc.created_by)
    _leaf(elem, "Typ", doc.document_type)
    _history(elem, doc.history)
    for version in doc.versions:
        _version(elem, version)
    if doc.sender is not None:
        _leaf(_el(_el(elem, "Absender"), "Institution"), "Name", doc.sender)
    _extension(elem, document_extension(doc))


def _version(parent: _Element, version: VersionRecord) -> None:
    if not version.files:
        return  # xdomea needs at least one Format; the extension keeps the version
    elem = _el(parent, "Version")
    _leaf(elem, "Nummer", str(version.number))
    for file in version.files:
        _format(elem, version, file)


def _format(parent: _Element, version: VersionRecord, file: PrimaryFile) -> None:
    ext = extension(file.original_name, file.media_type)
    code = codes.dateiformat(ext, pdfa=file.role == "pdfa")
    elem = _el(parent, "Format")
    name = _el(
        elem, "Name", {"listURI": codes.DATEIFORMAT_URI, "listVersionID": codes.DATEIFORMAT_VERSION}
    )
    etree.SubElement(name, "code").text = code  # Dateiformat allows no <name>
    if code == codes.OTHER_FORMAT:
        _leaf(elem, "SonstigerName", file.media_type)
    _leaf(elem, "Version", "")
    primary = _el(elem, "Primaerdokument")
    _leaf(primary, "Dateiname", file.name)
    _leaf(primary, "DateinameOriginal", file.original_name)
    _leaf(primary, "Ersteller", version.created_by)
    _leaf(primary, "DatumUhrzeit", xs_datetime(version.created_at))


def _laufzeit(parent: _Element, begin: datetime, end: datetime | None) -> None:
    elem = _el(parent, "Laufzeit")
    _leaf(elem, "Beginn", xs_date(begin))
    if end is not None:
        _leaf(elem, "Ende", xs_date(end))


def _history(parent: _Element, history: list[HistoryEntry]) -> None:
    for entry in history:
        elem = _el(parent, "HistorienProtokollInformation")
        _leaf(elem, "Akteur", entry.actor)
        _leaf(elem, "DatumUhrzeit", xs_datetime(entry.at))
        _leaf(elem, "Aktion", entry.description)


def _orgunit(code: str, name: str) -> str:
    return f"{code} {name}".strip()


def _extension(parent: _Element, items: list[Field | Group]) -> None:
    """eakte's AnwendungsspezifischeErweiterung: everything xdomea has no element for."""
    elem = _el(parent, "AnwendungsspezifischeErweiterung")
    _leaf(elem, "Kennung", EXT_ID)
    _leaf(elem, "Name", EXT_NAME)
    _leaf(elem, "Beschreibung", EXT_DESCRIPTION)
    _leaf(elem, "Versionsnummer", EXT_VERSION)
    for group in (item for item in items if isinstance(item, Group)):
        _group(elem, "Feldgruppe", group)
    for field_ in (item for item in items if isinstance(item, Field)):
        _field(elem, field_)


def _group(parent: _Element, tag: str, group: Group) -> None:
    elem = _el(parent, tag)
    _leaf(elem, "Name", group.name)
    _leaf(elem, "Beschreibung", group.description)
    for sub in group.groups:
        _group(elem, "Unterfeldgruppe", sub)
    for field_ in group.fields:
        _field(elem, field_)


def _field(parent: _Element, field_: Field) -> None:
    elem = _el(parent, "Feld")
    _leaf(elem, "Name", field_.name)
    _leaf(elem, "Wert", field_.value)
