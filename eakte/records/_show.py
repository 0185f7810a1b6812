"""One document as people and scripts see it (``eakte show``), signatures checked live;
its downloads and the source of its page previews.

Every read of a document marked confidential (the report, a download, a
preview image) writes a ``document.read`` audit event before the data leaves.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import NotFound, ObjectIntegrityError, ObjectNotFound, SigningKeyError
from eakte.models import Document, DocumentVersion
from eakte.records._context import Records
from eakte.records._documents import get_visible
from eakte.records._principal import Permission, Principal, allowed, require
from eakte.signing import verify_signature
from eakte.storage import ObjectKind


def _signature_valid(records: Records, row: DocumentVersion) -> bool:
    """The stored manifest verifies against the key folder's public key."""
    try:
        manifest = records.store.read_bytes(ObjectKind.MANIFEST, row.manifest_sha256)
        pem = records.keyring().public_pem(row.key_id)
        signature = base64.b64decode(row.signature, validate=True)
        return verify_signature(pem, manifest, signature)
    except (ObjectNotFound, ObjectIntegrityError, SigningKeyError, binascii.Error, ValueError):
        return False


def _readable(session: Session, principal: Principal, document_id: str) -> Document:
    document = get_visible(session, document_id)
    require(session, principal, Permission.READ, document.orgunit_id)
    return document


def audit_read(
    records: Records, principal: Principal, document: Document, what: str, **details: Any
) -> None:
    """Record a read of a confidential document (nothing for others)."""
    if not document.confidential:
        return
    with records.transaction() as session:
        records.audit.append(
            session,
            actor=principal.actor,
            action="document.read",
            object_type="document",
            object_id=document.id,
            details={"read": what, **details},
        )


def document_report(records: Records, principal: Principal, document_id: str) -> dict[str, Any]:
    with records.reading() as session:
        document = _readable(session, principal, document_id)
        versions = session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document_id)
            .order_by(DocumentVersion.number)
        ).all()
        metadata = versions[-1].doc_metadata if versions else {}
        report = {
            "document_id": document.id,
            "title": document.title,
            "reference": (
                document.case.reference
                if document.case
                else document.case_file.reference
                if document.case_file
                else None
            ),
            "document_date": document.document_date.isoformat() if document.document_date else None,
            "sender": document.sender,
            "document_type": document.document_type,
            "language": document.language,
            "page_count": document.page_count,
            "orgunit": document.orgunit.code,
            "case_file": document.case_file.reference if document.case_file else None,
            "parent_id": document.parent_id,
            "created_at": document.created_at.isoformat(),
            "routing": metadata.get("routing"),
            "routing_rule": metadata.get("routing_rule"),
            "confidential": document.confidential,
            "may_write": allowed(session, principal, Permission.WRITE, document.orgunit_id),
            "references": metadata.get("references", []),
            "text": document.text,
            "versions": [
                {
                    "number": v.number,
                    "sha256": v.content_sha256,
                    "size": v.size,
                    "media_type": v.media_type,
                    "filename": v.filename,
                    "created_at": v.created_at.isoformat(),
                    "created_by": v.created_by,
                    "source": v.source,
                    "scan_note": v.scan_note,
                    "renditions": v.renditions or {},
                    "key_id": v.key_id,
                    "signature_valid": _signature_valid(records, v),
                }
                for v in versions
            ],
            "workflow": None,
        }
    audit_read(records, principal, document, "report")
    return report


@dataclass(frozen=True)
class Download:
    reader: BinaryIO
    filename: str
    media_type: str


@contextmanager
def open_download(
    records: Records, principal: Principal, document_id: str, number: int, rendition: str | None
) -> Iterator[Download]:
    """A version's original bytes, or a rendition of it (``"pdfa"``); reads verify the hash."""
    with records.reading() as session:
        document = _readable(session, principal, document_id)
        version = _version(session, document_id, number)
        filename, media_type = version.filename, version.media_type
        kind, sha = ObjectKind.CONTENT, version.content_sha256
        if rendition is not None:
            sha = (version.renditions or {}).get(rendition, "")
            if not sha or rendition == "text":
                raise NotFound(f"Version {number} has no {rendition} rendition.")
            kind, media_type = ObjectKind.RENDITION, "application/pdf"
            filename = f"{PurePosixPath(filename).stem or 'dokument'}-PDFA.pdf"
    audit_read(records, principal, document, "download", version=number, rendition=rendition)
    with records.store.open(kind, sha) as reader:
        yield Download(reader, filename, media_type)


@dataclass(frozen=True)
class PreviewSource:
    """What page previews are drawn from: the newest version's PDF/A, else its original."""

    kind: ObjectKind
    sha256: str
    version: int


def preview_source(records: Records, principal: Principal, document_id: str) -> PreviewSource:
    with records.reading() as session:
        document = _readable(session, principal, document_id)
        version = _version(session, document_id, document.version_count)
        pdfa = (version.renditions or {}).get("pdfa")
        source = (
            PreviewSource(ObjectKind.RENDITION, pdfa, version.number)
            if pdfa
            else PreviewSource(ObjectKind.CONTENT, version.content_sha256, version.number)
        )
    audit_read(records, principal, document, "preview", version=source.version)
    return source


def _version(session: Session, document_id: str, number: int) -> DocumentVersion:
    version = session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.document_id == document_id, DocumentVersion.number == number
        )
    )
    if version is None:
        raise NotFound(f"Document {document_id} has no version {number}.")
    return version
