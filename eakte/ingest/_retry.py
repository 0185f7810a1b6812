"""Putting a failed inbox file back into the inbox, identified by its id in the listing.

The id is a digest of the file's place in the failed area, so a client never
names a path. The error report is kept in ``.history/`` of the failed area as
``<name>.<time>.retried.txt`` (not ``*.error.txt``: it is no failure any more),
and the audit event repeats the reason.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from eakte.exceptions import NotFound, RecordsError
from eakte.ingest._inbox import SIDECAR, FailedFile, Inbox, _free_name
from eakte.records import Principal, Records
from eakte.records._principal import Permission, require

HISTORY = ".history"
REPORT = ".error.txt"


@dataclass(frozen=True)
class Retried:
    name: str
    target: Path  # where the file now waits in the inbox
    reason: str


def failed_id(inbox: Inbox, failed: FailedFile) -> str:
    relative = failed.path.relative_to(inbox.failed).as_posix()
    return hashlib.sha256(relative.encode("utf-8", "surrogateescape")).hexdigest()[:20]


def listed_failures(inbox: Inbox) -> list[tuple[str, FailedFile]]:
    """The failed files with their ids (the history folder is no failure)."""
    if not inbox.failed.is_dir():
        return []
    history = inbox.failed / HISTORY
    return [(failed_id(inbox, f), f) for f in inbox.failed_files() if history not in f.path.parents]


def _find(inbox: Inbox, item_id: str) -> FailedFile:
    for found_id, failed in listed_failures(inbox):
        if found_id == item_id:
            return failed
    raise NotFound(
        f"There is no failed inbox file {item_id!r} (any more). Reload the system status."
    )


def _checked(inbox: Inbox, failed: FailedFile) -> Path:
    path = failed.path
    if path.is_symlink() or not path.is_file():
        raise RecordsError(
            f"{path.name} is not a regular file in the failed area; move it by hand."
        )
    if inbox.failed.resolve() not in path.resolve().parents:
        raise RecordsError(f"{path.name} lies outside the failed area; move it by hand.")
    return path


def _move(source: Path, target: Path) -> None:
    """Link and unlink (never replaces an existing file); across file systems (or
    without hard links) copy under a hidden name first, so the watcher only ever
    sees the complete file."""
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno == errno.EEXIST:  # appeared meanwhile: never overwrite
            raise
        staged = target.with_name(f".{target.name}.retry")  # hidden: the watcher skips it
        shutil.copyfile(source, staged)
        if target.exists():
            staged.unlink()
            raise FileExistsError(errno.EEXIST, "exists already", str(target)) from exc
        staged.rename(target)
    source.unlink()


def retry_failed(records: Records, principal: Principal, item_id: str) -> Retried:
    """Move the failed file (and its transfer note) back to where it came in."""
    inbox = Inbox(records.settings)
    with records.transaction() as session:
        require(session, principal, Permission.ADMINISTER)
        failed = _find(inbox, item_id)
        source = _checked(inbox, failed)
        relative = source.relative_to(inbox.failed)
        target_dir = inbox.root / relative.parent
        target_dir.mkdir(parents=True, exist_ok=True)
        target = _free_name(target_dir / source.name)
        report = source.with_name(source.name + REPORT)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = inbox.failed / HISTORY / relative.parent / f"{source.name}.{stamp}.retried.txt"
        records.audit.append(
            session,
            actor=principal.actor,
            action="ingest.retried",
            object_type="ingest_file",
            object_id=item_id,
            details={"name": relative.as_posix(), "reason": failed.reason},
        )
        kept.parent.mkdir(parents=True, exist_ok=True)
        _move(source, target)  # the last step: a failure before it changes nothing
        sidecar = source.with_name(source.name + SIDECAR)
        if sidecar.is_file() and not sidecar.is_symlink():
            _move(sidecar, target.with_name(target.name + SIDECAR))
        if report.exists():
            _move(report, kept)
    return Retried(source.name, target, failed.reason)
