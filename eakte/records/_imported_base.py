"""The state an import's writer keeps, and what all its parts share (see ``_imported``)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from eakte.exceptions import RecordsError
from eakte.models import OrgUnit
from eakte.records._context import Records
from eakte.records._principal import Principal
from eakte.storage import ObjectKind

PRESENT = "present"
CREATED = "created"
MANIFEST_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"
ORGUNIT_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,31}")
IMPORT_ORGUNIT = ("IMPORT", "Importiertes Schriftgut")


class ImportConflict(RecordsError):
    """The package clashes with records here; nothing was imported."""

    def __init__(self, conflicts: list[str]) -> None:
        super().__init__(
            "Nothing was imported: the package clashes with existing records:\n  "
            + "\n  ".join(conflicts)
            + "\nRemove the clashing records or import into another installation."
        )
        self.conflicts = conflicts


@dataclass(frozen=True)
class Outcome:
    """What became of one object: ``created`` or ``present`` (with notes, if any)."""

    kind: str  # orgunit, plan_item, casefile, case, document, key
    id: str
    label: str
    status: str
    note: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {"kind": self.kind, "id": self.id, "label": self.label, "status": self.status}
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class ImportLog:
    outcomes: list[Outcome] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)  # object id -> its outcome's status
    conflicts: list[str] = field(default_factory=list)
    history_events: int = 0

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        self.status[outcome.id] = outcome.status

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            key = f"{outcome.kind}_{outcome.status}"
            counts[key] = counts.get(key, 0) + 1
        counts["history_events"] = self.history_events
        return counts


class WriterBase:
    """One import's transaction, principal, log and caches (see :func:`importing`)."""

    def __init__(
        self,
        records: Records,
        session: Session,
        principal: Principal,
        *,
        source: str,
        fallback_orgunit: str | None,
        public_keys: dict[str, str],
        dry_run: bool,
    ) -> None:
        self.records = records
        self.session = session
        self.principal = principal
        self.source = source  # the package's ProzessID
        self.fallback_orgunit = fallback_orgunit
        self.public_keys = public_keys  # key_id -> PEM the package's signatures are checked with
        self.dry_run = dry_run
        self.log = ImportLog()
        self._units: dict[str, OrgUnit] = {}
        self._writable: set[str] = set()
        self._root: OrgUnit | None = None
        self._root_known = False
        self.top_units: list[str] = []  # codes of org units created without a parent
        self._may_trust_keys = False

    # -- small objects (files are stored before the transaction) --------------------

    def put_bytes(self, kind: ObjectKind, data: bytes) -> str:
        if not self.dry_run:
            return self.records.store.put(kind, data).sha256
        return hashlib.sha256(data).hexdigest()

    # -- helpers ------------------------------------------------------------------------

    def _append(
        self, action: str, object_type: str, object_id: str, details: dict[str, Any]
    ) -> None:
        self.records.audit.append(
            self.session,
            actor=self.principal.actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details,
        )

    def _conflict(self, message: str) -> None:
        self.log.conflicts.append(message)

    def is_new(self, id: str) -> bool:
        """Whether this import created the object (else it was here already)."""
        return self.log.status.get(id) == CREATED

    def created_anything(self) -> bool:
        return CREATED in self.log.status.values()


def check_length(what: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise RecordsError(f"The {what} {value[:60]!r}… is longer than {limit} characters.")
