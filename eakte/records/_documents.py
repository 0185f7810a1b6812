"""Documents and their immutable, signed versions.

Adding a version is one unit of work: the content is stored first (outside the
database transaction, streamed, content-addressed), then manifest, signature,
version row and audit event are written in one transaction. If that
transaction fails, nothing in the database points to the stored objects; they
stay behind as stray objects that ``eakte verify`` reports.
"""

from __future__ import annotations

import base64
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import NotFound, RecordsError
from eakte.models import Case, CaseFile, Document, DocumentVersion, OrgUnit
from eakte.records._casefiles import visible_case, visible_case_file
from eakte.records._context import Records
from eakte.records._orgs import orgunit_by_code
from eakte.records._principal import Permission, Principal, require
from eakte.signing import build_manifest, canonical_json, sign_manifest
from eakte.storage import ObjectKind, StoredObject

Content = bytes | BinaryIO | Path


@dataclass(frozen=True)
class VersionInput:
    """What describes one version besides its bytes."""

    filename: str
    media_type: str = "application/octet-stream"
    metadata: Mapping[str, Any] = field(default_factory=dict)
    source: str = "upload"
    scan_note: Mapping[str, Any] | None = None
    renditions: Mapping[str, str] = field(default_factory=dict)  # name -> RENDITION sha256


@dataclass(frozen=True)
class DocumentDetails:
    """What extraction found about a new document (all optional)."""

    document_date: date | None = None
    sender: str | None = None
    document_type: str | None = None
    language: str | None = None
    page_count: int | None = None
    text: str = ""
    parent_id: str | None = None


# Called inside the creating transaction, e.g. to record an ingest item atomically.
OnCreated = Callable[[Session, DocumentVersion], None]


def clean_filename(name: str) -> str:
    """The last path component, NFC-normalised, without control characters."""
    name = unicodedata.normalize("NFC", name)
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = "".join(ch for ch in name if ch.isprintable()).strip(" .")
    return name[:255] or "unnamed"


def _checked_json(value: Mapping[str, Any] | None, what: str) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        canonical_json(dict(value))
    except TypeError as exc:
        raise RecordsError(f"The {what} cannot be recorded: {exc}.") from exc
    return dict(value)


def _record_version(
    records: Records,
    session: Session,
    principal: Principal,
    document: Document,
    stored: StoredObject,
    version: VersionInput,
) -> DocumentVersion:
    previous = session.scalar(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document.id)
        .order_by(DocumentVersion.number.desc())
        .limit(1)
    )
    number = (previous.number if previous else 0) + 1
    case_reference = (
        document.case.reference
        if document.case
        else document.case_file.reference
        if document.case_file
        else None
    )
    metadata = _checked_json(version.metadata, "metadata") or {}
    described: dict[str, Any] = {  # what manifest and row both record, same names
        "content_sha256": stored.sha256,
        "size": stored.size,
        "media_type": version.media_type,
        "filename": clean_filename(version.filename),
        "created_at": datetime.now(UTC),
        "created_by": principal.actor,
        "source": version.source,
        "scan_note": _checked_json(version.scan_note, "scan note"),
        "case_reference": case_reference,
        "previous_manifest_sha256": previous.manifest_sha256 if previous else None,
        "renditions": dict(version.renditions),
    }
    manifest = build_manifest(
        document_id=document.id, version=number, metadata=metadata, **described
    )
    records.ensure_active_key_registered(session)
    signed = sign_manifest(records.keyring(), manifest)
    records.store.put(ObjectKind.MANIFEST, signed.manifest_bytes)
    signature_object = records.store.put(ObjectKind.SIGNATURE, signed.signature_record())
    row = DocumentVersion(
        document_id=document.id,
        number=number,
        doc_metadata=metadata,
        manifest_sha256=signed.manifest_sha256,
        key_id=signed.key_id,
        signature=base64.b64encode(signed.signature).decode(),
        signature_sha256=signature_object.sha256,
        **described,
    )
    session.add(row)
    document.version_count = number
    session.flush()
    records.audit.append(
        session,
        actor=principal.actor,
        action="document.version_added",
        object_type="document",
        object_id=document.id,
        details={
            "version": number,
            "sha256": stored.sha256,
            "manifest_sha256": signed.manifest_sha256,
        },
    )
    return row


