"""The records of a package as plain data: what the xdomea writer writes and the reader reads.

These classes know nothing of the database: the exporter fills them from it,
the importer fills the database from them. One Akte (with its Vorgänge and
documents' metadata, never content) is in memory at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class HistoryEntry:
    """One line of an object's history (xdomea HistorienProtokollInformation)."""

    actor: str
    at: datetime  # aware, UTC
    action: str  # eakte's action name, e.g. "document.version_added"; free text on import
    description: str  # German words for people ("Version 2 hinzugefügt")
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PrimaryFile:
    """One file of a version: the original or its PDF/A rendition."""

    role: str  # "original" | "pdfa"
    name: str  # file name inside the package's data/ folder (<UUID>.<ext>)
    original_name: str  # the name the file had when it came in
    media_type: str
    sha256: str
    size: int
    created_at: datetime


@dataclass
class VersionRecord:
    number: int
    created_at: datetime
    created_by: str
    files: list[PrimaryFile] = field(default_factory=list)


@dataclass
class DocumentRecord:
    """A Dokument with its versions (metadata only; content is streamed separately)."""

    id: str
    title: str
    created_at: datetime
    created_by: str
    orgunit_code: str
    orgunit_name: str
    number_in_container: int = 1
    reference: str | None = None  # an Aktenzeichen found on the document
    document_date: date | None = None
    sender: str | None = None
    document_type: str | None = None
    language: str | None = None
    page_count: int | None = None
    confidential: bool = False
    scan_note: dict[str, Any] | None = None
    extra: dict[str, str] = field(default_factory=dict)  # further metadata, kept as text
    history: list[HistoryEntry] = field(default_factory=list)
    versions: list[VersionRecord] = field(default_factory=list)


@dataclass
class CaseRecord:
    """A Vorgang."""

    id: str
    reference: str
    title: str
    created_at: datetime
    created_by: str
    closed_at: datetime | None = None  # zdA
    retention_until: date | None = None  # end of retention (31.12. of zdA year + years)
    history: list[HistoryEntry] = field(default_factory=list)
    documents: list[DocumentRecord] = field(default_factory=list)


@dataclass
class CaseFileRecord:
    """An Akte with its Vorgänge and the documents filed directly in it."""

    id: str
    reference: str
    title: str
    orgunit_code: str
    orgunit_name: str
    plan_code: str
    plan_title: str
    retention_years: int | None  # None: kept for ever
    disposition: str  # "A" archive, "B" evaluate, "V" destroy
    created_at: datetime
    created_by: str
    closed_at: datetime | None = None  # zdA
    history: list[HistoryEntry] = field(default_factory=list)
    cases: list[CaseRecord] = field(default_factory=list)
    documents: list[DocumentRecord] = field(default_factory=list)


RecordObject = CaseFileRecord | CaseRecord | DocumentRecord


@dataclass(frozen=True)
class MessageHeader:
    """The Kopf of a 0503 message."""

    prozess_id: str
    created_at: datetime
    sender_institution: str
    sender_orgunit: str | None
    recipient_institution: str
