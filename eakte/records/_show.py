"""One document as people and scripts see it (``eakte show``), signatures checked live."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sqlalchemy import select

from eakte.exceptions import ObjectIntegrityError, ObjectNotFound, SigningKeyError
from eakte.models import DocumentVersion
from eakte.records._context import Records
from eakte.records._documents import get_visible
from eakte.records._principal import Permission, Principal, require
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


def document_report(records: Records, principal: Principal, document_id: str) -> dict[str, Any]:
    with records.reading() as session:
        document = get_visible(session, document_id)
        require(session, principal, Permission.READ, document.orgunit_id)
        versions = session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document_id)
            .order_by(DocumentVersion.number)
        ).all()
        metadata = versions[-1].doc_metadata if versions else {}
        return {
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
