"""Write an xdomea 3.0.0 Aussonderung.Aussonderung.0503 message, one Schriftgutobjekt at a time.

The message is streamed with lxml's ``etree.xmlfile``: every element is
written as it comes, nothing is kept, so memory does not grow with the number
of objects. Which model field goes into which xdomea element is described in
:mod:`eakte.export._xdomea_ext` (the extension for what xdomea has no element
for) and in the functions below.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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


def q(name: str) -> str:
    """The qualified name of an xdomea element."""
    return f"{{{NS}}}{name}"


class _Out:
    """Small helpers over an ``etree.xmlfile`` writer; one element per line, indented."""

    def __init__(self, xf: Any) -> None:
        self.xf = xf
        self.depth = 1

    def _newline(self) -> None:
        self.xf.write("\n" + "  " * self.depth)

    @contextmanager
    def el(self, name: str, attrib: dict[str, str] | None = None) -> Iterator[None]:
        self._newline()
        with self.xf.element(q(name), attrib or {}):
            self.depth += 1
            yield
            self.depth -= 1
            self._newline()

    def leaf(self, name: str, text: str | None) -> None:
        """``<xdomea:name>text</xdomea:name>``; nothing when ``text`` is None."""
        if text is None:
            return
        self._newline()
        with self.xf.element(q(name)):
            self.xf.write(text)

    def _unqualified(self, name: str, text: str) -> None:
        self._newline()
        with self.xf.element(name):
            self.xf.write(text)

    def code(self, name: str, codes_: codes.CodeList, code: str) -> None:
        attrib = {"listURI": codes_.uri, "listVersionID": codes_.version}
        with self.el(name, attrib):
            self._unqualified("code", code)
            if code in codes_.names:
                self._unqualified("name", codes_.names[code])

    def format_code(self, code: str) -> None:
        """Dateiformat: the schema allows only ``code`` here, no ``name``."""
        attrib = {"listURI": codes.DATEIFORMAT_URI, "listVersionID": codes.DATEIFORMAT_VERSION}
        with self.el("Name", attrib):
            self._unqualified("code", code)


def write_message(out: BinaryIO, header: MessageHeader, objects: Iterable[RecordObject]) -> None:
    """Write an Aussonderung.Aussonderung.0503 message incrementally (lxml etree.xmlfile), one
    Schriftgutobjekt per object; memory independent of the number of objects."""
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(q(ROOT), nsmap={"xdomea": NS}):
            w = _Out(xf)
            _kopf(w, header)
            for obj in objects:
                with w.el("Schriftgutobjekt"):
                    if isinstance(obj, CaseFileRecord):
                        _akte(w, obj)
                    elif isinstance(obj, CaseRecord):
                        _vorgang(w, obj)
                    else:
                        _dokument(w, obj)
                xf.flush()
            xf.write("\n")


def _kopf(w: _Out, header: MessageHeader) -> None:
    from eakte import __version__

    with w.el("Kopf"):
        w.leaf("ProzessID", header.prozess_id)
        w.code("Nachrichtentyp", codes.NACHRICHTENTYP, codes.AUSSONDERUNG_0503)
        w.leaf("Erstellungszeitpunkt", xs_datetime(header.created_at))
        with w.el("Absender"):
            with w.el("Institution"):
                w.leaf("Name", header.sender_institution)
            if header.sender_orgunit is not None:
                with w.el("Organisationseinheit"):
                    w.leaf("Name", header.sender_orgunit)
        with w.el("Empfaenger"), w.el("Institution"):
            w.leaf("Name", header.recipient_institution)
        with w.el("SendendesSystem"):
            w.leaf("Produktname", "eakte")
            w.leaf("Version", __version__)
        w.leaf("Importbestaetigung", "true")
        w.leaf("RueckmeldungArchivkennung", "false")
        w.leaf("Empfangsbestaetigung", "false")


def _akte(w: _Out, akte: CaseFileRecord) -> None:
    with w.el("Akte"):
        with w.el("Identifikation"):
            w.leaf("ID", akte.id)
        with w.el("AllgemeineMetadaten"):
            w.leaf("Betreff", akte.title)
            w.leaf("Kennzeichen", akte.reference)
            w.leaf("Federfuehrung", _orgunit(akte.orgunit_code, akte.orgunit_name))
            w.code("Medium", codes.MEDIUM, codes.MEDIUM_ELECTRONIC)
            with w.el("Aktenplaneinheit"):
                w.leaf("Kennzeichen", akte.plan_code)
                w.leaf("Inhaltsangabe", akte.plan_title)
        with w.el("ArchivspezifischeMetadaten"):
            with w.el("Aufbewahrungsdauer"):
                if akte.retention_years is None:
                    w.leaf("Unbefristet", "true")
                else:
                    w.leaf("AnzahlJahre", str(akte.retention_years))
            with w.el("Aussonderungsart"):
                if akte.disposition in codes.AUSSONDERUNGSART.names:
                    w.code("Aussonderungsart", codes.AUSSONDERUNGSART, akte.disposition)
                else:
                    w.leaf("AussonderungsartKonfigurierbar", akte.disposition)
        _laufzeit(w, akte.created_at, akte.closed_at)
        _history(w, akte.history)
        if akte.documents or akte.cases:
            with w.el("Akteninhalt"):
                for document in akte.documents:
                    _dokument(w, document)
                for case in akte.cases:
                    _vorgang(w, case)
        if akte.closed_at is not None:
            w.leaf("ZdA", "true")
            w.leaf("ZdADatum", xs_date(akte.closed_at))
        _extension(w, case_file_extension(akte))


def _vorgang(w: _Out, case: CaseRecord) -> None:
    with w.el("Vorgang"):
        with w.el("Identifikation"):
            w.leaf("ID", case.id)
        with w.el("AllgemeineMetadaten"):
            w.leaf("Betreff", case.title)
            w.leaf("Kennzeichen", case.reference)
            w.code("Medium", codes.MEDIUM, codes.MEDIUM_ELECTRONIC)
        if case.retention_until is not None:
            with w.el("ArchivspezifischeMetadaten"):
                w.leaf("Aufbewahrungsende", case.retention_until.isoformat())
        if case.closed_at is not None:
            w.leaf("ZdA", "true")
            w.leaf("ZdADatum", xs_date(case.closed_at))
        _laufzeit(w, case.created_at, case.closed_at)
        _history(w, case.history)
        for document in case.documents:
            _dokument(w, document)
        _extension(w, case_extension(case))


def _dokument(w: _Out, doc: DocumentRecord) -> None:
    with w.el("Dokument"):
        with w.el("Identifikation"):
            w.leaf("ID", doc.id)
            w.leaf("NummerImUebergeordnetenContainer", str(doc.number_in_container))
        with w.el("AllgemeineMetadaten"):
            w.leaf("Betreff", doc.title)
            w.leaf("Kennzeichen", doc.reference)
            w.leaf("Federfuehrung", _orgunit(doc.orgunit_code, doc.orgunit_name))
            level = codes.CONFIDENTIAL if doc.confidential else codes.OPEN
            w.code("Vertraulichkeitsstufe", codes.VERTRAULICHKEITSSTUFE, level)
            w.code("Medium", codes.MEDIUM, codes.MEDIUM_ELECTRONIC)
        if doc.document_date is not None:
            w.leaf("DatumDesSchreibens", doc.document_date.isoformat())
        w.leaf("Bearbeiter", doc.created_by)
        w.leaf("Typ", doc.document_type)
        _history(w, doc.history)
        for version in doc.versions:
            _version(w, version)
        if doc.sender is not None:
            with w.el("Absender"), w.el("Institution"):
                w.leaf("Name", doc.sender)
        _extension(w, document_extension(doc))


def _version(w: _Out, version: VersionRecord) -> None:
    if not version.files:
        return  # xdomea needs at least one Format; the extension keeps the version
    with w.el("Version"):
        w.leaf("Nummer", str(version.number))
        for file in version.files:
            _format(w, version, file)


def _format(w: _Out, version: VersionRecord, file: PrimaryFile) -> None:
    ext = extension(file.original_name, file.media_type)
    code = codes.dateiformat(ext, pdfa=file.role == "pdfa")
    with w.el("Format"):
        w.format_code(code)
        if code == codes.OTHER_FORMAT:
            w.leaf("SonstigerName", file.media_type)
        w.leaf("Version", "")
        with w.el("Primaerdokument"):
            w.leaf("Dateiname", file.name)
            w.leaf("DateinameOriginal", file.original_name)
            w.leaf("Ersteller", version.created_by)
            w.leaf("DatumUhrzeit", xs_datetime(version.created_at))


def _laufzeit(w: _Out, begin: Any, end: Any) -> None:
    with w.el("Laufzeit"):
        w.leaf("Beginn", xs_date(begin))
        if end is not None:
            w.leaf("Ende", xs_date(end))


def _history(w: _Out, history: list[HistoryEntry]) -> None:
    for entry in history:
        with w.el("HistorienProtokollInformation"):
            w.leaf("Akteur", entry.actor)
            w.leaf("DatumUhrzeit", xs_datetime(entry.at))
            w.leaf("Aktion", entry.description)


def _orgunit(code: str, name: str) -> str:
    return f"{code} {name}".strip()


def _extension(w: _Out, fields: list[Field | Group]) -> None:
    """eakte's AnwendungsspezifischeErweiterung: everything xdomea has no element for."""
    with w.el("AnwendungsspezifischeErweiterung"):
        w.leaf("Kennung", EXT_ID)
        w.leaf("Name", EXT_NAME)
        w.leaf("Beschreibung", EXT_DESCRIPTION)
        w.leaf("Versionsnummer", EXT_VERSION)
        for group in (item for item in fields if isinstance(item, Group)):
            _group(w, "Feldgruppe", group)
        for field_ in (item for item in fields if isinstance(item, Field)):
            _field(w, field_)


def _group(w: _Out, tag: str, group: Group) -> None:
    with w.el(tag):
        w.leaf("Name", group.name)
        w.leaf("Beschreibung", group.description)
        for sub in group.groups:
            _group(w, "Unterfeldgruppe", sub)
        for field_ in group.fields:
            _field(w, field_)


def _field(w: _Out, field_: Field) -> None:
    with w.el("Feld"):
        w.leaf("Name", field_.name)
        w.leaf("Wert", field_.value)
