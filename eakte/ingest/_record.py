"""Recording what became of each file: ingest items, duplicates, failures."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.ingest._names import safe_display_name
from eakte.models import Document, DocumentVersion, IngestItem, IngestStatus
from eakte.records import Records

if TYPE_CHECKING:
    from eakte.ingest._pipeline import Source


@dataclass(frozen=True)
class Outcome:
    """What became of one input file (the shape of `eakte ingest --json`)."""

    path: str
    status: str  # stored, duplicate, failed
    document_id: str | None = None  # stored: the new document; duplicate: the existing one
    reason: str | None = None  # failed: plain words
    code: str | None = None
    routing: str | None = None
    attachments: tuple[Outcome, ...] = ()

    def with_attachments(self, results: list[Outcome]) -> Outcome:
        return replace(self, attachments=tuple(results))

    @classmethod
    def of_item(cls, item: IngestItem) -> Outcome:
        return cls(
            path=item.source_name,
            status=item.status,
            document_id=item.document_id,
            reason=item.reason,
            code=item.reason_code,
            routing=item.routing,
        )

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "status": self.status,
            "document_id": self.document_id,
        }
        if self.status == IngestStatus.FAILED:
            data.update(reason=self.reason, code=self.code)
        if self.routing:
            data["routing"] = self.routing
        if self.attachments:
            data["attachments"] = [a.as_dict() for a in self.attachments]
        return data


def find_duplicate(session: Session, sha256: str) -> str | None:
    """The document that already holds these exact bytes, if any."""
    return session.scalar(
        select(Document.id)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(DocumentVersion.content_sha256 == sha256)
        .order_by(Document.created_at)
        .limit(1)
    )


def record_item(
    records: Records,
    session: Session,
    source: Source,
    sha256: str,
    document_id: str,
    routing: str,
    rule: str | None = None,
) -> None:
    """Called inside the document's own transaction: the item commits with it.
    ``rule`` names the routing rule that matched (recorded in the audit event)."""
    session.add(
        IngestItem(
            id=source.item_id,
            source_name=safe_display_name(source.name),
            source=source.source,
            sha256=sha256,
            orgunit=source.orgunit,
            status=IngestStatus.STORED,
            document_id=document_id,
            routing=routing,
        )
    )
    session.flush()  # the unique index on stored hashes stops a concurrent twin here
    records.audit.append(
        session,
        actor="ingest",
        action="ingest.stored",
        object_type="document",
        object_id=document_id,
        details={"item": source.item_id, "source": source.source, "routing": routing}
        | ({"rule": rule} if rule else {}),
    )


def _record_once(
    records: Records,
    source: Source,
    status: IngestStatus,
    *,
    sha256: str | None = None,
    document_id: str | None = None,
    code: str | None = None,
    reason: str | None = None,
) -> None:
    """Record a duplicate or failure (once per item id), with its audit event."""
    with records.transaction() as session:
        if session.get(IngestItem, source.item_id) is not None:
            return
        name = safe_display_name(source.name)
        session.add(
            IngestItem(
                id=source.item_id,
                source_name=name,
                source=source.source,
                sha256=sha256,
                orgunit=source.orgunit,
                status=status,
                document_id=document_id,
                reason_code=code,
                reason=reason,
            )
        )
        records.audit.append(
            session,
            actor="ingest",
            action=f"ingest.{status}",
            object_type="document" if document_id else "ingest_item",
            object_id=document_id or source.item_id,
            details={"item": source.item_id, "name": name, "code": code},
        )


def record_duplicate(records: Records, source: Source, sha256: str, existing: str) -> Outcome:
    _record_once(records, source, IngestStatus.DUPLICATE, sha256=sha256, document_id=existing)
    return Outcome(path=source.name, status=IngestStatus.DUPLICATE, document_id=existing)


def record_failure(
    records: Records, source: Source, code: str, reason: str, sha256: str | None = None
) -> Outcome:
    _record_once(records, source, IngestStatus.FAILED, sha256=sha256, code=code, reason=reason)
    return Outcome(path=source.name, status=IngestStatus.FAILED, reason=reason, code=code)
