"""Checks of the audit chain and its signed checkpoints (``eakte verify``).

Checkpoints are read from the database *and* from the object store: deleting
checkpoint rows together with audit events does not hide the deletion while
the stored, signed checkpoint objects remain.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import ObjectIntegrityError
from eakte.models import AuditCheckpoint, AuditHead
from eakte.signing._audit import CHECKPOINT_FORMAT, GENESIS_HASH, hash_of, iter_events
from eakte.signing._findings import Finding, Severity
from eakte.signing._keys import verify_signature
from eakte.storage import ObjectKind, ObjectStore


@dataclass(frozen=True)
class StoredCheckpoint:
    sha256: str
    seq: int
    head_hash: str


def _error(code: str, subject: str, message: str) -> Finding:
    return Finding(Severity.ERROR, code, subject, message)


def read_checkpoint(
    store: ObjectStore, sha256: str, public_keys: Mapping[str, str]
) -> tuple[StoredCheckpoint | None, Finding | None]:
    """Parse and check one stored checkpoint object."""
    subject = f"checkpoint object {sha256[:16]}"
    try:
        envelope = json.loads(store.read_bytes(ObjectKind.CHECKPOINT, sha256))
        record_bytes = envelope["checkpoint"].encode()
        record = json.loads(record_bytes)
        signature = base64.b64decode(envelope["signature"], validate=True)
        key_id = envelope["key_id"]
        if record.get("format") != CHECKPOINT_FORMAT:
            raise ValueError("unknown format")
        parsed = StoredCheckpoint(sha256, int(record["seq"]), str(record["head_hash"]))
    except ObjectIntegrityError:
        return None, _error("checkpoint-object-altered", subject, "Stored bytes were altered.")
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None, _error("checkpoint-malformed", subject, "Not a readable checkpoint.")
    pem = public_keys.get(key_id)
    if pem is None:
        return None, _error("checkpoint-unknown-key", subject, f"Signed by unknown key {key_id}.")
    try:
        valid = verify_signature(pem, record_bytes, signature)
    except ValueError:
        valid = False
    if not valid:
        return None, _error("checkpoint-signature-invalid", subject, "Signature does not verify.")
    return parsed, None


def verify_audit_chain(
    session: Session, store: ObjectStore, public_keys: Mapping[str, str]
) -> Iterator[Finding]:
    """Yield every finding about the audit chain; nothing when it is intact."""
    checkpoints: dict[int, list[StoredCheckpoint]] = {}
    stored_shas: set[str] = set()
    for sha in store.iter_objects(ObjectKind.CHECKPOINT):
        stored_shas.add(sha)
        parsed, finding = read_checkpoint(store, sha, public_keys)
        if finding:
            yield finding
        if parsed:
            checkpoints.setdefault(parsed.seq, []).append(parsed)
    for row in session.scalars(select(AuditCheckpoint)).all():
        if row.record_sha256 not in stored_shas:
            yield _error(
                "checkpoint-object-missing",
                f"checkpoint at event {row.seq}",
                "The database names a checkpoint that is not in the object store.",
            )
        elif all(c.sha256 != row.record_sha256 for c in checkpoints.get(row.seq, [])):
            yield _error(
                "checkpoint-mismatch",
                f"checkpoint at event {row.seq}",
                "The checkpoint row does not match its stored, signed object.",
            )

    expected_prev, last_seq = GENESIS_HASH, 0
    for event in iter_events(session):
        subject = f"audit event {event.seq}"
        if event.seq != last_seq + 1:
            yield _error(
                "audit-sequence-gap",
                subject,
                f"Events {last_seq + 1}..{event.seq - 1} are missing (deleted).",
            )
        if event.prev_hash != expected_prev:
            yield _error("audit-chain-broken", subject, "Does not link to the event before it.")
        if hash_of(event) != event.hash:
            yield _error("audit-event-altered", subject, "Content does not match its hash.")
        for checkpoint in checkpoints.pop(event.seq, []):
            if checkpoint.head_hash != event.hash:
                yield _error(
                    "audit-checkpoint-contradicted",
                    subject,
                    "A signed checkpoint recorded a different chain at this event.",
                )
        expected_prev, last_seq = event.hash, event.seq

    for seq in sorted(checkpoints):
        yield _error(
            "audit-events-missing",
            f"audit event {seq}",
            "A signed checkpoint covers this event but the log ends before it.",
        )
    head = session.get(AuditHead, 1)
    if head is None or head.seq != last_seq or head.hash != expected_prev:
        yield _error(
            "audit-head-mismatch",
            "audit chain head",
            f"The recorded head is event {head.seq if head else '?'} but the log ends at "
            f"event {last_seq}: events were deleted or the head was altered.",
        )
