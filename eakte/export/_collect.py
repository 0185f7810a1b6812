"""Database rows -> the package's record objects, with each object's audit history.

One Akte (with its Vorgänge and documents' metadata) is built at a time; the
session forgets it once it has been yielded. The audit events that become
history are remembered by number (they go into the package in full), and so
are the keys that signed the versions. :func:`anchor_keys` finds the
``key.rotated`` events that tie older keys to the package's signed checkpoint.
:func:`event_bytes` and :func:`chain_lines` give an event's file and its chain
segments' lines in the event's audit hash format (see ``eakte.signing``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from eakte.export._model import (
    CaseFileRecord,
    CaseRecord,
    DocumentRecord,
    HistoryEntry,
    PrimaryFile,
    RecordObject,
    VersionRecord,
)
from eakte.export._select import Scope
from eakte.models import (
    AuditCheckpoint,
    AuditEvent,
    Case,
    CaseFile,
    Document,
    DocumentVersion,
    WorkflowInstance,
    WorkflowTask,
)
from eakte.signing import canonical_json, sha256_hex
from eakte.signing._audit import content_of

# Writes a version's files into the package and describes them.
VersionSink = Callable[[Document, DocumentVersion], list[PrimaryFile]]

_WORDS = {
    "casefile.created": "Akte angelegt",
    "case.created": "Vorgang angelegt",
    "case.closed": "Vorgang zu den Akten verfügt (zdA)",
    "document.created": "Dokument angelegt",
    "document.filed": "Dokument abgelegt",
    "document.moved": "Dokument verschoben",
    "document.read": "Dokument gelesen",
    "document.metadata_updated": "Metadaten geändert",
    "ingest.stored": "Eingang verarbeitet und gespeichert",
    "task.done": "Aufgabe erledigt",
    "resubmission.set": "Wiedervorlage gesetzt",
    "resubmission.due": "Wiedervorlage fällig",
    "export.created": "Export erstellt",
}
_FIELDS = {
    "title": "Betreff",
    "sender": "Absender",
    "document_date": "Datum des Schreibens",
    "document_type": "Dokumenttyp",
    "confidential": "Vertraulichkeit",
}


@dataclass
class Collector:
    """Builds the record objects of a scope; remembers included events and signing keys."""

    session: Session
    scope: Scope
    sink: VersionSink
    last_seq: int  # the package's checkpoint: later events are not part of it
    events: set[int] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    case_files: list[dict[str, Any]] = field(default_factory=list)  # for the report
    cases: list[dict[str, Any]] = field(default_factory=list)

    def objects(self) -> Iterator[RecordObject]:
        """Akten first (by reference), then Posteingang documents (oldest first)."""
        for case_file_id in self.scope.case_files:
            yield self._case_file(case_file_id)
            self.session.expunge_all()
        for document_id in self.scope.inbox_documents:
            document = self.session.get(Document, document_id)
            assert document is not None
            yield self._document(document, 1)
            self.session.expunge_all()

    def _case_file(self, case_file_id: str) -> CaseFileRecord:
        case_file = self.session.get(CaseFile, case_file_id)
        assert case_file is not None
        plan = case_file.plan_item
        cases = self.session.scalars(
            select(Case).where(Case.case_file_id == case_file_id).order_by(Case.seq)
        ).all()
        direct = self._documents(
            and_(Document.case_file_id == case_file_id, Document.case_id.is_(None))
        )
        self.case_files.append(_summary(case_file.reference, case_file.title, case_file.closed_at))
        return CaseFileRecord(
            id=case_file.id,
            reference=case_file.reference,
            title=case_file.title,
            orgunit_code=case_file.orgunit.code,
            orgunit_name=case_file.orgunit.name,
            plan_code=plan.code,
            plan_title=plan.title,
            retention_years=plan.retention_years,
            disposition=plan.disposition,
            created_at=case_file.created_at,
            created_by=case_file.created_by,
            closed_at=case_file.closed_at,
            history=self._history("casefile", case_file.id),
            cases=[self._case(case) for case in cases if case.id in self.scope.cases],
            documents=direct,
        )

    def _case(self, case: Case) -> CaseRecord:
        workflows = select(WorkflowInstance.id).where(WorkflowInstance.case_id == case.id)
        tasks = select(WorkflowTask.id).where(
            or_(WorkflowTask.case_id == case.id, WorkflowTask.instance_id.in_(workflows))
        )
        self.cases.append(_summary(case.reference, case.title, case.closed_at))
        return CaseRecord(
            id=case.id,
            reference=case.reference,
            title=case.title,
            created_at=case.created_at,
            created_by=case.created_by,
            closed_at=case.closed_at,
            retention_until=case.retention_until,
            history=self._history("case", case.id, workflows, tasks),
            documents=self._documents(Document.case_id == case.id),
        )

    def _documents(self, where: ColumnElement[bool]) -> list[DocumentRecord]:
        rows = self.session.scalars(
            select(Document).where(where).order_by(Document.created_at, Document.id)
        ).all()
        chosen = [row for row in rows if row.id in self.scope.documents]
        return [self._document(row, number) for number, row in enumerate(chosen, start=1)]

    def _document(self, document: Document, number: int) -> DocumentRecord:
        versions = self.session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document.id)
            .order_by(DocumentVersion.number)
        ).all()
        latest = versions[-1] if versions else None
        metadata: dict[str, Any] = dict(latest.doc_metadata or {}) if latest else {}
        references = metadata.get("references")
        workflows = select(WorkflowInstance.id).where(WorkflowInstance.document_id == document.id)
        tasks = select(WorkflowTask.id).where(WorkflowTask.instance_id.in_(workflows))
        records = []
        for version in versions:
            self.keys.add(version.key_id)
            records.append(
                VersionRecord(
                    number=version.number,
                    created_at=version.created_at,
                    created_by=version.created_by,
                    files=self.sink(document, version),
                )
            )
        return DocumentRecord(
            id=document.id,
            title=document.title,
            created_at=document.created_at,
            created_by=document.created_by,
            orgunit_code=document.orgunit.code,
            orgunit_name=document.orgunit.name,
            number_in_container=number,
            reference=references[0] if isinstance(references, list) and references else None,
            document_date=document.document_date,
            sender=document.sender,
            document_type=document.document_type,
            language=document.language,
            page_count=document.page_count,
            confidential=document.confidential,
            scan_note=dict(latest.scan_note) if latest and latest.scan_note else None,
            extra=_as_text(metadata),
            history=self._history("document", document.id, workflows, tasks),
            versions=records,
        )

    def _history(
        self,
        object_type: str,
        object_id: str,
        workflows: Any = None,
        tasks: Any = None,
    ) -> list[HistoryEntry]:
        """The object's events (and those of workflows and tasks on it), oldest first."""
        kinds = [and_(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)]
        if workflows is not None:
            kinds.append(
                and_(AuditEvent.object_type == "workflow", AuditEvent.object_id.in_(workflows))
            )
        if tasks is not None:
            kinds.append(and_(AuditEvent.object_type == "task", AuditEvent.object_id.in_(tasks)))
        rows = self.session.scalars(
            select(AuditEvent)
            .where(or_(*kinds), AuditEvent.seq <= self.last_seq)
            .order_by(AuditEvent.seq)
        ).all()
        self.events.update(row.seq for row in rows)
        return [history_entry(row) for row in rows]


