"""Version checks of ``eakte verify``: content, manifest, signature, chain."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import ObjectIntegrityError, ObjectNotFound
from eakte.models import AuditEvent, Document, DocumentVersion
from eakte.records._verify_report import TrustedKey, VerifyReport, err
from eakte.signing import (
    canonical_json,
    parse_manifest,
    parse_signature_record,
    sha256_hex,
    verify_signature,
)
from eakte.signing._findings import Finding
from eakte.storage import ObjectKind, ObjectStore


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
        "renditions": row.renditions or {},
    }


def _decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return b""


def _check_signature(
    key: TrustedKey | None,
    row: DocumentVersion,
    manifest_bytes: bytes,
    signature: bytes,
    subject: str,
) -> Iterator[Finding]:
    if key is None:
        yield err("signature-unknown-key", subject, f"Signed by unknown key {row.key_id}.")
        return
    try:
        valid = verify_signature(key.public_pem, manifest_bytes, signature)
    except ValueError:
        yield err("public-key-invalid", f"signing key {key.key_id}", "Not an Ed25519 key.")
        return
    if not valid:
        yield err("signature-invalid", subject, "The manifest signature does not verify.")
    elif key.retired_at is not None and row.created_at > key.retired_at:
        yield err("signature-key-retired", subject, "Signed with a key after its retirement.")


def _check_signature_object(
    store: ObjectStore, row: DocumentVersion, signature: bytes, subject: str
) -> Iterator[Finding]:
    """The detached signature record in the store must say what the row says."""
    try:
        record = parse_signature_record(
            store.read_bytes(ObjectKind.SIGNATURE, row.signature_sha256)
        )
    except ObjectNotFound:
        yield err("signature-object-missing", subject, "The signature record is not stored.")
        return
    except (ObjectIntegrityError, ValueError):
        yield err("signature-object-altered", subject, "The stored signature record is damaged.")
        return
    if record != (row.manifest_sha256, row.key_id, signature):
        yield err(
            "signature-object-mismatch",
            subject,
            "The stored signature record does not match the database row.",
        )


def _check_version(
    store: ObjectStore,
    row: DocumentVersion,
    keys: Mapping[str, TrustedKey],
    previous: DocumentVersion | None,
    check_content: bool,
) -> Iterator[Finding]:
    subject = f"document {row.document_id} version {row.number}"
    if row.previous_manifest_sha256 != (previous.manifest_sha256 if previous else None):
        yield err("version-chain-broken", subject, "Does not link to the version before it.")
    try:
        manifest_bytes = store.read_bytes(ObjectKind.MANIFEST, row.manifest_sha256)
        manifest = parse_manifest(manifest_bytes)
    except ObjectNotFound:
        yield err("manifest-missing", subject, "The signed manifest is not in the store.")
        return
    except ObjectIntegrityError:
        yield err("manifest-altered", subject, "The stored manifest was altered.")
        return
    except ValueError:
        yield err("manifest-malformed", subject, "The stored manifest is unreadable.")
        return
    differing = sorted(
        name
        for name, value in _expected_manifest_fields(row).items()
        if manifest.get(name) != value
    )
    if differing:
        yield err(
            "version-row-altered",
            subject,
            f"Database row differs from the signed manifest in: {', '.join(differing)}.",
        )
    signature = _decode(row.signature)
    yield from _check_signature(keys.get(row.key_id), row, manifest_bytes, signature, subject)
    yield from _check_signature_object(store, row, signature, subject)
    objects = [(ObjectKind.CONTENT, row.content_sha256, "content")]
    objects += [
        (ObjectKind.RENDITION, sha, f"rendition {name}")
        for name, sha in sorted((row.renditions or {}).items())
    ]
    for kind, sha, what in objects:
        code = what.split()[0]
        if check_content:
            try:
                store.verify(kind, sha)
            except ObjectNotFound:
                yield err(f"{code}-missing", subject, f"The {what} is not in the store.")
            except ObjectIntegrityError:
                yield err(f"{code}-altered", subject, f"The stored {what} was altered.")
        elif not store.exists(kind, sha):
            yield err(f"{code}-missing", subject, f"The {what} is not in the store.")


def check_versions(
    session: Session,
    store: ObjectStore,
    keys: Mapping[str, TrustedKey],
    report: VerifyReport,
    check_content: bool,
) -> set[str]:
    """Check every version row; return the manifest hashes seen."""
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
                    err("version-missing", f"document {current}", "Versions were deleted.")
                )
            current, previous, seen = row.document_id, None, 0
        seen += 1
        if row.number != seen:
            report.findings.append(
                err("version-missing", f"document {current}", f"Version {seen} is missing.")
            )
            seen = row.number
        report.findings.extend(_check_version(store, row, keys, previous, check_content))
        manifests.add(row.manifest_sha256)
        previous = row
        report.count("versions")
    if current is not None and counts.pop(current, 0) != seen:
        report.findings.append(
            err("version-missing", f"document {current}", "Versions were deleted.")
        )
    for doc_id, count in counts.items():
        if count:
            report.findings.append(
                err("version-missing", f"document {doc_id}", "All versions were deleted.")
            )
    return manifests


def check_deleted_versions(session: Session, manifests: set[str], report: VerifyReport) -> None:
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
                err(
                    "version-deleted",
                    f"document {object_id}",
                    f"The audit log records version manifest {manifest_sha[:16]} that no "
                    "longer exists.",
                )
            )
