"""The append-only, hash-chained audit log and its signed checkpoints.

Each event's hash covers its fields and the previous event's hash. Appenders
lock the single ``audit_head`` row, so two processes can never fork the chain;
a unique constraint on ``prev_hash`` backs this up in the schema itself.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.models import AuditCheckpoint, AuditEvent, AuditHead
from eakte.signing._canonical import canonical_json, sha256_hex
from eakte.signing._keys import KeyRing
from eakte.storage import ObjectKind, ObjectStore

GENESIS_HASH = "0" * 64
APPENDED = "eakte.audit_appended"  # session.info flag: this transaction appended events
CHECKPOINT_FORMAT = "eakte-audit-checkpoint/1"


def event_hash(
    *,
    seq: int,
    occurred_at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: str,
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical JSON of the event's fields (details as its JSON text)."""
    return sha256_hex(
        canonical_json(
            {
                "seq": seq,
                "occurred_at": occurred_at,
                "actor": actor,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "details": details,
                "prev_hash": prev_hash,
            }
        )
    )


def hash_of(event: AuditEvent) -> str:
    return event_hash(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor=event.actor,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        details=event.details,
        prev_hash=event.prev_hash,
    )


def checkpoint_record(seq: int, head_hash: str, created_at: datetime) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    return canonical_json(
        {
            "format": CHECKPOINT_FORMAT,
            "seq": seq,
            "head_hash": head_hash,
            "created_at": created_at.isoformat(),
        }
    )


class AuditLog:
    """Appends events inside the caller's transaction; signs checkpoints after commit."""

    def __init__(
        self,
        keyring: Callable[[], KeyRing],
        store: Callable[[], ObjectStore],
        checkpoint_every: int,
        checkpoint_seconds: float,
    ) -> None:
        self._keyring = keyring
        self._store = store
        self._every = checkpoint_every
        self._max_age = checkpoint_seconds

    def append(
        self,
        session: Session,
        *,
        actor: str,
        action: str,
        object_type: str,
        object_id: str,
        details: dict[str, Any] | None = None,
    ) -> AuditEvent:
        head = session.execute(
            select(AuditHead).where(AuditHead.id == 1).with_for_update()
        ).scalar_one()
        event = AuditEvent(
            seq=head.seq + 1,
            occurred_at=datetime.now(UTC).isoformat(),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=canonical_json(details or {}).decode(),
            prev_hash=head.hash,
        )
        event.hash = hash_of(event)
        session.add(event)
        head.seq, head.hash = event.seq, event.hash
        session.flush()
        session.info[APPENDED] = True
        return event

    def checkpoint_due(self, session: Session) -> bool:
        """Events are waiting and: enough of them, or the last checkpoint is old enough."""
        head_seq = session.scalar(select(AuditHead.seq).where(AuditHead.id == 1)) or 0
        last = session.execute(
            select(AuditCheckpoint.seq, AuditCheckpoint.created_at)
            .order_by(AuditCheckpoint.seq.desc())
            .limit(1)
        ).first()
        waiting = head_seq - (last.seq if last else 0)
        if waiting <= 0:
            return False
        age = (datetime.now(UTC) - last.created_at).total_seconds() if last else float("inf")
        return waiting >= self._every or age >= self._max_age

    def checkpoint(self, session: Session) -> AuditCheckpoint | None:
        """Sign the current chain head (no-op on an empty chain or an existing checkpoint).

        Call it in a transaction of its own, after the events it covers are
        committed: a signed checkpoint is stored for good, so it must never
        cover events that could still roll back.
        """
        head = session.execute(
            select(AuditHead).where(AuditHead.id == 1).with_for_update()
        ).scalar_one()
        if head.seq == 0 or session.get(AuditCheckpoint, head.seq) is not None:
            return None
        created_at = datetime.now(UTC)
        record = checkpoint_record(head.seq, head.hash, created_at)
        key_id, signature = self._keyring().sign(record)
        signature_b64 = base64.b64encode(signature).decode()
        stored = self._store().put(
            ObjectKind.CHECKPOINT,
            canonical_json(
                {
                    "checkpoint": record.decode(),
                    "key_id": key_id,
                    "algorithm": "Ed25519",
                    "signature": signature_b64,
                }
            ),
        )
        checkpoint = AuditCheckpoint(
            seq=head.seq,
            head_hash=head.hash,
            created_at=created_at,
            key_id=key_id,
            signature=signature_b64,
            record_sha256=stored.sha256,
        )
        session.add(checkpoint)
        session.flush()
        return checkpoint


def iter_events(session: Session, batch: int = 1000) -> Iterator[AuditEvent]:
    """All events in chain order without loading the whole log at once."""
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()
