"""``export_package``: selection -> one streamed BagIt ZIP sealed by a signed audit event.

The steps: resolve the selection (permissions checked); record a
``document.read`` event for every confidential document exported; write the
xdomea message (to a temp file, then copied in) together with every version's
primary files and proof; then record ``export.created``, which seals the
package: the SHA-256 of the message, of the list of exported versions
(document, number, manifest hash) and of the list of included audit events,
and the counts. A checkpoint signed after it proves it; the audit events with
their chain segments up to that checkpoint, the public keys, the report and
package.json complete the bag. The ZIP is written as ``<out>.part`` and
renamed when complete, so an export that fails after its event was recorded
leaves that event but no package.
"""

from __future__ import annotations

import base64
import json
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eakte import __version__
from eakte.exceptions import RecordsError
from eakte.export import _layout as layout
from eakte.export._collect import (
    Anchoring,
    Collector,
    Segment,
    anchor_keys,
    anchoring_events,
    chain_lines,
    event_bytes,
    iter_events,
    proving_checkpoints,
)
from eakte.export._model import MessageHeader, PrimaryFile
from eakte.export._report import ReportData, render_report
from eakte.export._select import Scope, Selection, resolve
from eakte.export._verify_index import events_sha256, versions_sha256
from eakte.export._xdomea_write import write_message
from eakte.export._zipbag import ZipBag
from eakte.models import (
    AuditCheckpoint,
    AuditEvent,
    AuditHead,
    Document,
    DocumentVersion,
    OrgUnit,
    SigningKey,
)
from eakte.records import Principal, Records
from eakte.signing import canonical_json
from eakte.storage import ObjectKind

# Called with (bytes copied so far, bytes expected in all) while content is copied.
ProgressCallback = Callable[[int, int], None]
RECIPIENT = "Prüfung"
INSTALLATION = "eakte"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    prozess_id: str
    checkpoint_seq: int
    counts: dict[str, int]
    package_bytes: int  # size of the ZIP
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "prozess_id": self.prozess_id,
            "checkpoint_seq": self.checkpoint_seq,
            "counts": self.counts,
            "package_bytes": self.package_bytes,
            "seconds": round(self.seconds, 3),
            "mb_per_second": round(self.counts["bytes"] / 1e6 / max(self.seconds, 1e-6), 1),
        }


