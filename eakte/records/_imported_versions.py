"""An import's documents, versions, keys and history (see ``_imported``)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from eakte.exceptions import RecordsError
from eakte.models import Case, CaseFile, Document, DocumentVersion, OrgUnit, SigningKey
from eakte.records._documents import VersionInput, _record_version
from eakte.records._imported_base import CREATED, MANIFEST_TIME, PRESENT, Outcome, WriterBase
from eakte.records._principal import Permission, require
from eakte.signing import parse_manifest, parse_signature_record, sha256_hex
from eakte.signing._keys import verify_signature
from eakte.storage import ObjectKind, StoredObject


class VersionWriter(WriterBase):
    """Writes documents with their versions (original signed manifests, or new ones),
    the keys that signed them, and the objects' earlier history."""

    # -- documents and versions -------------------------------------------------------

    def existing_versions(self, document_id: str) -> list[tuple[str, str]] | None:
        """(content sha256, manifest sha256) of each version of a document here, or None."""
        if self.session.get(Document, document_id) is None:
            return None
        rows = self.session.execute(
            select(DocumentVersion.content_sha256, DocumentVersion.manifest_sha256)
            .where(DocumentVersion.document_id == document_id)
            .order_by(DocumentVersion.number)
        ).all()
        return [(content, manifest) for content, manifest in rows]

    def document(
        self,
        *,
        id: str,
        title: str,
        orgunit: OrgUnit,
        case_file: CaseFile | None,
        case: Case | None,
        created_at: datetime,
        created_by: str,
        details: dict[str, Any],
    ) -> Document:
        """A new document row (no versions yet); ``details``: the Document columns to set."""
        document = Document(
            id=id,
            title=title.strip()[:500] or "Ohne Betreff",
            orgunit_id=orgunit.id,
            case_file_id=case_file.id if case_file else None,
            case_id=case.id if case else None,
            created_at=created_at,
            created_by=created_by,
            version_count=0,
            **details,
        )
        self.session.add(document)
        self.session.flush()
        self.session.refresh(document)
        return document

    def document_done(self, document: Document, extra: dict[str, Any] | None = None) -> None:
        """Audit the finished document under the keys ``eakte verify`` replays."""
        self._append(
            "document.created",
            "document",
            document.id,
            {
                "title": document.title,
                "orgunit": document.orgunit.code,
                "case_file": document.case_file.reference if document.case_file else None,
                "case": document.case.reference if document.case else None,
                "created_at": document.created_at.isoformat(),
                "created_by": document.created_by,
                "versions": document.version_count,
                "imported_from": self.source,
                **(extra or {}),
            },
        )
        self.log.add(Outcome("document", document.id, document.title, CREATED))

    def document_present(self, document_id: str, title: str) -> None:
        self.log.add(Outcome("document", document_id, title, PRESENT))

    def conflict(self, message: str) -> None:
        self._conflict(message)

    def signed_version(
        self, document: Document, manifest_bytes: bytes, signature_record: bytes
    ) -> DocumentVersion:
        """A version from its original signed manifest; content and renditions stored before."""
        try:
            manifest = parse_manifest(manifest_bytes)
            manifest_sha, key_id, signature = parse_signature_record(signature_record)
        except ValueError as exc:
            raise RecordsError(f"Document {document.id}: unreadable manifest ({exc}).") from exc
        number = document.version_count + 1
        subject = f"Document {document.id} version {number}"
        if manifest_sha != sha256_hex(manifest_bytes):
            raise RecordsError(f"{subject}: the signature record names another manifest.")
        if manifest.get("document_id") != document.id or manifest.get("version") != number:
            raise RecordsError(f"{subject}: the manifest is of another document or version.")
        pem = self.public_keys.get(key_id)
        if pem is None or not verify_signature(pem, manifest_bytes, signature):
            raise RecordsError(f"{subject}: the manifest signature does not verify.")
        previous = self.session.scalar(
            select(DocumentVersion.manifest_sha256).where(
                DocumentVersion.document_id == document.id,
                DocumentVersion.number == number - 1,
            )
        )
        if manifest.get("previous_manifest_sha256") != previous:
            raise RecordsError(f"{subject}: does not link to the version before it.")
        self._ensure_key_row(key_id)
        self.put_bytes(ObjectKind.MANIFEST, manifest_bytes)
        signature_sha = self.put_bytes(ObjectKind.SIGNATURE, signature_record)
        row = DocumentVersion(
            document_id=document.id,
            number=number,
            content_sha256=manifest["content_sha256"],
            size=manifest["size"],
            media_type=manifest["media_type"],
            filename=manifest["filename"],
            created_at=datetime.strptime(manifest["created_at"], MANIFEST_TIME).replace(tzinfo=UTC),
            created_by=manifest["created_by"],
            source=manifest["source"],
            scan_note=manifest["scan_note"],
            doc_metadata=manifest["metadata"],
            case_reference=manifest["case_reference"],
            manifest_sha256=manifest_sha,
            previous_manifest_sha256=previous,
            key_id=key_id,
            signature=base64.b64encode(signature).decode(),
            signature_sha256=signature_sha,
            renditions=manifest["renditions"] or None,
        )
        self.session.add(row)
        document.version_count = number
        self.session.flush()
        self._append(
            "document.version_added",
            "document",
            document.id,
            {
                "version": number,
                "sha256": row.content_sha256,
                "manifest_sha256": manifest_sha,
                "key_id": key_id,
                "imported_from": self.source,
            },
        )
        return row

    def new_version(
        self, document: Document, stored: StoredObject, version: VersionInput
    ) -> DocumentVersion | None:
        """A version of a foreign file: a new manifest signed by this installation.

        A dry run signs and stores nothing (None); the version is only counted.
        """
        if self.dry_run:
            document.version_count += 1
            return None
        return _record_version(
            self.records, self.session, self.principal, document, stored, version
        )

    def _ensure_key_row(self, key_id: str) -> None:
        """A key of the key folder that the database does not know yet gets its row."""
        if self.session.get(SigningKey, key_id) is None:
            self.records.register_keys(self.session)
        if self.session.get(SigningKey, key_id) is None:
            raise RecordsError(f"Signing key {key_id} is not known here.")

    # -- history ------------------------------------------------------------------------

    def history(self, object_type: str, object_id: str, original: dict[str, Any]) -> None:
        """One entry of an object's earlier history, kept as it was in ``original``."""
        self._append(
            "history.imported",
            object_type,
            object_id,
            {"original": original, "imported_from": self.source},
        )
        self.log.history_events += 1

    def trust_key(self, key_id: str, at: datetime) -> None:
        """A package's key becomes a retired key here (its audit event: :func:`seal_keys`).

        Trusting a key this installation does not know needs ADMINISTER: its
        signatures count here from now on, like those of this installation's
        own keys.
        """
        if self.session.get(SigningKey, key_id) is not None:
            return
        if not self._may_trust_keys:
            require(self.session, self.principal, Permission.ADMINISTER)
            self._may_trust_keys = True
        pem = self.public_keys[key_id]
        self.session.add(SigningKey(key_id=key_id, public_pem=pem, created_at=at, retired_at=at))
        self.session.flush()
        self.log.add(Outcome("key", key_id, key_id, CREATED))
