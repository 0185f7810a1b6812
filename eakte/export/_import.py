"""``eakte import``: an xdomea 3.0.0 0503 message into the file plan, in one transaction.

Two kinds of input (see :mod:`eakte.export._import_source`):

- an **eakte package** is verified first (any error: nothing is imported),
  and its trust anchor (the key of its last signed checkpoint) must be
  confirmed: one of the ``--trusted-key`` values, or a key this installation
  has already; else nothing is imported and the refusal shows the anchor's
  fingerprint. Objects keep their ids, references, titles, org units, file
  plan items, dates and every version with its original signed manifest and
  signature; the package's public keys become retired keys of this
  installation (trusting a new key needs ADMINISTER), and the package's
  audit events of each object become ``history.imported`` events.
- a **foreign xdomea container** (message and primary files at the ZIP's top
  level): the same objects from the XML; each file becomes a version with a
  new manifest signed by this installation (source ``import``), the message's
  history entries ``history.imported`` events. A Vorgang without an Akte gets
  an Akte of its own, "Import <Kennzeichen>", under the file plan item
  ``9999`` (created if missing); an Akte whose Aktenplan code is not a code
  of this installation goes there too. Org units are matched by code; one
  that is unknown here, or a free-text Federführung, is ``--orgunit`` if
  given, else created under the top org unit (a free text: as ``IMPORT``).

Importing the same package again changes nothing and reports every object as
"present"; an id or reference that exists here with other content is a
conflict, and then nothing at all is imported. A document that gained
versions since an earlier import is such a conflict too (no merging).

Every import runs as a dry run first (files only hashed, the transaction
rolled back), so a clash, a missing permission or a broken file refuses it
before anything reaches the object store; the object store is written only
after the dry run passed.

The audit log records the import as this installation's own steps:
``orgunit.created``, ``fileplan.item_created``, ``casefile.created``,
``case.created``, ``document.created``, ``document.version_added`` (all but
the file plan's with ``imported_from``, the ProzessID); the old history as
``history.imported`` events whose ``original`` keeps seq, time, actor,
action, details, prev_hash, hash and hash format (so the original hash can be
recomputed); one ``import.completed``; and per trusted package key a
``key.imported`` event, sealed at once by its own signed checkpoint so that
later exports can anchor the key; it names the package's trust anchor and
who confirmed it.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, cast

from eakte.exceptions import RecordsError
from eakte.export._import_foreign import content_hashes, foreign_files, import_new_versions
from eakte.export._import_keys import new_keys, trust_public_keys
from eakte.export._import_package import (
    PackageIndex,
    import_signed_versions,
    load_index,
    package_files,
    remaining_events,
    take_history,
)
from eakte.export._import_source import (
    CHUNK,
    EAKTE,
    Container,
    PackageError,
    Progress,
    checked_uuid,
    open_container,
)
from eakte.export._import_stage import FileStage
from eakte.export._layout import EAKTE_NAMESPACE
from eakte.export._limits import max_total_bytes
from eakte.export._model import CaseFileRecord, CaseRecord, DocumentRecord, HistoryEntry
from eakte.export._verify_package import verify_package
from eakte.export._xdomea_read import read_message
from eakte.models import Case, CaseFile, FilePlanItem, OrgUnit
from eakte.records._context import Records
from eakte.records._imported import ImportWriter, Outcome, importing, seal_keys
from eakte.records._principal import Principal
from eakte.records._references import PLAN_CODE
from eakte.signing._findings import Finding, Severity

IMPORT_PLAN = ("9999", "Übernommenes Schriftgut (Import)")


class PackageRefused(RecordsError):
    """The package did not verify; nothing was imported."""

    def __init__(self, findings: list[Finding]) -> None:
        lines = [f"[{f.code}] {f.subject}: {f.message}" for f in findings]
        super().__init__(
            "Nothing was imported: the package does not verify:\n  "
            + "\n  ".join(lines[:50])
            + ("\n  …" if len(lines) > 50 else "")
            + "\nCheck it with `eakte verify PACKAGE.zip` and ask its sender for an intact copy."
        )
        self.findings = findings


class AnchorUntrusted(RecordsError):
    """The package verifies, but its trust anchor is no key confirmed here; nothing imported."""

    def __init__(self, anchor: str | None) -> None:
        shown = anchor or "(none: the package has no signed checkpoint)"
        super().__init__(
            "Nothing was imported: the package's trust anchor is not confirmed.\n"
            f"  Anchor key (fingerprint): {shown}\n"
            "The package is intact as far as its own keys vouch, but it could have been "
            "signed by anyone. Ask the sending office for the fingerprint of its signing key "
            "over another channel than the package (`eakte keys list` there; or from its "
            "public key: openssl pkey -pubin -in KEY.pem -outform DER | tail -c 32 | "
            "sha256sum | cut -c1-32), compare it with the one above and repeat the import "
            "with --trusted-key FINGERPRINT (or --trusted-key KEY.pem). Trusting a key "
            "this installation does not know needs the admin role."
        )
        self.anchor = anchor


@dataclass
class ImportReport:
    kind: str  # eakte-package or xdomea
    prozess_id: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    anchor_key: str | None = None  # an eakte package's trust anchor
    anchor_confirmed: str | None = None  # how: "--trusted-key" or "a key of this installation"
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "prozess_id": self.prozess_id,
            "dry_run": self.dry_run,
            "anchor_key": self.anchor_key,
            "anchor_confirmed": self.anchor_confirmed,
            "counts": self.counts,
            "objects": [o.as_dict() for o in self.outcomes],
            "notes": self.notes,
        }


@dataclass(frozen=True)
class _Anchor:
    key_id: str
    confirmed: str  # "--trusted-key" or "a key of this installation"


def import_package(
    records: Records,
    principal: Principal,
    path: Path,
    *,
    trusted_keys: Sequence[str] = (),
    orgunit: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the ZIP at ``path``; PackageRefused, AnchorUntrusted, ImportConflict or
    PackageError when not.

    ``path`` is opened once. A foreign container is read from that open file;
    an eakte package is first copied from it to a private file, and that one
    file is both verified and imported (no one can swap the package between
    the two). The ZIP's limits (entries, unpacked size ``package_max_gb``,
    compression ratio, overlapping entries) are checked before anything else.

    An eakte package's trust anchor (the key of its last checkpoint) must be
    one of ``trusted_keys`` (key ids or PEM texts, as for ``eakte verify
    PACKAGE``) or a key this installation has already: a package cannot
    anchor itself into this installation's trust.

    Every import is first done as a dry run (one rolled-back transaction that
    only hashes the files): a clash, a missing permission or a broken file
    refuses the import before anything is written to the object store. Only
    then are the files stored (each streamed once) and the records written in
    one transaction. Objects stored for an import whose final transaction still
    fails (a concurrent change after the dry run, a crash) are the only
    possible leftovers; they are content-addressed and harmless.
    """
    max_total = max_total_bytes(records.settings.package_max_gb)
    with path.open("rb") as raw:
        with open_container(cast(BinaryIO, raw), progress, max_total) as container:
            if container.kind != EAKTE:
                return _import(records, principal, container, None, None, orgunit, dry_run)
        with _private_copy(cast(BinaryIO, raw), records.settings.tmp_dir) as copy:
            anchor = _verify(records, copy, trusted_keys, max_total)
            with open_container(copy, progress, max_total) as container:
                if container.kind != EAKTE:  # pragma: no cover - the copy is the same bytes
                    raise PackageError("The package changed while it was read.")
                index = load_index(container)
                return _import(records, principal, container, index, anchor, orgunit, dry_run)


