"""The append-only, hash-chained audit log and its signed checkpoints.

Each event's hash covers its fields and the previous event's hash. Appenders
lock the single ``audit_head`` row, so two processes can never fork the chain;
a unique constraint on ``prev_hash`` backs this up in the schema itself.
"""

from __future__ import annotations

import base64
import json
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


HASH_FORMAT = 2  # how new events are hashed (see event_hash)


def event_content(
    *,
    seq: int,
    occurred_at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: str,
) -> bytes:
    """The canonical JSON of an event's own fields (details as its JSON text)."""
    return canonical_json(
        {
            "seq": seq,
            "occurred_at": occurred_at,
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "details": details,
        }
    )


def link_hash(prev_hash: str, content_sha256: str) -> str:
    """Format 2: the event hash joins the previous hash and the content's SHA-256.

    It is the SHA-256 of the two hex strings, each followed by a newline, so an
    auditor recomputes it with ``printf '%s\\n%s\\n' PREV DIGEST | sha256sum``, and
    an export can prove the chain through events whose content it leaves out.
    """
    return sha256_hex(f"{prev_hash}\n{content_sha256}\n".encode("ascii"))


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
    hash_format: int = HASH_FORMAT,
) -> str:
    """The hash of an event in its chain.

    Format 1 (the first events of installations made before format 2): SHA-256
    over the canonical JSON of all fields including ``prev_hash``. Format 2:
    :func:`link_hash` of ``prev_hash`` and the SHA-256 of :func:`event_content`.
    """
    content = event_content(
        seq=seq,
        occurred_at=occurred_at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )
    return hash_of_content(content, prev_hash, hash_format)


def hash_of_content(content: bytes, prev_hash: str, hash_format: int) -> str:
    """:func:`event_hash` from the event's :func:`event_content` bytes."""
    if hash_format == 1:
        fields = json.loads(content)
        return sha256_hex(canonical_json({**fields, "prev_hash": prev_hash}))
    if hash_format == 2:
        return link_hash(prev_hash, sha256_hex(content))
    raise ValueError(f"unknown audit hash format {hash_format!r}")


def content_of(event: AuditEvent) -> bytes:
    return event_content(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor=event.actor,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        details=event.details,
    )


def hash_of(event: AuditEvent) -> str:
    return hash_of_content(content_of(event), event.prev_hash, event.hash_format)


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
            hash_format=HASH_FORMAT,
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
