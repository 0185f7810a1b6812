"""Record-level checks of ``eakte verify``: document rows against the audit
history, signing keys against the key folder, and objects no record points to.

A stray manifest that carries a valid signature is a signed statement that a
version existed. If its document is known to the database or the audit log,
the version was deleted (an error); otherwise a create was interrupted before
its commit (a warning).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from eakte.exceptions import ObjectIntegrityError
from eakte.models import AuditEvent, Case, CaseFile, Document, DocumentVersion, OrgUnit, SigningKey
from eakte.records._verify_report import TrustedKey, VerifyReport, err, warn
from eakte.signing import key_id_for, parse_manifest, parse_signature_record, verify_signature
from eakte.signing._findings import Finding
from eakte.storage import ObjectKind, ObjectStore

# Document fields every document event records with its new value.
AUDITED_FIELDS = ("title", "orgunit", "case_file", "case")


def check_keys(session: Session, trusted: Mapping[str, TrustedKey]) -> Iterator[Finding]:
    """Every key the database names must be one of the key folder's own keys."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    for row in session.scalars(select(SigningKey)).all():
        subject = f"signing key {row.key_id}"
        key = trusted.get(row.key_id)
        if key is None or key.public_pem.strip() != row.public_pem.strip():
            yield err("signing-key-untrusted", subject, "Not a key of this installation.")
            continue
        try:
            public = load_pem_public_key(row.public_pem.encode())
            matches = key_id_for(public) == row.key_id  # type: ignore[arg-type]
        except (ValueError, TypeError):
            matches = False
        if not matches:
            yield err("signing-key-untrusted", subject, "Key id is not its fingerprint.")


def audited_documents(session: Session) -> dict[str, dict[str, Any]]:
    """Replay the document events: the state each document should have now."""
    expected: dict[str, dict[str, Any]] = {}
    query = (
        select(AuditEvent.object_id, AuditEvent.details)
        .where(AuditEvent.object_type == "document")
        .order_by(AuditEvent.seq)
    )
    for object_id, details in session.execute(query):
        try:
            values = json.loads(details)
        except ValueError:
            continue  # reported by the audit chain check
        state = expected.setdefault(object_id, {})
        state.update({k: values[k] for k in AUDITED_FIELDS if k in values})
    return expected


def check_document_rows(session: Session, expected: dict[str, dict[str, Any]]) -> Iterator[Finding]:
    case = aliased(Case)
    query = (
        select(Document, OrgUnit.code, CaseFile.reference, case.reference)
        .join(OrgUnit, Document.orgunit_id == OrgUnit.id)
        .outerjoin(CaseFile, Document.case_file_id == CaseFile.id)
        .outerjoin(case, Document.case_id == case.id)
    )
    for document, orgunit, case_file, case_ref in session.execute(query):
        subject = f"document {document.id}"
        state = expected.get(document.id)
        if state is None:
            yield err("document-unaudited", subject, "No audit event created this document.")
            continue
        actual = {
            "title": document.title,
            "orgunit": orgunit,
            "case_file": case_file,
            "case": case_ref,
        }
        differing = sorted(k for k in AUDITED_FIELDS if k in state and state[k] != actual[k])
        if differing:
            yield err(
                "document-row-altered",
                subject,
                f"Differs from its audit history in: {', '.join(differing)}.",
            )


def _signature_index(store: ObjectStore, shas: set[str]) -> dict[str, tuple[str, bytes]]:
    index: dict[str, tuple[str, bytes]] = {}
    for sha in shas:
        try:
            manifest_sha, key_id, signature = parse_signature_record(
                store.read_bytes(ObjectKind.SIGNATURE, sha)
            )
        except (ObjectIntegrityError, ValueError):
            continue
        index[manifest_sha] = (key_id, signature)
    return index


def _stray_manifest(
    store: ObjectStore,
    sha: str,
    signatures: dict[str, tuple[str, bytes]],
    trusted: Mapping[str, TrustedKey],
    known_documents: set[str],
) -> Finding:
    subject = f"manifest object {sha[:16]}"
    stray = warn("stray-object", subject, "No record points to this object.")
    try:
        data = store.read_bytes(ObjectKind.MANIFEST, sha)
        manifest = parse_manifest(data)
    except (ObjectIntegrityError, ValueError):
        return stray
    key_id, signature = signatures.get(sha, ("", b""))
    key = trusted.get(key_id)
    if key is None or not verify_signature(key.public_pem, data, signature):
        return stray
    document_id = str(manifest.get("document_id"))
    if document_id in known_documents:
        return err(
            "version-deleted",
            f"document {document_id} version {manifest.get('version')}",
            "A signed manifest of this version is stored, but the version is gone.",
        )
    return warn(
        "stray-object",
        subject,
        "Signed manifest of a document that was never committed (interrupted write).",
    )


def check_strays(
    session: Session,
    store: ObjectStore,
    trusted: Mapping[str, TrustedKey],
    known_documents: set[str],
    report: VerifyReport,
) -> None:
    referenced = {
        ObjectKind.CONTENT: set(session.scalars(select(DocumentVersion.content_sha256))),
        ObjectKind.MANIFEST: set(session.scalars(select(DocumentVersion.manifest_sha256))),
        ObjectKind.SIGNATURE: set(session.scalars(select(DocumentVersion.signature_sha256))),
        ObjectKind.RENDITION: {
            sha
            for renditions in session.scalars(select(DocumentVersion.renditions))
            for sha in (renditions or {}).values()
        },
    }
    strays: dict[ObjectKind, set[str]] = {}
    for kind, known in referenced.items():
        for sha in store.iter_objects(kind):
            report.count(f"{kind.value}_objects")
            if sha not in known:
                strays.setdefault(kind, set()).add(sha)
    signatures = _signature_index(store, strays.get(ObjectKind.SIGNATURE, set()))
    for kind, shas in sorted(strays.items()):
        for sha in sorted(shas):
            if kind is ObjectKind.MANIFEST:
                report.findings.append(
                    _stray_manifest(store, sha, signatures, trusted, known_documents)
                )
            else:
                report.findings.append(
                    warn(
                        "stray-object",
                        f"{kind.value} object {sha[:16]}",
                        "No record points to this object (left by an interrupted write?).",
                    )
                )