@contextmanager
def _private_copy(raw: BinaryIO, tmp_dir: Path) -> Iterator[Path]:
    """The open file copied to a file only this process knows (removed afterwards)."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="eakte-import-", dir=tmp_dir) as folder:
        target = Path(folder) / "package.zip"
        raw.seek(0)
        with target.open("xb") as out:
            shutil.copyfileobj(raw, out, CHUNK)
        yield target


def _import(
    records: Records,
    principal: Principal,
    container: Container,
    index: PackageIndex | None,
    anchor: _Anchor | None,
    orgunit: str | None,
    dry_run: bool,
) -> ImportReport:
    """The dry run, then (unless ``dry_run``) the files stored and the real transaction."""
    with container.message_file() as message:
        objects = read_message(message)[1]
        plan = foreign_files if index is None else package_files
        run = partial(_transaction, records, principal, container, message, anchor=anchor)
        checked = run(FileStage(container, None), _fresh(index), orgunit=orgunit, dry_run=True)
        if dry_run:
            return checked
        files = FileStage(container, records.store)
        files.stage(objects, plan)
        return run(files, index, orgunit=orgunit, dry_run=False)


def _fresh(index: PackageIndex | None) -> PackageIndex | None:
    """A copy of the index whose events a transaction may use up (for the dry run)."""
    if index is None:
        return None
    return replace(index, events={moment: list(e) for moment, e in index.events.items()})


def _transaction(
    records: Records,
    principal: Principal,
    container: Container,
    message: Path,
    files: FileStage,
    index: PackageIndex | None,
    *,
    anchor: _Anchor | None,
    orgunit: str | None,
    dry_run: bool,
) -> ImportReport:
    """The records of the message in one transaction (rolled back for a dry run)."""
    public_keys = index.keys if index is not None else {}
    fresh_keys = new_keys(records, public_keys)
    now = datetime.now(UTC)
    report = ImportReport(container.kind, container.prozess_id, dry_run)
    if anchor is not None:
        report.anchor_key, report.anchor_confirmed = anchor.key_id, anchor.confirmed
    with importing(
        records,
        principal,
        source=container.prozess_id,
        fallback_orgunit=orgunit,
        public_keys=public_keys,
        dry_run=dry_run,
    ) as writer:
        for key_id in fresh_keys:
            writer.trust_key(key_id, now)
        header, objects = read_message(message)
        run = _Run(writer, container, files, index)
        for record in objects:
            run.record(record)
        for event in remaining_events(index) if index is not None else []:
            writer.history(event["object_type"], event["object_id"], event)
        report.outcomes = writer.log.outcomes
        report.counts = writer.log.counts()
        if writer.top_units:
            report.notes.append(
                "This installation had no org units; the import created "
                + ", ".join(writer.top_units)
                + " as top units. `eakte demo` loads only into an installation without "
                "its org units (VW, 10, 32, 33, 63, 70): load the demo data before importing."
            )
        if writer.created_anything():
            writer.completed(
                {
                    "kind": container.kind,
                    "sender": header.sender_institution,
                    "message_created_at": header.created_at.isoformat(),
                    "counts": report.counts,
                }
            )
    if fresh_keys and not dry_run:
        assert anchor is not None  # keys come only with a verified eakte package
        trust_public_keys(records, fresh_keys, now)
        seal_keys(
            records,
            principal,
            sorted(fresh_keys),
            source=container.prozess_id,
            at=now,
            anchor=anchor.key_id,
            confirmed=anchor.confirmed,
        )
    return report


def _verify(records: Records, path: Path, trusted_keys: Sequence[str], max_total: int) -> _Anchor:
    """Verify the package; its trust anchor and how it is confirmed (else refused)."""
    own = [info.key_id for info in records.keyring().list()]
    result = verify_package(path, [*trusted_keys, *own], max_total=max_total)
    findings = [
        f
        for f in result.findings
        if f.severity is Severity.ERROR and f.code != "anchor-key-untrusted"
    ]
    if findings:
        raise PackageRefused(findings)
    anchor = result.anchor_key
    if anchor is None or not result.anchor_trusted:
        raise AnchorUntrusted(anchor)
    confirmed = "a key of this installation" if anchor in own else "--trusted-key"
    return _Anchor(anchor, confirmed)


class _Run:
    """Maps the message's objects onto the writer, one Schriftgutobjekt at a time."""

    def __init__(
        self,
        writer: ImportWriter,
        container: Container,
        files: FileStage,
        index: PackageIndex | None,
    ) -> None:
        self.writer = writer
        self.container = container
        self.files = files
        self.index = index

    def record(self, record: CaseFileRecord | CaseRecord | DocumentRecord) -> None:
        if isinstance(record, CaseFileRecord):
            self.case_file(record)
        elif isinstance(record, CaseRecord):
            case_file = self._wrapper(record)
            if case_file is not None:
                self.case(record, case_file)
        else:
            unit = self.writer.orgunit(record.orgunit_code, record.orgunit_name)
            self.document(record, unit, None, None)

    def case_file(self, record: CaseFileRecord) -> None:
        checked_uuid(record.id, "Akte")
        unit = self.writer.orgunit(record.orgunit_code, record.orgunit_name)
        plan = self._plan(record)
        reference = record.reference.strip()
        if not reference:  # an Akte without Kennzeichen gets one here (the same each time)
            existing = self.writer.existing_case_file(record.id)
            reference = (
                existing.reference
                if existing is not None
                else self.writer.allocate_reference(plan, unit, record.created_at.year)
            )
        case_file = self.writer.case_file(
            id=record.id,
            reference=reference,
            title=record.title,
            orgunit=unit,
            plan_item=plan,
            created_at=record.created_at,
            created_by=record.created_by,
            closed_at=record.closed_at,
        )
        if case_file is None:
            return
        self._history("casefile", record.id, record.history)
        for case in record.cases:
            self.case(case, case_file)
        for document in record.documents:
            self.document(document, case_file.orgunit, case_file, None)

    def _plan(self, record: CaseFileRecord) -> FilePlanItem:
        if PLAN_CODE.match(record.plan_code):
            return self.writer.plan_item(
                record.plan_code, record.plan_title, record.retention_years, record.disposition
            )
        return self.writer.plan_item(IMPORT_PLAN[0], IMPORT_PLAN[1], None, "B")

    def _wrapper(self, record: CaseRecord) -> CaseFile | None:
        """The Akte a Vorgang without one is put in (the same one on every import)."""
        checked_uuid(record.id, "Vorgang")
        id = str(uuid.uuid5(EAKTE_NAMESPACE, f"{record.id}/akte"))
        existing = self.writer.existing_case_file(id)
        unit = existing.orgunit if existing is not None else self.writer.orgunit("", "")
        plan = self.writer.plan_item(IMPORT_PLAN[0], IMPORT_PLAN[1], None, "B")
        reference = (
            existing.reference
            if existing is not None
            else self.writer.allocate_reference(plan, unit, record.created_at.year)
        )
        return self.writer.case_file(
            id=id,
            reference=reference,
            title=f"Import {record.reference or record.title}"[:300],
            orgunit=unit,
            plan_item=plan,
            created_at=record.created_at,
            created_by=record.created_by,
            closed_at=record.closed_at,
        )

    def case(self, record: CaseRecord, case_file: CaseFile) -> None:
        checked_uuid(record.id, "Vorgang")
        case = self.writer.case(
            id=record.id,
            case_file=case_file,
            reference=record.reference,
            title=record.title,
            created_at=record.created_at,
            created_by=record.created_by,
            closed_at=record.closed_at,
            retention_until=record.retention_until,
        )
        if case is None:
            return
        self._history("case", record.id, record.history)
        for document in record.documents:
            self.document(document, case_file.orgunit, case_file, case)

    def document(
        self,
        record: DocumentRecord,
        unit: OrgUnit,
        case_file: CaseFile | None,
        case: Case | None,
    ) -> None:
        checked_uuid(record.id, "Dokument")
        existing = self.writer.existing_versions(record.id)
        if existing is not None:
            self._compare(record, existing)
            return
        document = self.writer.document(
            id=record.id,
            title=record.title,
            orgunit=unit,
            case_file=case_file,
            case=case,
            created_at=record.created_at,
            created_by=record.created_by,
            details={
                "document_date": record.document_date,
                "sender": (record.sender or None) and record.sender[:300],
                "document_type": (record.document_type or None) and record.document_type[:60],
                "language": (record.language or None) and record.language[:8],
                "page_count": record.page_count,
                "confidential": record.confidential,
            },
        )
        if self.index is not None:
            text = import_signed_versions(
                self.writer, self.container, self.files, self.index, document
            )
        else:
            text = import_new_versions(self.writer, self.container, self.files, record, document)
        document.text = text
        self.writer.document_done(document)
        self._history("document", record.id, record.history)

    def _compare(self, record: DocumentRecord, existing: list[tuple[str, str]]) -> None:
        """A document that is here already: the same versions, or a conflict."""
        if self.index is not None:
            theirs = [v.manifest_sha256 for v in self.index.versions.get(record.id, [])]
            ours = [manifest for _, manifest in existing]
        else:
            theirs = content_hashes(self.files, record)
            ours = [content for content, _ in existing]
        if theirs == ours:
            self.writer.document_present(record.id, record.title)
            self._history("document", record.id, record.history)  # known here: skipped
        else:
            self.writer.conflict(
                f"Dokument {record.id} ({record.title!r}): exists here with "
                f"{len(ours)} other version(s); the package has {len(theirs)}."
            )

    def _history(self, object_type: str, id: str, history: list[HistoryEntry]) -> None:
        """The object's history, when this import created it."""
        if self.index is not None:
            for event in take_history(self.index, history):
                if self.writer.is_new(id):
                    self.writer.history(object_type, id, event)
            return
        if not self.writer.is_new(id):
            return
        for entry in history:
            self.writer.history(
                object_type,
                id,
                {
                    "actor": entry.actor,
                    "occurred_at": entry.at.astimezone(UTC).isoformat(),
                    "action": entry.action,
                    "description": entry.description,
                    "details": {str(k): _plain(v) for k, v in entry.details.items()},
                },
            )


def _plain(value: Any) -> Any:
    """A value canonical JSON takes (history details of foreign systems are text)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