def history_entry(event: AuditEvent) -> HistoryEntry:
    details = _details(event)
    return HistoryEntry(
        actor=event.actor,
        at=datetime.fromisoformat(event.occurred_at),
        action=event.action,
        description=describe(event.action, details),
        details=details,
    )


def describe(action: str, details: dict[str, Any]) -> str:
    """German words for an event, as xdomea's history wants them."""
    if action == "document.version_added":
        return f"Version {details.get('version', '?')} hinzugefügt"
    if action == "document.read" and details.get("read") == "export":
        return "Dokument in ein Prüfpaket exportiert"
    if action == "document.filed":
        target = details.get("case") or details.get("case_file")
        return f"Abgelegt in {target}" if target else _WORDS[action]
    if action == "document.metadata_updated":
        changed = ", ".join(sorted(_FIELDS.get(k, k) for k in details.get("changes", {})))
        return f"Metadaten geändert ({changed})" if changed else _WORDS[action]
    if action.startswith("workflow.") and isinstance(details.get("label"), str):
        comment = details.get("comment")
        label = f"Geschäftsgang: {details['label']}"
        return f"{label} – {comment}" if isinstance(comment, str) else label
    return _WORDS.get(action, action)


def event_bytes(event: AuditEvent) -> bytes:
    """An included event's file.

    Format 2: the event's content (``sha256sum`` of it is the digest on its
    chain line). Format 1: all fields including ``prev_hash``, the exact
    bytes its hash covers (``sha256sum`` of them is its hash).
    """
    if event.hash_format == 1:
        return canonical_json({**json.loads(content_of(event)), "prev_hash": event.prev_hash})
    return content_of(event)