def _store_content(records: Records, content: Content, version: VersionInput) -> StoredObject:
    records.keyring().unlock()  # a key problem must stop us before anything is stored
    return records.store.put(
        ObjectKind.CONTENT,
        content,
        metadata={"filename": clean_filename(version.filename), "media_type": version.media_type},
    )


@dataclass(frozen=True)
class _Target:
    orgunit: OrgUnit
    case_file: CaseFile | None
    case: Case | None


def _resolve_target(
    session: Session,
    principal: Principal,
    orgunit: str,
    case_file: str | None,
    case: str | None,
) -> _Target:
    """Where a new document goes, with the rights checked for it."""
    unit = orgunit_by_code(session, orgunit)
    if case_file is None and case is None:
        require(session, principal, Permission.DEPOSIT, unit.id)
        return _Target(unit, None, None)
    the_case = visible_case(session, principal, case, Permission.WRITE) if case else None
    the_file = the_case.case_file if the_case else None
    if case_file:
        the_file = visible_case_file(session, principal, case_file, Permission.WRITE)
        if the_case and the_case.case_file_id != the_file.id:
            raise RecordsError(f"Case {case} does not belong to case file {case_file}.")
    assert the_file is not None
    return _Target(the_file.orgunit, the_file, the_case)


def create_document(
    records: Records,
    principal: Principal,
    *,
    title: str,
    orgunit: str,
    content: Content,
    version: VersionInput,
    case_file: str | None = None,
    case: str | None = None,
    details: DocumentDetails | None = None,
    on_created: OnCreated | None = None,
) -> DocumentVersion:
    """A new document with its first version, in a case (file) or the org unit's Posteingang."""
    if not title.strip():
        raise RecordsError("A document needs a title.")
    _check_version_input(version)
    with records.reading() as session:  # check everything before storing anything
        _resolve_target(session, principal, orgunit, case_file, case)
    stored = _store_content(records, content, version)
    with records.transaction() as session:
        target = _resolve_target(session, principal, orgunit, case_file, case)
        document = Document(
            title=title.strip()[:500],
            orgunit_id=target.orgunit.id,
            case_file_id=target.case_file.id if target.case_file else None,
            case_id=target.case.id if target.case else None,
            created_by=principal.actor,
            **vars(details or DocumentDetails()),
        )
        session.add(document)
        session.flush()
        records.audit.append(
            session,
            actor=principal.actor,
            action="document.created",
            object_type="document",
            object_id=document.id,
            details={
                "title": document.title,
                "orgunit": target.orgunit.code,
                "case_file": target.case_file.reference if target.case_file else None,
                "case": target.case.reference if target.case else None,
            },
        )
        row = _record_version(records, session, principal, document, stored, version)
        if on_created is not None:
            on_created(session, row)
        return row


def _check_version_input(version: VersionInput) -> None:
    """Refuse unrecordable metadata before any byte is stored."""
    _checked_json(version.metadata, "metadata")
    _checked_json(version.scan_note, "scan note")


def _locked_document(session: Session, document_id: str) -> Document:
    document = session.execute(
        select(Document).where(Document.id == document_id).with_for_update(of=Document)
    ).scalar_one_or_none()
    if document is None:
        raise NotFound(f"No document with id {document_id!r}.")
    return document


def add_version(
    records: Records,
    principal: Principal,
    document_id: str,
    content: Content,
    version: VersionInput,
) -> DocumentVersion:
    """Add a new immutable version to an existing document."""
    _check_version_input(version)
    with records.reading() as session:
        require(session, principal, Permission.WRITE, get_visible(session, document_id).orgunit_id)
    stored = _store_content(records, content, version)
    with records.transaction() as session:
        document = _locked_document(session, document_id)
        require(session, principal, Permission.WRITE, document.orgunit_id)
        return _record_version(records, session, principal, document, stored, version)