def export_package(
    records: Records,
    principal: Principal,
    selection: Selection,
    out_path: Path,
    progress: ProgressCallback | None = None,
    *,
    recipient: str | None = None,
) -> ExportResult:
    """Write the auditor package of ``selection`` to ``out_path`` (replaced if it exists)."""
    started = time.monotonic()
    with records.reading() as session:
        scope = resolve(session, principal, selection)
    prozess_id = str(uuid.uuid4())
    _record_reads(records, principal, scope, prozess_id)
    part = out_path.with_name(out_path.name + ".part")
    try:
        with part.open("wb") as out:
            bag = ZipBag(out, layout.bag_name(prozess_id))
            try:
                writer = _BagWriter(records, principal, selection, scope, bag, progress)
                counts, checkpoint_seq = writer.write(prozess_id, recipient)
            except BaseException:
                bag.abort()
                raise
        part.replace(out_path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return ExportResult(
        path=out_path,
        prozess_id=prozess_id,
        checkpoint_seq=checkpoint_seq,
        counts=counts,
        package_bytes=out_path.stat().st_size,
        seconds=time.monotonic() - started,
    )


def _record_reads(records: Records, principal: Principal, scope: Scope, prozess_id: str) -> None:
    """A ``document.read`` event per exported confidential document, as every other read of
    them gets; committed before the message is written, so its history holds them."""
    with records.reading() as session:
        confidential = session.scalars(
            select(Document.id).where(Document.confidential.is_(True)).order_by(Document.id)
        ).all()
    chosen = [d for d in confidential if d in scope.documents]
    if not chosen:
        return
    with records.transaction() as session:
        for document_id in chosen:
            records.audit.append(
                session,
                actor=principal.actor,
                action="document.read",
                object_type="document",
                object_id=document_id,
                details={"read": "export", "export": prozess_id},
            )


@dataclass(frozen=True)
class _Seal:
    """What ``export.created`` records of the package written so far."""

    message_sha256: str
    versions: list[tuple[str, int, str]]  # (document id, number, manifest hash)
    events: list[int]  # included events, without the export event itself
    counts: dict[str, int]

    def details(self, selection: Selection, format_2_from: int) -> dict[str, Any]:
        return {
            "selection": selection.as_dict(),
            "counts": self.counts,
            "message_sha256": self.message_sha256,
            "versions_sha256": versions_sha256(self.versions),
            "events_sha256": events_sha256(self.events),
            "hash_format_2_from": format_2_from,
        }


def _record_export(
    records: Records, principal: Principal, selection: Selection, prozess_id: str, seal: _Seal
) -> tuple[int, int]:
    """Append ``export.created`` (committed), then sign a checkpoint that covers it."""
    with records.transaction() as session:
        # where hash format 2 began, signed: a package cannot pass later events off as
        # format 1 (whose left-out events cannot be recomputed) to hide an edit
        format_2_from = (
            session.scalar(select(func.min(AuditEvent.seq)).where(AuditEvent.hash_format == 2))
            or (session.scalar(select(AuditHead.seq).where(AuditHead.id == 1)) or 0) + 1
        )
        event = records.audit.append(
            session,
            actor=principal.actor,
            action="export.created",
            object_type="export",
            object_id=prozess_id,
            details=seal.details(selection, format_2_from),
        )
        export_seq = event.seq
    with records.transaction() as session:
        records.audit.checkpoint(session)
    with records.reading() as session:
        checkpoint_seq = session.scalar(
            select(AuditCheckpoint.seq)
            .where(AuditCheckpoint.seq >= export_seq)
            .order_by(AuditCheckpoint.seq)
            .limit(1)
        )
    assert checkpoint_seq is not None  # signed just now
    return checkpoint_seq, export_seq


@dataclass
class _BagWriter:
    records: Records
    principal: Principal
    selection: Selection
    scope: Scope
    bag: ZipBag
    progress: ProgressCallback | None
    index: dict[str, dict[str, Any]] = field(default_factory=dict)  # document id -> entry
    copied: int = 0
    files: int = 0
    file_bytes: int = 0
    content_bytes: int = 0  # the original files'

    def write(self, prozess_id: str, recipient: str | None) -> tuple[dict[str, int], int]:
        """Message and versions, then the export event, then audit, keys, report, index.

        Returns the counts and the package's checkpoint.
        """
        created_at = datetime.now(UTC)
        with self.records.reading() as session:
            installation = _installation(session)
            # the history ends here: later events (of other sessions too) are left out
            last_seq = session.scalar(select(AuditHead.seq).where(AuditHead.id == 1)) or 0
            collector = Collector(session, self.scope, self._version_files, last_seq)
            header = MessageHeader(
                prozess_id=prozess_id,
                created_at=created_at,
                sender_institution=installation,
                sender_orgunit=_sender_orgunit(session, self.selection),
                recipient_institution=recipient or RECIPIENT,
            )
            message_sha256 = self._message(prozess_id, header, collector)
            anchor = self.records.keyring().active().key_id
            key_events = anchoring_events(session, collector.keys, anchor, last_seq)
        sealed = sorted(collector.events | key_events)
        versions = [
            (doc_id, v["number"], v["manifest_sha256"])
            for doc_id, entry in self.index.items()
            for v in entry["versions"]
        ]
        seal = _Seal(
            message_sha256=message_sha256,
            versions=versions,
            events=sealed,
            counts={
                "case_files": len(collector.case_files),
                "cases": len(collector.cases),
                "documents": len(self.index),
                "versions": len(versions),
                "audit_events": len(sealed),
                "content_bytes": self.content_bytes,
            },
        )
        checkpoint_seq, export_seq = _record_export(
            self.records, self.principal, self.selection, prozess_id, seal
        )
        with self.records.reading() as session:
            anchoring = anchor_keys(session, collector.keys, checkpoint_seq)
            if anchoring.events != key_events:
                raise RecordsError(
                    "A signing key was rotated while the package was written; run the export again."
                )
            events = sorted({*sealed, export_seq})
            main = Segment(events[0], checkpoint_seq, "records")
            segments = [main, *anchoring.segments]
            self._audit(session, events, segments)
            self._keys(session, anchoring)
        counts = {
            "case_files": len(collector.case_files),
            "cases": len(collector.cases),
            "documents": len(self.index),
            "versions": len(versions),
            "files": self.files,
            "bytes": self.file_bytes,
            "audit_events": len(events),
        }
        documents = list(self.index.values())
        package: dict[str, Any] = {
            "format": layout.PACKAGE_FORMAT,
            "prozess_id": prozess_id,
            "created_at": created_at.isoformat(),
            "created_by": self.principal.actor,
            "installation": installation,
            "selection": self.selection.as_dict(),
            "message": layout.message_name(prozess_id),
            "keys": {k: layout.relative_to_data(layout.key_path(k)) for k in anchoring.keys},
            "documents": documents,
            "audit": {"events": events, "segments": [s.as_dict() for s in segments]},
            "counts": counts,
        }
        self._report(
            ReportData(
                prozess_id=prozess_id,
                created_at=created_at,
                created_by=self.principal.actor,
                installation=installation,
                selection=self.selection.describe(),
                case_files=collector.case_files,
                cases=collector.cases,
                documents=documents,
                keys=sorted(anchoring.keys),
                anchor_key=anchoring.anchor,
                checkpoint_seq=checkpoint_seq,
                export_seq=export_seq,
                message_sha256=message_sha256,
                segments=[s.as_dict() for s in segments],
                counts=counts,
                message=layout.message_name(prozess_id),
                bag=layout.bag_name(prozess_id),
            )
        )
        self.bag.add_bytes(layout.PACKAGE_JSON, canonical_json(package))
        self.bag.finish(
            {
                "Source-Organization": installation,
                "Bagging-Date": created_at.date().isoformat(),
                "External-Identifier": prozess_id,
                "External-Description": self.selection.describe(),
                "Bag-Software-Agent": f"eakte {__version__}",
            }
        )
        return counts, checkpoint_seq

    def _message(self, prozess_id: str, header: MessageHeader, collector: Collector) -> str:
        """Write the message (the versions' files go in as it is written); its SHA-256."""
        with tempfile.TemporaryFile(prefix="eakte-export-", suffix=".xml") as xml:
            write_message(xml, header, collector.objects())
            size = xml.tell()
            xml.seek(0)
            entry = self.bag.add_stream(layout.message_path(prozess_id), xml, size)
        return entry.sha256

    def _version_files(self, document: Document, version: DocumentVersion) -> list[PrimaryFile]:
        """Copy a version's files and proof into the bag; describe its primary files."""
        store = self.records.store
        doc_id, number = document.id, version.number
        renditions = version.renditions or {}
        files = [
            self._primary("original", document, version, ObjectKind.CONTENT, version.content_sha256)
        ]
        if "pdfa" in renditions:
            files.append(
                self._primary("pdfa", document, version, ObjectKind.RENDITION, renditions["pdfa"])
            )
        bag = self.bag
        bag.add_bytes(
            layout.manifest_path(doc_id, number),
            store.read_bytes(ObjectKind.MANIFEST, version.manifest_sha256),
        )
        bag.add_bytes(layout.manifest_sig_path(doc_id, number), base64.b64decode(version.signature))
        bag.add_bytes(
            layout.signature_record_path(doc_id, number),
            store.read_bytes(ObjectKind.SIGNATURE, version.signature_sha256),
        )
        self.content_bytes += files[0].size
        text = None
        if "text" in renditions:
            with store.open(ObjectKind.RENDITION, renditions["text"]) as reader:
                bag.add_stream(layout.text_path(doc_id, number), reader, sha256=renditions["text"])
            text = layout.relative_to_data(layout.text_path(doc_id, number))
        entry = self.index.setdefault(
            doc_id,
            {
                "document_id": doc_id,
                "title": document.title,
                "case_file": document.case_file.reference if document.case_file else None,
                "case": document.case.reference if document.case else None,
                "versions": [],
            },
        )
        entry["versions"].append(
            {
                "number": number,
                "manifest_sha256": version.manifest_sha256,
                "key_id": version.key_id,
                "content_sha256": version.content_sha256,
                "files": {f.role: f.name for f in files},
                "text": text,
            }
        )
        return files

    def _primary(
        self,
        role: str,
        document: Document,
        version: DocumentVersion,
        kind: ObjectKind,
        sha256: str,
    ) -> PrimaryFile:
        name = layout.primary_name(
            document.id, version.number, role, version.filename, version.media_type
        )
        count = role == "original"
        with self.records.store.open(kind, sha256) as reader:
            entry = self.bag.add_stream(  # the reader checks the bytes against sha256
                f"{layout.DATA}/{name}",
                reader,
                version.size if count else None,
                self._advance if count else None,
                sha256=sha256,
            )
        self.files += 1
        self.file_bytes += entry.size
        original = version.filename
        if role == "pdfa":
            original = f"{PurePosixPath(version.filename).stem or 'dokument'}.pdf"
        return PrimaryFile(
            role=role,
            name=name,
            original_name=original,
            media_type=version.media_type if role == "original" else "application/pdf",
            sha256=entry.sha256,
            size=entry.size,
            created_at=version.created_at,
        )

    def _advance(self, size: int) -> None:
        self.copied += size
        if self.progress is not None:
            self.progress(self.copied, self.scope.content_bytes)

    def _audit(self, session: Session, events: list[int], segments: list[Segment]) -> None:
        """Event files, the segments' chain files (streamed) and their checkpoints."""
        legacy: set[int] = set()  # included events in hash format 1
        for event in iter_events(session, events):
            self.bag.add_bytes(layout.event_path(event.seq), event_bytes(event))
            if event.hash_format == 1:
                legacy.add(event.seq)
        checkpoints = proving_checkpoints(session, events, legacy, segments[0].last)
        for segment in segments:
            path = layout.chain_path(segment.first, segment.last)
            if not self.bag.has(path):
                self.bag.add_chunks(path, chain_lines(session, segment.first, segment.last))
            checkpoints.add(segment.last)
        for seq in sorted(checkpoints):
            record_sha256 = session.scalar(
                select(AuditCheckpoint.record_sha256).where(AuditCheckpoint.seq == seq)
            )
            assert record_sha256 is not None
            envelope = self.records.store.read_bytes(ObjectKind.CHECKPOINT, record_sha256)
            stored = json.loads(envelope)
            self.bag.add_bytes(layout.checkpoint_path(seq), stored["checkpoint"].encode("utf-8"))
            self.bag.add_bytes(
                layout.checkpoint_sig_path(seq), base64.b64decode(stored["signature"])
            )
            self.bag.add_bytes(layout.checkpoint_envelope_path(seq), envelope)

    def _keys(self, session: Session, anchoring: Anchoring) -> None:
        for key_id in sorted(anchoring.keys):
            pem = session.scalar(select(SigningKey.public_pem).where(SigningKey.key_id == key_id))
            if pem is None:
                raise LookupError(f"the public key {key_id} is not registered")
            self.bag.add_bytes(layout.key_path(key_id), pem.encode("ascii"))

    def _report(self, data: ReportData) -> None:
        with tempfile.TemporaryFile(prefix="eakte-report-", suffix=".html") as html:
            render_report(data, html)
            html.seek(0)
            self.bag.add_stream(layout.REPORT, html)


def _installation(session: Session) -> str:
    """The top org unit's name when there is exactly one, else "eakte"."""
    roots = session.scalars(select(OrgUnit.name).where(OrgUnit.parent_id.is_(None))).all()
    return roots[0] if len(roots) == 1 else INSTALLATION


def _sender_orgunit(session: Session, selection: Selection) -> str | None:
    if len(selection.orgunit) != 1:
        return None
    name = session.scalar(select(OrgUnit.name).where(OrgUnit.code == selection.orgunit[0]))
    return f"{selection.orgunit[0]} {name}" if name else None
