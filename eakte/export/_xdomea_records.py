"""Parsed xdomea 3.0.0 elements (Kopf, Schriftgutobjekt) as eakte's records.

eakte's own messages come back exactly as written (their extension, see
:mod:`eakte.export._xdomea_ext`, holds what xdomea has no element for).
Foreign messages are read as far as they map: a missing text becomes ``""``
(:data:`UNKNOWN`), a missing optional value None; times missing in a foreign
message are taken from the Laufzeit, the history or the message's
Erstellungszeitpunkt. Teilakten are flattened into their Akte, Teilvorgänge
into their Vorgang, and a Dokument's Anlagen follow it as documents of the
same container. Checksums and sizes of foreign files are unknown (``""``, 0).
"""

from __future__ import annotations

import functools
import json
import mimetypes
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from eakte.exceptions import RecordsError
from eakte.export import _xdomea_codes as codes
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
from eakte.export._xdomea_ext import EXT_ID, Extension, Field, Group
from eakte.export._xdomea_time import parse_date, parse_datetime

NS = "urn:xoev-de:xdomea:schema:3.0.0"
UNKNOWN = ""  # value of a required text field a foreign message leaves out

_Element = Any  # lxml's _Element (lxml has no type stubs here)
_FELD, _UNTERFELDGRUPPE = f"{{{NS}}}Feld", f"{{{NS}}}Unterfeldgruppe"
_NAME, _BESCHREIBUNG, _WERT = f"{{{NS}}}Name", f"{{{NS}}}Beschreibung", f"{{{NS}}}Wert"
_FOREIGN_HISTORY_DETAILS = (
    "MetadatumName",
    "MetadatumAlterWert",
    "MetadatumNeuerWert",
    "Bemerkung",
)
_OrgUnit = tuple[str, str]  # (code, name) a document inherits from its container


class XdomeaError(RecordsError):
    """A file is not a readable xdomea 3.0.0 0503 message; the message says what is wrong."""


def q(name: str) -> str:
    return f"{{{NS}}}{name}"


def header_from(path: Path, kopf: _Element) -> MessageHeader:
    """The MessageHeader of a parsed Kopf."""
    code = kopf.findtext(f"{q('Nachrichtentyp')}/code")
    if code is not None and code.strip() != codes.AUSSONDERUNG_0503:
        raise XdomeaError(f"{path}: Nachrichtentyp is {code.strip()}, not 0503.")
    reader = RecordReader(path, None)
    created = kopf.find(q("Erstellungszeitpunkt"))
    return MessageHeader(
        prozess_id=(kopf.findtext(q("ProzessID")) or UNKNOWN).strip(),
        created_at=(reader.when(created) if created is not None else datetime.now(UTC)),
        sender_institution=_institution(kopf.find(q("Absender"))) or UNKNOWN,
        sender_orgunit=_text(kopf, "Absender/Organisationseinheit/Name"),
        recipient_institution=_institution(kopf.find(q("Empfaenger"))) or UNKNOWN,
    )


def _institution(contact: _Element | None) -> str | None:
    if contact is None:
        return None
    return _text(contact, "Institution/Name") or _text(contact, "Institution/Kurzbezeichnung")


@functools.cache
def _path(path: str) -> str:
    """``"A/B/code"`` as an ElementPath; ``code`` and ``name`` of code lists are unqualified."""
    return "/".join(step if step in ("code", "name") else q(step) for step in path.split("/"))


def _text(elem: _Element, path: str) -> str | None:
    """Text of the xdomea element at ``path`` ("A/B/C") below ``elem``; None when absent."""
    found = elem.find(_path(path))
    if found is None:
        return None
    return str(found.text or "")