def _details(event: AuditEvent) -> dict[str, Any]:
    try:
        details = json.loads(event.details)
    except ValueError:
        return {"raw": event.details}
    return details if isinstance(details, dict) else {"value": details}


def _summary(reference: str, title: str, closed_at: datetime | None) -> dict[str, Any]:
    return {"reference": reference, "title": title, "closed_at": closed_at}


def _as_text(metadata: dict[str, Any]) -> dict[str, str]:
    """Further metadata as text (strings as they are, everything else as canonical JSON)."""
    result: dict[str, str] = {}
    for key, value in sorted(metadata.items()):
        if value is None or value == [] or value == {}:
            continue
        result[key] = value if isinstance(value, str) else canonical_json(value).decode()
    return result


# -- audit segments and key anchoring ---------------------------------------


@dataclass(frozen=True)
class Segment:
    """Chain lines ``first``..``last``; ``last`` is a signed checkpoint."""

    first: int
    last: int
    purpose: str  # "records" | "key"

    def as_dict(self) -> dict[str, Any]:
        return {"first": self.first, "last": self.last, "purpose": self.purpose}


@dataclass
class Anchoring:
    """What ties every key to the package's checkpoint."""

    anchor: str  # the key that signed the package's checkpoint
    keys: set[str]  # every key the package needs (signers and anchors)
    events: set[int]  # the key.rotated events included in full
    segments: list[Segment]  # one per anchored older key


def anchor_keys(session: Session, used: set[str], checkpoint_seq: int) -> Anchoring:
    """Anchor every key in ``used`` to the checkpoint at ``checkpoint_seq``.

    An older key K is anchored by the ``key.rotated`` event that retired it (or,
    for a key that came with an imported package, its ``key.imported`` event):
    that event and the chain from it to the next checkpoint go into the
    package; the key that signed that checkpoint is anchored in turn.
    """
    checkpoint = session.get(AuditCheckpoint, checkpoint_seq)
    if checkpoint is None:
        raise ValueError(f"there is no checkpoint at seq {checkpoint_seq}")
    return _anchor(session, used, checkpoint.key_id, checkpoint_seq, planned=False)


def anchoring_events(session: Session, used: set[str], anchor: str, last_seq: int) -> set[int]:
    """The key events :func:`anchor_keys` will include, before the package's checkpoint exists.

    ``anchor`` is the key that will sign that checkpoint, ``last_seq`` the last
    event so far: a key event that no checkpoint follows yet will be sealed by
    the package's own checkpoint. The export event seals this set, so it is
    needed before that checkpoint is signed.
    """
    return _anchor(session, used, anchor, last_seq, planned=True).events