def get_visible(session: Session, document_id: str) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"No document with id {document_id!r}.")
    return document


def get_document(records: Records, principal: Principal, document_id: str) -> Document:
    with records.reading() as session:
        document = get_visible(session, document_id)
        require(session, principal, Permission.READ, document.orgunit_id)
        return document


def list_versions(
    records: Records, principal: Principal, document_id: str
) -> list[DocumentVersion]:
    with records.reading() as session:
        require(session, principal, Permission.READ, get_visible(session, document_id).orgunit_id)
        return list(
            session.scalars(
                select(DocumentVersion)
                .where(DocumentVersion.document_id == document_id)
                .order_by(DocumentVersion.number)
            ).all()
        )


@contextmanager
def open_content(
    records: Records, principal: Principal, document_id: str, number: int
) -> Iterator[BinaryIO]:
    """Stream a version's bytes; the reader raises an integrity error if they were altered."""
    with records.reading() as session:
        require(session, principal, Permission.READ, get_visible(session, document_id).orgunit_id)
        sha = session.scalar(
            select(DocumentVersion.content_sha256).where(
                DocumentVersion.document_id == document_id, DocumentVersion.number == number
            )
        )
    if sha is None:
        raise NotFound(f"Document {document_id} has no version {number}.")
    with records.store.open(ObjectKind.CONTENT, sha) as reader:
        yield reader


_UNSET: Any = object()
# what update_metadata may change, with the longest value the column takes
_EDITABLE_TEXT = {"title": 500, "sender": 300, "document_type": 60}


def update_metadata(
    records: Records,
    principal: Principal,
    document_id: str,
    *,
    title: str = _UNSET,
    document_date: date | None = _UNSET,
    sender: str | None = _UNSET,
    document_type: str | None = _UNSET,
    confidential: bool = _UNSET,
) -> Document:
    """Change what is known about a document (not its signed versions); audited.

    Only the fields passed are changed. The event ``document.metadata_updated``
    records every changed field's old and new value and the current ``title``
    (the key ``eakte verify`` replays). Nothing changed: no event.
    """
    wanted: dict[str, Any] = {
        "title": title,
        "document_date": document_date,
        "sender": sender,
        "document_type": document_type,
        "confidential": confidential,
    }
    wanted = {k: _clean_field(k, v) for k, v in wanted.items() if v is not _UNSET}
    with records.transaction() as session:
        document = _locked_document(session, document_id)
        require(session, principal, Permission.READ, document.orgunit_id)
        require(session, principal, Permission.WRITE, document.orgunit_id)
        changes = {
            k: {"from": _json_value(getattr(document, k)), "to": _json_value(v)}
            for k, v in wanted.items()
            if getattr(document, k) != v
        }
        if not changes:
            return document
        for name, value in wanted.items():
            setattr(document, name, value)
        session.flush()
        records.audit.append(
            session,
            actor=principal.actor,
            action="document.metadata_updated",
            object_type="document",
            object_id=document.id,
            details={"title": document.title, "changes": changes},
        )
        return document


def _clean_field(name: str, value: Any) -> Any:
    if name in _EDITABLE_TEXT:
        text = " ".join(str(value or "").split())
        if name == "title" and not text:
            raise RecordsError("A document needs a title.")
        if len(text) > _EDITABLE_TEXT[name]:
            what = name.replace("_", " ")
            raise RecordsError(f"The {what} may have at most {_EDITABLE_TEXT[name]} characters.")
        if name == "title":
            return text
        return text or None
    if name == "document_date" and value is not None and not isinstance(value, date):
        raise RecordsError("The document date must be a date.")
    if name == "confidential":
        return bool(value)
    return value


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
