"""``eakte verify``: check every version and the audit chain against the object store.

For each version: the stored content hashes to its key, the manifest object is
intact and agrees with the database row, the signature verifies with a known
key that was valid at the time, and the chain of manifests is unbroken. The
audit chain is checked against its signed checkpoints. Objects no record
points to are reported as warnings (a failed commit may leave them behind).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import ObjectIntegrityError, ObjectNotFound
from eakte.models import AuditEvent, Document, DocumentVersion, SigningKey
from eakte.records._context import Records
from eakte.signing import (
    canonical_json,
    parse_manifest,
    parse_signature_record,
    sha256_hex,
    verify_signature,
)
from eakte.signing._audit_verify import verify_audit_chain
from eakte.signing._findings import Finding, Severity
from eakte.storage import ObjectKind, ObjectStore


@dataclass
class VerifyReport:
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "counts": self.counts,
            "findings": [f.as_dict() for f in self.findings],
        }


def _err(code: str, subject: str, message: str) -> Finding:
    return Finding(Severity.ERROR, code, subject, message)


def _expected_manifest_fields(row: DocumentVersion) -> dict[str, Any]:
    return {
        "document_id": row.document_id,
        "version": row.number,
        "content_sha256": row.content_sha256,
        "size": row.size,
        "media_type": row.media_type,
        "filename": row.filename,
        "created_by": row.created_by,
        "source": row.source,
        "scan_note": row.scan_note,
        "case_reference": row.case_reference,
        "metadata_sha256": sha256_hex(canonical_json(row.doc_metadata)),
        "previous_manifest_sha256": row.previous_manifest_sha256,
        "created_at": row.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }


def _decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return b""


def _check_signature(
    key: SigningKey | None,
    row: DocumentVersion,
    manifest_bytes: bytes,
    signature: bytes,
    subject: str,
) -> Iterator[Finding]:
    if key is None:
        yield _err("signature-unknown-key", subject, f"Signed by unknown key {row.key_id}.")
        return
    try:
        valid = verify_signature(key.public_pem, manifest_bytes, signature)
    except ValueError:
        yield _err("public-key-invalid", f"signing key {key.key_id}", "Not an Ed25519 key.")
        return
    if not valid:
        yield _err("signature-invalid", subject, "The manifest signature does not verify.")
    elif key.retired_at is not None and row.created_at > key.retired_at:
        yield _err("signature-key-retired", subject, "Signed with a key after its retirement.")


def _check_signature_object(
    store: ObjectStore, row: DocumentVersion, signature: bytes, subject: str
) -> Iterator[Finding]:
    """The detached signature record in the store must say what the row says."""
    try:
        record = parse_signature_record(
            store.read_bytes(ObjectKind.SIGNATURE, row.signature_sha256)
        )
    except ObjectNotFound:
        yield _err("signature-object-missing", subject, "The signature record is not stored.")
        return
    except (ObjectIntegrityError, ValueError):
        yield _err("signature-object-altered", subject, "The stored signature record is damaged.")
        return
    if record != (row.manifest_sha256, row.key_id, signature):
        yield _err(
            "signature-object-mismatch",
            subject,
            "The stored signature record does not match the database row.",
        )


def _check_version(
    store: ObjectStore,
    row: DocumentVersion,
    keys: dict[str, SigningKey],
    previous: DocumentVersion | None,
    check_content: bool,
) -> Iterator[Finding]:
    subject = f"document {row.document_id} version {row.number}"
    if row.previous_manifest_sha256 != (previous.manifest_sha256 if previous else None):
        yield _err("version-chain-broken", subject, "Does not link to the version before it.")
    try:
        manifest_bytes = store.read_bytes(ObjectKind.MANIFEST, row.manifest_sha256)
        manifest = parse_manifest(manifest_bytes)
    except ObjectNotFound:
        yield _err("manifest-missing", subject, "The signed manifest is not in the store.")
        return
    except ObjectIntegrityError:
        yield _err("manifest-altered", subject, "The stored manifest was altered.")
        return
    except ValueError:
        yield _err("manifest-malformed", subject, "The stored manifest is unreadable.")
        return
    differing = sorted(
        name
        for name, value in _expected_manifest_fields(row).items()
        if manifest.get(name) != value
    )
    if differing:
        yield _err(
            "version-row-altered",
            subject,
            f"Database row differs from the signed manifest in: {', '.join(differing)}.",
        )
    signature = _decode(row.signature)
    yield from _check_signature(keys.get(row.key_id), row, manifest_bytes, signature, subject)
    yield from _check_signature_object(store, row, signature, subject)
    if check_content:
        try:
            store.verify(ObjectKind.CONTENT, row.content_sha256)
        except ObjectNotFound:
            yield _err("content-missing", subject, "The content is not in the store.")
        except ObjectIntegrityError:
            yield _err("content-altered", subject, "The stored content was altered.")
    elif not store.exists(ObjectKind.CONTENT, row.content_sha256):
        yield _err("content-missing", subject, "The content is not in the store.")


def _check_documents(
    session: Session, store: ObjectStore, report: VerifyReport, check_content: bool
) -> set[str]:
    keys = {k.key_id: k for k in session.scalars(select(SigningKey)).all()}
    manifests: set[str] = set()
    counts = {d.id: d.version_count for d in session.scalars(select(Document)).all()}
    current, previous, seen = None, None, 0
    rows = session.scalars(
        select(DocumentVersion).order_by(DocumentVersion.document_id, DocumentVersion.number)
    )
    for row in rows:
        if row.document_id != current:
            if current is not None and counts.pop(current, 0) != seen:
                report.findings.append(
                    _err("version-missing", f"document {current}", "Versions were deleted.")
                )
            current, previous, seen = row.document_id, None, 0
        seen += 1
        if row.number != seen:
            report.findings.append(
                _err("version-missing", f"document {current}", f"Version {seen} is missing.")
            )
            seen = row.number
        report.findings.extend(_check_version(store, row, keys, previous, check_content))
        manifests.add(row.manifest_sha256)
        previous = row
        report.counts["versions"] = report.counts.get("versions", 0) + 1
    if current is not None and counts.pop(current, 0) != seen:
        report.findings.append(
            _err("version-missing", f"document {current}", "Versions were deleted.")
        )
    for doc_id, count in counts.items():
        if count:
            report.findings.append(
                _err("version-missing", f"document {doc_id}", "All versions were deleted.")
            )
    return manifests


def _check_deleted_versions(session: Session, manifests: set[str], report: VerifyReport) -> None:
    """Every version the audit log saw being added must still exist."""
    query = select(AuditEvent.object_id, AuditEvent.details).where(
        AuditEvent.action == "document.version_added"
    )
    for object_id, details in session.execute(query):
        try:
            manifest_sha = json.loads(details)["manifest_sha256"]
        except (ValueError, KeyError):
            continue  # an altered event is reported by the audit check
        if manifest_sha not in manifests:
            report.findings.append(
                _err(
                    "version-deleted",
                    f"document {object_id}",
                    f"The audit log records version manifest {manifest_sha[:16]} that no "
                    "longer exists.",
                )
            )


def _check_strays(session: Session, store: ObjectStore, report: VerifyReport) -> None:
    referenced = {
        ObjectKind.CONTENT: set(session.scalars(select(DocumentVersion.content_sha256))),
        ObjectKind.MANIFEST: set(session.scalars(select(DocumentVersion.manifest_sha256))),
        ObjectKind.SIGNATURE: set(session.scalars(select(DocumentVersion.signature_sha256))),
    }
    for kind, known in referenced.items():
        for sha in store.iter_objects(kind):
            report.counts[f"{kind.value}_objects"] = (
                report.counts.get(f"{kind.value}_objects", 0) + 1
            )
            if sha not in known:
                report.findings.append(
                    Finding(
                        Severity.WARNING,
                        "stray-object",
                        f"{kind.value} object {sha[:16]}",
                        "No record points to this object (left by an interrupted write?).",
                    )
                )


def verify_store(records: Records, *, check_content: bool = True) -> VerifyReport:
    """Check the whole installation; read-only."""
    report = VerifyReport()
    store = records.store
    with records.reading() as session:
        manifests = _check_documents(session, store, report, check_content)
        _check_deleted_versions(session, manifests, report)
        _check_strays(session, store, report)
        keys = {k.key_id: k.public_pem for k in session.scalars(select(SigningKey)).all()}
        before = len(report.findings)
        report.findings.extend(verify_audit_chain(session, store, keys))
        report.counts["audit_findings"] = len(report.findings) - before
        report.counts["audit_events"] = (
            session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0
        )
        report.counts["documents"] = len(session.scalars(select(Document.id)).all())
    return report
