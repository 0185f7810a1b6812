"""``eakte inbox status``: what waits, what runs, what failed and why, recent results;
the system status page: the inbox, object store, search index and signing key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from eakte.exceptions import EakteError
from eakte.ingest._inbox import Inbox
from eakte.ingest._retry import listed_failures
from eakte.models import IngestItem
from eakte.records import Principal, Records
from eakte.records._principal import Permission, require


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
            {
                "id": item_id,
                "path": str(f.path),
                "name": f.path.relative_to(inbox.failed).as_posix(),
                "reason": f.reason,
            }
            for item_id, f in listed_failures(inbox)
        ],
        "recent": recent_items,
    }


@dataclass(frozen=True)
class Health:
    ok: bool
    message: str  # plain words: what was found, or what is wrong


def system_status(records: Records, principal: Principal) -> dict[str, Any]:
    """For administrators: the inbox, the object store, the search index, the signing key."""
    with records.reading() as session:
        require(session, principal, Permission.ADMINISTER)
    inbox = inbox_status(records)
    for item in inbox["recent"]:
        item["created"] = datetime.fromisoformat(item["created_at"])  # shown in local time
    return {
        "inbox": inbox,
        "storage": _storage(records),
        "search": _search(records),
        "signing_key": _signing_key(records),
    }


def _storage(records: Records) -> Health:
    try:
        records.store.check()
    except (EakteError, OSError) as exc:
        return Health(False, str(exc))
    return Health(True, type(records.store).__name__)


def _search(records: Records) -> Health:
    from eakte.search import SearchIndexer  # the search package reads records; not vice versa

    indexer = SearchIndexer(records)
    try:
        report = indexer.check()
    except (EakteError, OSError, ValueError) as exc:
        return Health(False, str(exc))
    finally:
        indexer.close()
    if report.ok:
        return Health(True, "in step with the database")
    return Health(
        False,
        f"{len(report.missing)} missing, {len(report.extra)} extra, {len(report.stale)} stale, "
        f"{report.behind} audit events not applied",
    )


def _signing_key(records: Records) -> dict[str, Any]:
    try:
        key = records.keyring().active()
    except EakteError as exc:
        return {"ok": False, "message": str(exc), "key_id": None, "created_at": None}
    return {"ok": True, "message": "", "key_id": key.key_id, "created_at": key.created_at}


@dataclass(frozen=True)
class DefinitionVersions:
    name: str
    title: str
    orgunit: str | None
    versions: list[int]  # newest first
    loaded_at: datetime  # of the newest version
    loaded_by: str
    source_name: str


def workflow_status(records: Records, principal: Principal) -> dict[str, Any]:
    """For administrators: the stored definitions and the folder's validation result."""
    from eakte.workflow import definitions_folder, list_definitions, read_folder

    with records.reading() as session:
        require(session, principal, Permission.ADMINISTER)
        by_name: dict[str, DefinitionVersions] = {}
        for row in list_definitions(session):  # newest first within each name
            known = by_name.get(row.name)
            if known is None:
                by_name[row.name] = DefinitionVersions(
                    row.name,
                    row.title,
                    row.orgunit,
                    [row.version],
                    row.loaded_at,
                    row.loaded_by,
                    row.source_name,
                )
            else:
                known.versions.append(row.version)
    folder = definitions_folder(records)
    checked = read_folder(folder)
    return {
        "definitions": list(by_name.values()),
        "folder": str(folder),
        "files": sorted(source.definition.source for source in checked.files.values()),
        "problems": checked.problems,
        "routing_ok": checked.routing is not None,
    }
