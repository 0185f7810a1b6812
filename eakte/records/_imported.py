"""Records brought in by ``eakte import``: one transaction, permission checks, audit events.

:func:`importing` opens one unit of work and yields an :class:`ImportWriter`;
the importer calls it object by object and every change is audited in the same
transaction. Objects keep their ids, references and dates. An object that
exists already with the same content is reported "present"; one whose id or
reference exists with other content is a conflict. Conflicts are collected and
raised together at the end, which rolls everything back. A dry run rolls back
too, and writes nothing to the object store or the key folder.

Versions come in two ways: :meth:`ImportWriter.signed_version` keeps an
eakte package's original signed manifest and signature (byte-identical), and
:meth:`ImportWriter.new_version` signs a new manifest for a foreign message's
file with this installation's key (source ``import``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select

from eakte.models import AuditEvent
from eakte.records._context import Records
from eakte.records._imported_base import (
    CREATED,
    PRESENT,
    ImportConflict,
    ImportLog,
    Outcome,
)
from eakte.records._imported_tree import TreeWriter
from eakte.records._imported_versions import VersionWriter
from eakte.records._principal import Permission, Principal, require

__all__ = [
    "CREATED",
    "PRESENT",
    "ImportConflict",
    "ImportLog",
    "ImportWriter",
    "Outcome",
    "importing",
    "seal_keys",
]


class _DryRunDone(Exception):
    """Raised at the end of a dry run to roll the transaction back."""


class ImportWriter(TreeWriter, VersionWriter):
    """Writes imported records inside one transaction (see :func:`importing`): the
    containers (``_imported_tree``), then documents and versions (``_imported_versions``)."""

    def completed(self, details: dict[str, Any]) -> None:
        self._append("import.completed", "import", self.source, details)


@contextmanager
def importing(
    records: Records,
    principal: Principal,
    *,
    source: str,
    fallback_orgunit: str | None = None,
    public_keys: dict[str, str] | None = None,
    dry_run: bool = False,
) -> Iterator[ImportWriter]:
    """One transaction for a whole import: committed only when nothing conflicts.

    The caller's block fills the writer. On conflicts, :class:`ImportConflict`
    rolls everything back; a dry run rolls back after the block and returns
    normally, with the writer's log telling what would have happened.
    """
    keys = {info.key_id: info.public_pem for info in records.keyring().list()}
    keys.update(public_keys or {})
    writer: ImportWriter | None = None
    try:
        with records.transaction() as session:
            require(session, principal, Permission.MANAGE_FILEPLAN)
            writer = ImportWriter(
                records,
                session,
                principal,
                source=source,
                fallback_orgunit=fallback_orgunit,
                public_keys=keys,
                dry_run=dry_run,
            )
            if fallback_orgunit:
                writer.orgunit(fallback_orgunit, "")
            yield writer
            if writer.log.conflicts:
                raise ImportConflict(writer.log.conflicts)
            if dry_run:
                raise _DryRunDone()
    except _DryRunDone:
        pass


def seal_keys(
    records: Records,
    principal: Principal,
    key_ids: list[str],
    *,
    source: str,
    at: datetime,
    anchor: str,
    confirmed: str,
) -> None:
    """Record each trusted package key by a ``key.imported`` event under its own checkpoint.

    The event names the key as retired here and who confirmed which trust
    anchor (``trust_anchor``: the fingerprint of the package's anchor key;
    ``confirmed_by``: the importing user; ``confirmed_with``: --trusted-key or
    a key of this installation). Sealed at once by a signed
    checkpoint, it anchors the key in packages exported later, as
    ``key.rotated`` anchors a key this installation retired itself. Keys
    recorded already are skipped, so a repeated import completes what an
    interrupted one began.
    """
    for key_id in key_ids:
        with records.transaction() as session:
            recorded = session.scalar(
                select(AuditEvent.seq).where(
                    AuditEvent.action == "key.imported", AuditEvent.object_id == key_id
                )
            )
            if recorded is not None:
                continue
            records.audit.append(
                session,
                actor=principal.actor,
                action="key.imported",
                object_type="signing_key",
                object_id=key_id,
                details={
                    "retired": key_id,
                    "retired_at": at.isoformat(),
                    "imported_from": source,
                    "trust_anchor": anchor,
                    "confirmed_by": principal.actor,
                    "confirmed_with": confirmed,
                },
            )
        with records.transaction() as session:
            records.audit.checkpoint(session)