def _anchor(
    session: Session, used: set[str], anchor: str, last_seq: int, *, planned: bool
) -> Anchoring:
    retired_by: dict[str, int] = {}
    for event in session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.action.in_(("key.rotated", "key.imported")),
            AuditEvent.seq <= last_seq,
        )
        .order_by(AuditEvent.seq)
    ):
        named = _details(event).get("retired") if event.action == "key.rotated" else event.object_id
        if isinstance(named, str):
            retired_by.setdefault(named, event.seq)
    result = Anchoring(anchor, set(used) | {anchor}, set(), [])
    anchored = {anchor}
    pending = sorted(set(used) - anchored)
    while pending:
        key = pending.pop()
        if key in anchored:
            continue
        anchored.add(key)
        seq = retired_by.get(key)
        if seq is None:  # never retired in this chain: the verifier will say so
            continue
        signed = session.execute(
            select(AuditCheckpoint.seq, AuditCheckpoint.key_id)
            .where(AuditCheckpoint.seq >= seq, AuditCheckpoint.seq <= last_seq)
            .order_by(AuditCheckpoint.seq)
            .limit(1)
        ).first()
        result.events.add(seq)
        if signed is None:  # planned: the package's own checkpoint will seal it
            assert planned, f"no checkpoint seals key event {seq}"
            continue
        if not planned:
            result.segments.append(Segment(seq, signed.seq, "key"))
        result.keys.add(signed.key_id)
        if signed.key_id not in anchored:
            pending.append(signed.key_id)
    result.segments.sort(key=lambda s: (s.first, s.last))
    return result


def proving_checkpoints(
    session: Session, events: list[int], legacy: set[int], last: int
) -> set[int]:
    """Checkpoints that prove runs of included events ending at a format-1 event.

    ``events`` are the included events (sorted), ``legacy`` those of them in
    hash format 1. A format-2 chain line proves itself (its hash is recomputed
    from ``prev_hash`` and the content digest), and the log never goes back
    from format 2 to 1, so after a run ending at a format-2 event every line
    up to the segment's own checkpoint proves itself. After a run that ends at
    a format-1 event the next line may be a left-out format-1 event, only a
    claim: such a run's last checkpoint goes into the package too (one after
    that event would prove nothing). Packages of format-2 events need none.
    """
    found: set[int] = set()
    for first, end in _runs([seq for seq in events if seq <= last]):
        if end not in legacy:
            continue
        seq = session.scalar(
            select(func.max(AuditCheckpoint.seq)).where(
                AuditCheckpoint.seq >= first, AuditCheckpoint.seq <= end
            )
        )
        if seq is not None:
            found.add(seq)
    return found


def _runs(seqs: list[int]) -> Iterator[tuple[int, int]]:
    """``[1, 2, 3, 7, 8]`` -> ``(1, 3), (7, 8)``."""
    start = previous = None
    for seq in seqs:
        if previous is not None and seq == previous + 1:
            previous = seq
            continue
        if start is not None and previous is not None:
            yield start, previous
        start = previous = seq
    if start is not None and previous is not None:
        yield start, previous


def chain_lines(session: Session, first: int, last: int, batch: int = 5000) -> Iterator[bytes]:
    """``<seq> <format> <prev_hash> <digest> <hash>\\n`` for every event first..last.

    ``digest`` is the SHA-256 of a format-2 event's content (so anybody can
    recompute its hash from the line alone) and ``-`` for a format-1 event.
    Read a batch at a time.
    """
    start = first
    while start <= last:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq >= start, AuditEvent.seq <= last)
            .order_by(AuditEvent.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield "".join(map(_chain_line, rows)).encode("ascii")
        start = rows[-1].seq + 1
        session.expunge_all()


def _chain_line(event: AuditEvent) -> str:
    digest = "-" if event.hash_format == 1 else sha256_hex(content_of(event))
    return f"{event.seq} {event.hash_format} {event.prev_hash} {digest} {event.hash}\n"


def iter_events(session: Session, seqs: list[int], batch: int = 500) -> Iterator[AuditEvent]:
    """The events with these numbers (sorted), without loading them all at once."""
    for start in range(0, len(seqs), batch):
        chunk = seqs[start : start + batch]
        yield from session.scalars(
            select(AuditEvent).where(AuditEvent.seq.in_(chunk)).order_by(AuditEvent.seq)
        ).all()
        session.expunge_all()
