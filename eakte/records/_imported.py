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

import base64
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import InvalidReference, RecordsError
from eakte.models import (
    AuditEvent,
    Case,
    CaseFile,
    Document,
    DocumentVersion,
    FilePlanItem,
    OrgUnit,
    SigningKey,
)
from eakte.records._context import Records
from eakte.records._documents import VersionInput, _record_version
from eakte.records._fileplan import _add_item
from eakte.records._principal import Permission, Principal, require
from eakte.records._references import (
    PLAN_CODE,
    ReferencePattern,
    next_sequence,
    raise_sequence_to,
)
from eakte.signing import parse_manifest, parse_signature_record, sha256_hex
from eakte.signing._keys import verify_signature
from eakte.storage import ObjectKind, StoredObject

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


class _DryRunDone(Exception):
    """Raised at the end of a dry run to roll the transaction back."""


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


class ImportWriter:
    """Writes imported records inside one transaction (see :func:`importing`)."""

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

    # -- org units and the file plan ------------------------------------------------

    def orgunit(self, code: str, name: str) -> OrgUnit:
        """The org unit with this code; else ``fallback_orgunit``; else a new one under the root."""
        code, name = code.strip(), " ".join(name.split())
        if not ORGUNIT_CODE.fullmatch(code):
            code = ""  # another system's free text: not a code this installation could use
        if code in self._units:
            return self._units[code]
        unit = self.session.scalar(select(OrgUnit).where(OrgUnit.code == code)) if code else None
        if unit is None and self.fallback_orgunit:
            unit = self._existing_unit(self.fallback_orgunit)
        if unit is None:
            unit = self._new_unit(code or IMPORT_ORGUNIT[0], name or IMPORT_ORGUNIT[1])
        if unit.id not in self._writable:
            require(self.session, self.principal, Permission.WRITE, unit.id)
            self._writable.add(unit.id)
        self._units[code] = unit
        return unit

    def _existing_unit(self, code: str) -> OrgUnit:
        unit = self.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if unit is None:
            raise RecordsError(
                f"Unknown org unit {code!r}. `eakte orgunits list` shows the known ones."
            )
        return unit

    def _new_unit(self, code: str, name: str) -> OrgUnit:
        existing = self.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if existing is not None:
            return existing
        require(self.session, self.principal, Permission.ADMINISTER)
        if not self._root_known:  # the top unit before the import (none: new ones are top units)
            self._root_known = True
            self._root = self.session.scalar(
                select(OrgUnit)
                .where(OrgUnit.parent_id.is_(None))
                .order_by(OrgUnit.created_at, OrgUnit.code)
                .limit(1)
            )
        root = self._root
        unit = OrgUnit(code=code, name=name or code, parent_id=root.id if root else None)
        self.session.add(unit)
        self.session.flush()
        self._append(
            "orgunit.created",
            "orgunit",
            unit.id,
            {
                "code": code,
                "name": unit.name,
                "parent": root.code if root else None,
                "imported_from": self.source,
            },
        )
        self.log.add(Outcome("orgunit", unit.id, code, CREATED))
        if root is None:
            self.top_units.append(code)
        return unit

    def plan_item(
        self, code: str, title: str, retention_years: int | None, disposition: str
    ) -> FilePlanItem:
        """The file plan item with this code; created (with missing parents) if unknown.

        An existing item keeps its own title and retention (this file plan rules);
        differences are noted in the report.
        """
        if not PLAN_CODE.match(code):
            raise InvalidReference(f"File plan code {code!r} is not valid here.")
        item = self.session.scalar(select(FilePlanItem).where(FilePlanItem.code == code))
        if item is not None:
            differing = [
                name
                for name, ours, theirs in (
                    ("title", item.title, title),
                    ("retention", item.retention_years, retention_years),
                    ("disposition", item.disposition, disposition),
                )
                if ours != theirs
            ]
            if differing and item.id not in self.log.status:
                note = "kept this installation's " + ", ".join(differing)
                self.log.add(Outcome("plan_item", item.id, code, PRESENT, note))
            return item
        return self._new_plan_item(code, title, retention_years, disposition)

    def _new_plan_item(
        self, code: str, title: str, retention_years: int | None, disposition: str
    ) -> FilePlanItem:
        """A new item; a missing parent gets a placeholder (its code, unlimited, B)."""
        require(self.session, self.principal, Permission.MANAGE_FILEPLAN)
        parent = code.rpartition(".")[0]
        if (
            parent
            and self.session.scalar(select(FilePlanItem.id).where(FilePlanItem.code == parent))
            is None
        ):
            self._new_plan_item(parent, f"Aktenplaneinheit {parent} (Import)", None, "B")
        item = _add_item(
            self.records,
            self.session,
            self.principal,
            code,
            title.strip()[:300] or code,
            retention_years,
            disposition if disposition in ("A", "B", "V") else "B",
        )
        self.log.add(Outcome("plan_item", item.id, code, CREATED))
        return item

    # -- case files and cases ---------------------------------------------------------

    def case_file(
        self,
        *,
        id: str,
        reference: str,
        title: str,
        orgunit: OrgUnit,
        plan_item: FilePlanItem,
        created_at: datetime,
        created_by: str,
        closed_at: datetime | None,
    ) -> CaseFile | None:
        """The imported Akte (None: it conflicts; the conflict is logged)."""
        _check_length("Aktenzeichen", reference, 120)
        existing = self.session.get(CaseFile, id)
        by_ref = self.session.scalar(select(CaseFile).where(CaseFile.reference == reference))
        if existing is not None:
            if existing.reference != reference or existing.title != title.strip()[:300]:
                self._conflict(
                    f"Akte {id}: exists here as {existing.reference} {existing.title!r}, "
                    f"the package has {reference} {title!r}."
                )
                return None
            self.log.add(Outcome("casefile", id, reference, PRESENT))
            return existing
        if by_ref is not None:
            self._conflict(
                f"Akte {reference}: the reference belongs here to another Akte ({by_ref.id})."
            )
            return None
        self._raise_case_file_counter(reference, plan_item.code, orgunit.code, created_at.year)
        case_file = CaseFile(
            id=id,
            reference=reference,
            title=title.strip()[:300],
            plan_item_id=plan_item.id,
            orgunit_id=orgunit.id,
            created_at=created_at,
            created_by=created_by,
            closed_at=closed_at,
        )
        self.session.add(case_file)
        self.session.flush()
        self._append(
            "casefile.created",
            "casefile",
            id,
            {
                "reference": reference,
                "title": case_file.title,
                "plan": plan_item.code,
                "orgunit": orgunit.code,
                "created_at": created_at.isoformat(),
                "created_by": created_by,
                "closed_at": closed_at.isoformat() if closed_at else None,
                "imported_from": self.source,
            },
        )
        self.log.add(Outcome("casefile", id, reference, CREATED))
        return case_file

    def existing_case_file(self, id: str) -> CaseFile | None:
        return self.session.get(CaseFile, id)

    def allocate_reference(self, plan_item: FilePlanItem, orgunit: OrgUnit, year: int) -> str:
        """A new Aktenzeichen from this installation's pattern (for Akten without one)."""
        pattern = ReferencePattern(self.records.settings.reference_pattern)
        fields: dict[str, object] = {"plan": plan_item.code, "year": year, "orgunit": orgunit.code}
        return pattern.format(seq=next_sequence(self.session, pattern.scope(**fields)), **fields)

    def _raise_case_file_counter(self, reference: str, plan: str, orgunit: str, year: int) -> None:
        """Keep this installation from allocating an imported reference again."""
        pattern = ReferencePattern(self.records.settings.reference_pattern)
        try:
            parsed = pattern.parse(reference)
        except InvalidReference:
            return  # another system's reference: it can never be allocated here
        fields: dict[str, object] = {"plan": plan, "orgunit": orgunit, "year": year}
        fields.update({k: v for k, v in parsed.items() if k != "seq"})
        if fields["plan"] == plan:
            raise_sequence_to(self.session, pattern.scope(**fields), int(parsed["seq"]))

    def case(
        self,
        *,
        id: str,
        case_file: CaseFile,
        reference: str,
        title: str,
        created_at: datetime,
        created_by: str,
        closed_at: datetime | None,
        retention_until: date | None,
    ) -> Case | None:
        """The imported Vorgang (None: it conflicts; the conflict is logged).

        Without a reference it gets the next one of its Akte.
        """
        existing = self.session.get(Case, id)
        if existing is not None and not reference:
            reference = existing.reference
        _check_length("Vorgang reference", reference, 140)
        seq = self._case_seq(case_file, reference)
        if not reference:
            reference = self.records.settings.case_reference_pattern.format(
                akte=case_file.reference, seq=seq
            )
        if existing is not None:
            if (
                existing.reference != reference
                or existing.title != title.strip()[:300]
                or existing.case_file_id != case_file.id
            ):
                self._conflict(
                    f"Vorgang {id}: exists here as {existing.reference} {existing.title!r}, "
                    f"the package has {reference} {title!r}."
                )
                return None
            self.log.add(Outcome("case", id, reference, PRESENT))
            return existing
        other = self.session.scalar(select(Case).where(Case.reference == reference))
        if other is not None:
            self._conflict(
                f"Vorgang {reference}: the reference belongs here to another Vorgang ({other.id})."
            )
            return None
        case = Case(
            id=id,
            case_file_id=case_file.id,
            seq=seq,
            reference=reference,
            title=title.strip()[:300],
            created_at=created_at,
            created_by=created_by,
            closed_at=closed_at,
            retention_until=retention_until,
        )
        self.session.add(case)
        self.session.flush()
        self._append(
            "case.created",
            "case",
            id,
            {
                "reference": reference,
                "title": case.title,
                "case_file": case_file.reference,
                "created_at": created_at.isoformat(),
                "created_by": created_by,
                "closed_at": closed_at.isoformat() if closed_at else None,
                "retention_until": retention_until.isoformat() if retention_until else None,
                "imported_from": self.source,
            },
        )
        self.log.add(Outcome("case", id, reference, CREATED))
        return case

    def _case_seq(self, case_file: CaseFile, reference: str) -> int:
        """The number the reference carries inside its Akte, else the next free one."""
        taken = set(self.session.scalars(select(Case.seq).where(Case.case_file_id == case_file.id)))
        pattern = self.records.settings.case_reference_pattern
        try:
            parsed = ReferencePattern(pattern).parse(reference)
            seq = int(parsed["seq"])
            if parsed.get("akte") == case_file.reference and seq not in taken:
                return seq
        except (InvalidReference, KeyError, ValueError):
            pass
        return max(taken, default=0) + 1

    # -- documents and versions -------------------------------------------------------

    def existing_versions(self, document_id: str) -> list[tuple[str, str]] | None:
        """(content sha256, manifest sha256) of each version of a document here, or None."""
        if self.session.get(Document, document_id) is None:
            return None
        rows = self.session.execute(
            select(DocumentVersion.content_sha256, DocumentVersion.manifest_sha256)
            .where(DocumentVersion.document_id == document_id)
            .order_by(DocumentVersion.number)
        ).all()
        return [(content, manifest) for content, manifest in rows]

    def document(
        self,
        *,
        id: str,
        title: str,
        orgunit: OrgUnit,
        case_file: CaseFile | None,
        case: Case | None,
        created_at: datetime,
        created_by: str,
        details: dict[str, Any],
    ) -> Document:
        """A new document row (no versions yet); ``details``: the Document columns to set."""
        document = Document(
            id=id,
            title=title.strip()[:500] or "Ohne Betreff",
            orgunit_id=orgunit.id,
            case_file_id=case_file.id if case_file else None,
            case_id=case.id if case else None,
            created_at=created_at,
            created_by=created_by,
            version_count=0,
            **details,
        )
        self.session.add(document)
        self.session.flush()
        self.session.refresh(document)
        return document

    def document_done(self, document: Document, extra: dict[str, Any] | None = None) -> None:
        """Audit the finished document under the keys ``eakte verify`` replays."""
        self._append(
            "document.created",
            "document",
            document.id,
            {
                "title": document.title,
                "orgunit": document.orgunit.code,
                "case_file": document.case_file.reference if document.case_file else None,
                "case": document.case.reference if document.case else None,
                "created_at": document.created_at.isoformat(),
                "created_by": document.created_by,
                "versions": document.version_count,
                "imported_from": self.source,
                **(extra or {}),
            },
        )
        self.log.add(Outcome("document", document.id, document.title, CREATED))

    def document_present(self, document_id: str, title: str) -> None:
        self.log.add(Outcome("document", document_id, title, PRESENT))

    def conflict(self, message: str) -> None:
        self._conflict(message)

    def signed_version(
        self, document: Document, manifest_bytes: bytes, signature_record: bytes
    ) -> DocumentVersion:
        """A version from its original signed manifest; content and renditions stored before."""
        try:
            manifest = parse_manifest(manifest_bytes)
            manifest_sha, key_id, signature = parse_signature_record(signature_record)
        except ValueError as exc:
            raise RecordsError(f"Document {document.id}: unreadable manifest ({exc}).") from exc
        number = document.version_count + 1
        subject = f"Document {document.id} version {number}"
        if manifest_sha != sha256_hex(manifest_bytes):
            raise RecordsError(f"{subject}: the signature record names another manifest.")
        if manifest.get("document_id") != document.id or manifest.get("version") != number:
            raise RecordsError(f"{subject}: the manifest is of another document or version.")
        pem = self.public_keys.get(key_id)
        if pem is None or not verify_signature(pem, manifest_bytes, signature):
            raise RecordsError(f"{subject}: the manifest signature does not verify.")
        previous = self.session.scalar(
            select(DocumentVersion.manifest_sha256).where(
                DocumentVersion.document_id == document.id,
                DocumentVersion.number == number - 1,
            )
        )
        if manifest.get("previous_manifest_sha256") != previous:
            raise RecordsError(f"{subject}: does not link to the version before it.")
        self._ensure_key_row(key_id)
        self.put_bytes(ObjectKind.MANIFEST, manifest_bytes)
        signature_sha = self.put_bytes(ObjectKind.SIGNATURE, signature_record)
        row = DocumentVersion(
            document_id=document.id,
            number=number,
            content_sha256=manifest["content_sha256"],
            size=manifest["size"],
            media_type=manifest["media_type"],
            filename=manifest["filename"],
            created_at=datetime.strptime(manifest["created_at"], MANIFEST_TIME).replace(tzinfo=UTC),
            created_by=manifest["created_by"],
            source=manifest["source"],
            scan_note=manifest["scan_note"],
            doc_metadata=manifest["metadata"],
            case_reference=manifest["case_reference"],
            manifest_sha256=manifest_sha,
            previous_manifest_sha256=previous,
            key_id=key_id,
            signature=base64.b64encode(signature).decode(),
            signature_sha256=signature_sha,
            renditions=manifest["renditions"] or None,
        )
        self.session.add(row)
        document.version_count = number
        self.session.flush()
        self._append(
            "document.version_added",
            "document",
            document.id,
            {
                "version": number,
                "sha256": row.content_sha256,
                "manifest_sha256": manifest_sha,
                "key_id": key_id,
                "imported_from": self.source,
            },
        )
        return row

    def new_version(
        self, document: Document, stored: StoredObject, version: VersionInput
    ) -> DocumentVersion | None:
        """A version of a foreign file: a new manifest signed by this installation.

        A dry run signs and stores nothing (None); the version is only counted.
        """
        if self.dry_run:
            document.version_count += 1
            return None
        return _record_version(
            self.records, self.session, self.principal, document, stored, version
        )

    def _ensure_key_row(self, key_id: str) -> None:
        """A key of the key folder that the database does not know yet gets its row."""
        if self.session.get(SigningKey, key_id) is None:
            self.records.register_keys(self.session)
        if self.session.get(SigningKey, key_id) is None:
            raise RecordsError(f"Signing key {key_id} is not known here.")

    # -- history ------------------------------------------------------------------------

    def history(self, object_type: str, object_id: str, original: dict[str, Any]) -> None:
        """One entry of an object's earlier history, kept as it was in ``original``."""
        self._append(
            "history.imported",
            object_type,
            object_id,
            {"original": original, "imported_from": self.source},
        )
        self.log.history_events += 1

    def trust_key(self, key_id: str, at: datetime) -> None:
        """A package's key becomes a retired key here (its audit event: :func:`seal_keys`).

        Trusting a key this installation does not know needs ADMINISTER: its
        signatures count here from now on, like those of this installation's
        own keys.
        """
        if self.session.get(SigningKey, key_id) is not None:
            return
        if not self._may_trust_keys:
            require(self.session, self.principal, Permission.ADMINISTER)
            self._may_trust_keys = True
        pem = self.public_keys[key_id]
        self.session.add(SigningKey(key_id=key_id, public_pem=pem, created_at=at, retired_at=at))
        self.session.flush()
        self.log.add(Outcome("key", key_id, key_id, CREATED))

    def completed(self, details: dict[str, Any]) -> None:
        self._append("import.completed", "import", self.source, details)

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


def _check_length(what: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise RecordsError(f"The {what} {value[:60]!r}… is longer than {limit} characters.")


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