class RecordReader:
    """Turns Schriftgutobjekt elements of one message into model objects."""

    def __init__(self, path: Path, header: MessageHeader | None) -> None:
        self.path = path
        self._header = header

    @property
    def header(self) -> MessageHeader:
        assert self._header is not None
        return self._header

    def schriftgutobjekt(self, sgo: _Element) -> Iterator[RecordObject]:
        """The records of one Schriftgutobjekt (a Dokument with Anlagen gives several)."""
        for child in sgo:
            if child.tag == q("Akte"):
                yield self._akte(child)
            elif child.tag == q("Vorgang"):
                yield self._vorgang(child)
            elif child.tag == q("Dokument"):
                yield from self._dokumente(child, None)
            else:
                raise self.error(child, "is not an Akte, Vorgang or Dokument")

    # --- values ----------------------------------------------------------------------

    def error(self, elem: _Element, problem: str) -> XdomeaError:
        name = etree.QName(elem).localname
        return XdomeaError(
            f"{self.path}, line {elem.sourceline}: {name} {problem}. "
            f"The message does not follow xdomea 3.0.0; check it with the schema."
        )

    def when(self, elem: _Element) -> datetime:
        try:
            return parse_datetime(elem.text or "")
        except ValueError:
            raise self.error(elem, f"{elem.text!r} is not a date and time") from None

    def day(self, elem: _Element) -> date:
        try:
            return parse_date(elem.text or "")
        except ValueError:
            raise self.error(elem, f"{elem.text!r} is not a date") from None

    def opt_date(self, parent: _Element, path: str) -> date | None:
        found = parent.find(_path(path))
        return None if found is None else self.day(found)

    def extension(self, parent: _Element) -> Extension | None:
        for ext in parent.iterfind(q("AnwendungsspezifischeErweiterung")):
            if (ext.findtext(q("Kennung")) or "").strip() == EXT_ID:
                groups = [_group(g) for g in ext.iterfind(q("Feldgruppe"))]
                fields = {f.name: f.value for f in map(_field, ext.iterfind(q("Feld")))}
                return Extension(fields, {g.name: g for g in groups})
        return None

    def history(self, parent: _Element, ext: Extension | None) -> list[HistoryEntry]:
        entries = []
        for index, info in enumerate(parent.iterfind(q("HistorienProtokollInformation"))):
            action_text = info.findtext(q("Aktion")) or ""
            at = info.find(q("DatumUhrzeit"))
            known = ext.history(index) if ext else None
            if known is not None:
                action, details = known
            else:
                action = action_text
                details = {
                    name: value
                    for name in _FOREIGN_HISTORY_DETAILS
                    if (value := info.findtext(q(name))) is not None
                }
            entries.append(
                HistoryEntry(
                    actor=info.findtext(q("Akteur")) or UNKNOWN,
                    at=self.when(at) if at is not None else self.header.created_at,
                    action=action,
                    description=action_text,
                    details=details,
                )
            )
        return entries

    def created(
        self, ext: Extension | None, begin: date | None, history: list[HistoryEntry]
    ) -> tuple[datetime, str]:
        """(created_at, created_by): eakte's own values, else the start and first actor."""
        if ext is not None and "created_at" in ext.fields:
            return parse_datetime(ext.fields["created_at"]), ext.fields.get("created_by", UNKNOWN)
        first = min(history, key=lambda e: e.at) if history else None
        if begin is not None:
            at = datetime(begin.year, begin.month, begin.day, tzinfo=UTC)
        else:
            at = first.at if first else self.header.created_at
        return at, first.actor if first else UNKNOWN

    def closed(self, elem: _Element, ext: Extension | None) -> datetime | None:
        if ext is not None and "created_at" in ext.fields:
            closed = ext.fields.get("closed_at")
            return parse_datetime(closed) if closed is not None else None
        day = self.opt_date(elem, "ZdADatum") or self.opt_date(elem, "Laufzeit/Ende")
        return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)

    # --- objects ---------------------------------------------------------------------

    def _akte(self, elem: _Element) -> CaseFileRecord:
        ext = self.extension(elem)
        history = self.history(elem, ext)
        created_at, created_by = self.created(ext, self.opt_date(elem, "Laufzeit/Beginn"), history)
        orgunit = _text(elem, "AllgemeineMetadaten/Federfuehrung") or UNKNOWN
        fields = ext.fields if ext else {}
        akte = CaseFileRecord(
            id=self._id(elem),
            reference=_text(elem, "AllgemeineMetadaten/Kennzeichen") or UNKNOWN,
            title=_text(elem, "AllgemeineMetadaten/Betreff") or UNKNOWN,
            orgunit_code=fields.get("orgunit_code", orgunit),
            orgunit_name=fields.get("orgunit_name", orgunit),
            plan_code=_text(elem, "AllgemeineMetadaten/Aktenplaneinheit/Kennzeichen") or UNKNOWN,
            plan_title=_text(elem, "AllgemeineMetadaten/Aktenplaneinheit/Inhaltsangabe") or UNKNOWN,
            retention_years=self._retention_years(elem),
            disposition=self._disposition(elem),
            created_at=created_at,
            created_by=created_by,
            closed_at=self.closed(elem, ext),
            history=history,
        )
        self._fill_akte(akte, elem.find(q("Akteninhalt")))
        return akte

    def _fill_akte(self, akte: CaseFileRecord, content: _Element | None) -> None:
        if content is None:
            return
        for child in content:
            if child.tag == q("Dokument"):
                akte.documents.extend(self._dokumente(child, _orgunit_of(akte)))
            elif child.tag == q("Vorgang"):
                akte.cases.append(self._vorgang(child, _orgunit_of(akte)))
            elif child.tag == q("Teilakte"):
                # eakte has no Teilakten: their history, Vorgänge and documents join the Akte
                ext = self.extension(child)
                akte.history.extend(self.history(child, ext))
                self._fill_akte(akte, child.find(q("Akteninhalt")))

    def _retention_years(self, elem: _Element) -> int | None:
        years = _text(elem, "ArchivspezifischeMetadaten/Aufbewahrungsdauer/AnzahlJahre")
        return int(years) if years and years.strip().isdigit() else None

    def _disposition(self, elem: _Element) -> str:
        base = "ArchivspezifischeMetadaten/Aussonderungsart/"
        code = _text(elem, base + "Aussonderungsart/code")
        if code is None:
            code = _text(elem, base + "AussonderungsartKonfigurierbar")
        if code is None:
            code = _text(elem, "ArchivspezifischeMetadaten/Bewertungsvorschlag/code")
        return code.strip() if code else "B"  # unknown: to be evaluated

    def _vorgang(self, elem: _Element, orgunit: _OrgUnit | None = None) -> CaseRecord:
        ext = self.extension(elem)
        history = self.history(elem, ext)
        created_at, created_by = self.created(ext, self.opt_date(elem, "Laufzeit/Beginn"), history)
        case = CaseRecord(
            id=self._id(elem),
            reference=_text(elem, "AllgemeineMetadaten/Kennzeichen") or UNKNOWN,
            title=_text(elem, "AllgemeineMetadaten/Betreff") or UNKNOWN,
            created_at=created_at,
            created_by=created_by,
            closed_at=self.closed(elem, ext),
            retention_until=self.opt_date(elem, "ArchivspezifischeMetadaten/Aufbewahrungsende"),
            history=history,
        )
        lead = _text(elem, "AllgemeineMetadaten/Federfuehrung")
        self._fill_vorgang(case, elem, (lead, lead) if lead else orgunit)
        return case

    def _fill_vorgang(self, case: CaseRecord, elem: _Element, orgunit: _OrgUnit | None) -> None:
        for doc in elem.iterfind(q("Dokument")):
            case.documents.extend(self._dokumente(doc, orgunit))
        for sub in elem.iterfind(q("Teilvorgang")):
            # eakte has no Teilvorgänge: their history and documents join the Vorgang
            case.history.extend(self.history(sub, self.extension(sub)))
            self._fill_vorgang(case, sub, orgunit)

    def _dokumente(self, elem: _Element, orgunit: _OrgUnit | None) -> list[DocumentRecord]:
        """The document and, flattened after it, its Anlagen."""
        documents = [self._dokument(elem, orgunit)]
        for anlage in elem.iterfind(q("Anlage")):
            documents.extend(self._dokumente(anlage, orgunit))
        return documents

    def _dokument(self, elem: _Element, parent_orgunit: _OrgUnit | None) -> DocumentRecord:
        ext = self.extension(elem)
        fields = ext.fields if ext else {}
        history = self.history(elem, ext)
        versions = ext.versions() if ext else None
        if versions is None:
            versions = [self._version(v) for v in elem.iterfind(q("Version"))]
        first_file = next((v.created_at for v in versions), None)
        created_at, _ = self.created(ext, None, history)
        if ext is None and first_file is not None:
            created_at = first_file
        lead = _text(elem, "AllgemeineMetadaten/Federfuehrung")
        code, name = (lead, lead) if lead else (parent_orgunit or (UNKNOWN, UNKNOWN))
        number = _text(elem, "Identifikation/NummerImUebergeordnetenContainer")
        level = _text(elem, "AllgemeineMetadaten/Vertraulichkeitsstufe/code")
        pages = fields.get("page_count")
        scan_note = fields.get("scan_note")
        return DocumentRecord(
            id=self._id(elem),
            title=_text(elem, "AllgemeineMetadaten/Betreff") or UNKNOWN,
            created_at=created_at,
            created_by=_text(elem, "Bearbeiter") or fields.get("created_by", UNKNOWN),
            orgunit_code=fields.get("orgunit_code", code),
            orgunit_name=fields.get("orgunit_name", name),
            number_in_container=int(number) if number and number.strip().isdigit() else 1,
            reference=_text(elem, "AllgemeineMetadaten/Kennzeichen"),
            document_date=self.opt_date(elem, "DatumDesSchreibens"),
            sender=self._sender(elem),
            document_type=_text(elem, "Typ"),
            language=fields.get("language"),
            page_count=int(pages) if pages is not None else None,
            confidential=level is not None and level.strip() != codes.OPEN,
            scan_note=_json_object(scan_note) if scan_note is not None else None,
            extra=ext.extra() if ext else {},
            history=history,
            versions=versions,
        )

    def _sender(self, elem: _Element) -> str | None:
        contact = elem.find(q("Absender"))
        if contact is None:
            return None
        for path in (
            "Institution/Name",
            "Institution/Kurzbezeichnung",
            "Organisationseinheit/Name",
            "Name/Familienname/Name",
        ):
            value = _text(contact, path)
            if value:
                return value
        return None

    def _version(self, elem: _Element) -> VersionRecord:
        """A foreign Version; checksums and sizes stay unknown ("" and 0) until files are read."""
        number = (elem.findtext(q("Nummer")) or "").strip()
        files: list[PrimaryFile] = []
        created_at: datetime | None = None
        created_by = UNKNOWN
        for index, fmt in enumerate(elem.iterfind(q("Format"))):
            doc = fmt.find(q("Primaerdokument"))
            if doc is None:
                raise self.error(fmt, "has no Primaerdokument")
            at = doc.find(q("DatumUhrzeit"))
            file_at = self.when(at) if at is not None else self.header.created_at
            if created_at is None:
                created_at = file_at
                created_by = doc.findtext(q("Ersteller")) or UNKNOWN
            name = (doc.findtext(q("Dateiname")) or "").strip()
            code = (fmt.findtext(f"{q('Name')}/code") or "").strip()
            files.append(
                PrimaryFile(
                    role="pdfa" if index > 0 and code == codes.PDFA else "original",
                    name=name,
                    original_name=doc.findtext(q("DateinameOriginal")) or name,
                    media_type=_media_type(name),
                    sha256=UNKNOWN,
                    size=0,
                    created_at=file_at,
                )
            )
        return VersionRecord(
            number=int(number) if number.isdigit() else 1,
            created_at=created_at or self.header.created_at,
            created_by=created_by,
            files=files,
        )

    def _id(self, elem: _Element) -> str:
        ident = elem.find(f"{q('Identifikation')}/{q('ID')}")
        if ident is None or not (ident.text or "").strip():
            raise self.error(elem, "has no Identifikation/ID")
        return str(ident.text).strip()


def _orgunit_of(akte: CaseFileRecord) -> _OrgUnit:
    return akte.orgunit_code, akte.orgunit_name


def _group(elem: _Element) -> Group:
    name = description = ""
    fields: list[Field] = []
    groups: list[Group] = []
    for child in elem:
        if child.tag == _FELD:
            fields.append(_field(child))
        elif child.tag == _UNTERFELDGRUPPE:
            groups.append(_group(child))
        elif child.tag == _NAME:
            name = child.text or ""
        elif child.tag == _BESCHREIBUNG:
            description = child.text or ""
    return Group(name, description, fields, groups)


def _field(elem: _Element) -> Field:
    name = value = ""
    for child in elem:
        if child.tag == _NAME:
            name = child.text or ""
        elif child.tag == _WERT:
            value = child.text or ""
    return Field(name, value)


def _json_object(text: str) -> dict[str, Any]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {"value": value}


def _media_type(filename: str) -> str:
    guessed, _ = mimetypes.guess_type(PurePosixPath(filename).name, strict=False)
    return guessed or "application/octet-stream"
