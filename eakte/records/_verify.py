"""``eakte verify``: check every record and the audit chain.

Version checks: the stored content hashes to its key, the manifest object is
intact and agrees with the database row, the signature verifies with a key of
this installation's key folder (never one the database merely names), and the
chain of manifests is unbroken. Record checks: document rows agree with their
audit history, signed stray manifests reveal deleted versions. The audit chain
is checked against its signed checkpoints. Read-only.
"""

from __future__ import annotations

from sqlalchemy import select

from eakte.models import AuditEvent, Document
from eakte.records._context import Records
from eakte.records._verify_records import (
    audited_documents,
    check_document_rows,
    check_keys,
    check_strays,
)
from eakte.records._verify_report import TrustedKey, VerifyReport
from eakte.records._verify_versions import check_deleted_versions, check_versions
from eakte.signing._audit_verify import verify_audit_chain


def trusted_keys(records: Records) -> dict[str, TrustedKey]:
    keyring = records.keyring()
    return {
        info.key_id: TrustedKey(info.key_id, keyring.public_pem(info.key_id), info.retired_at)
        for info in keyring.list()
    }


def verify_store(records: Records, *, check_content: bool = True) -> VerifyReport:
    """Check the whole installation; read-only."""
    report = VerifyReport()
    store = records.store
    trusted = trusted_keys(records)
    with records.reading() as session:
        report.findings.extend(check_keys(session, trusted))
        manifests = check_versions(session, store, trusted, report, check_content)
        check_deleted_versions(session, manifests, report)
        expected = audited_documents(session)
        report.findings.extend(check_document_rows(session, expected))
        known = set(expected) | set(session.scalars(select(Document.id)))
        check_strays(session, store, trusted, known, report)
        before = len(report.findings)
        pems = {key_id: key.public_pem for key_id, key in trusted.items()}
        report.findings.extend(verify_audit_chain(session, store, pems))
        report.counts["audit_findings"] = len(report.findings) - before
        report.counts["audit_events"] = (
            session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0
        )
        report.counts["documents"] = len(known)
    return report


__all__ = ["VerifyReport", "verify_store"]
