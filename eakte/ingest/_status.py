"""``eakte inbox status``: what waits, what runs, what failed and why, recent results."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from eakte.ingest._inbox import Inbox
from eakte.models import IngestItem
from eakte.records import Records


def inbox_status(records: Records, recent: int = 20) -> dict[str, Any]:
    inbox = Inbox(records.settings)
    root = inbox.root
    with records.reading() as session:
        items = session.scalars(
            select(IngestItem).order_by(IngestItem.created_at.desc()).limit(recent)
        ).all()
        recent_items = [
            {
                "name": item.source_name,
                "status": item.status,
                "document_id": item.document_id,
                "reason": item.reason,
                "created_at": item.created_at.isoformat(),
            }
            for item in items
        ]
    return {
        "queued": [str(p.relative_to(root)) for p in inbox.candidates()] if root.is_dir() else [],
        "processing": [job.original for job in inbox.pending_jobs()],
        "failed": [
            {"path": str(f.path), "reason": f.reason}
            for f in (inbox.failed_files() if inbox.failed.is_dir() else [])
        ],
        "recent": recent_items,
    }
