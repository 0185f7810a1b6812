"""The ingest pipeline: one short composer over the stages.

detect type → validate → scan note → hash, duplicates → text (Tika / OCR) →
metadata rules → route → store content, renditions, signed record and the
ingest item in one unit of work → attachments of e-mails.

Every step is idempotent by job id and content hash: a job found again after a
crash is finished without loss or duplicates.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eakte.config import Settings
from eakte.exceptions import DatabaseError, ExtractionError, InputRejected
from eakte.extract import Facts, Rules, analyse, load_rules
from eakte.extract._layout import subject, text_lines
from eakte.ingest._content import Content, extract_content
from eakte.ingest._detect import FileType, detect_type
from eakte.ingest._names import safe_display_name
from eakte.ingest._record import (
    Outcome,
    find_duplicate,
    record_duplicate,
    record_failure,
    record_item,
)
from eakte.ingest._route import Route, route
from eakte.ingest._routing import RoutingCache, start_routed_workflow
from eakte.ingest._scannote import ScanNote, check_page_count, load_scan_note
from eakte.ingest._validate import Limits, validate_file
from eakte.models import IngestItem, IngestStatus
from eakte.records import (
    DocumentDetails,
    Principal,
    Records,
    VersionInput,
    create_document,
)
from eakte.storage import ObjectKind

INGEST = Principal(name="ingest", system=True)
# "Az.: 32.10.05-0815/2024 Antrag auf …" → "Antrag auf …"
_REFERENCE_PREFIX = re.compile(
    r"^\s*(?:Az\.?|Aktenzeichen|Gz\.?|Geschäftszeichen|Unser Zeichen|Ihr Zeichen)\s*:?\s*\S+\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Source:
    """One file to ingest and what is known about where it came from."""

    path: Path
    name: str  # as delivered (display, title fallback)
    item_id: str  # the job id (or derived from it for mail attachments)
    source: str  # inbox, cli, mail
    orgunit: str | None = None
    scan_note: Path | None = None
    parent: str | None = None  # document id of the mail an attachment came with


@dataclass
class Pipeline:
    """Stage functions bound to one records context (one per worker process)."""

    records: Records
    rules: Rules = field(init=False)
    limits: Limits = field(init=False)
    routing: RoutingCache = field(init=False)

    def __post_init__(self) -> None:
        self.rules = load_rules(
            self.settings.extract_rules_file, reference_pattern=self.settings.reference_pattern
        )
        self.limits = Limits.from_settings(self.settings)
        self.routing = RoutingCache(self.records)

    @property
    def settings(self) -> Settings:
        return self.records.settings

    def ingest(self, source: Source) -> Outcome:
        """Run every stage on one file. Raises InputRejected for the file's own faults."""
        done = self._recorded(source.item_id)
        if done is not None:
            return self._attachments_of(start_routed_workflow(self.records, done), source)
        file_type = detect_type(source.path)
        validated = validate_file(source.path, file_type, self.limits)
        note = load_scan_note(source.scan_note) if source.scan_note else None
        if note is not None:
            check_page_count(note, validated.page_count)
        sha256 = _sha256(source.path)
        with self.records.reading() as session:
            duplicate_of = find_duplicate(session, sha256)
        if duplicate_of is not None:
            return record_duplicate(self.records, source, sha256, duplicate_of)
        with tempfile.TemporaryDirectory(dir=self._workdir()) as workdir:
            try:
                content = extract_content(
                    self.settings, source.path, file_type, validated, Path(workdir)
                )
            except (InputRejected, ExtractionError) as exc:
                raise _as_delivered(exc, source.path.name, safe_display_name(source.name)) from exc
            outcome = self._store(source, file_type, sha256, content, note)
            outcome = start_routed_workflow(self.records, outcome)
        return self._attachments_of(outcome, source, content)

    def _store(
        self,
        source: Source,
        file_type: FileType,
        sha256: str,
        content: Content,
        note: ScanNote | None,
    ) -> Outcome:
        facts = analyse(content.text, self.rules)
        with self.records.reading() as session:
            target = route(
                session,
                facts.references,
                source.orgunit,
                self.settings.default_orgunit,
                self.routing.match(source.orgunit, facts, content.text),
            )
        renditions = self._renditions(content)
        try:
            return self._create(source, file_type, sha256, content, note, facts, target, renditions)
        except DatabaseError:
            with self.records.reading() as session:  # a concurrent twin won the race?
                existing = find_duplicate(session, sha256)
            if existing is None:
                raise
            return record_duplicate(self.records, source, sha256, existing)

    def _create(
        self,
        source: Source,
        file_type: FileType,
        sha256: str,
        content: Content,
        note: ScanNote | None,
        facts: Facts,
        target: Route,
        renditions: dict[str, str],
    ) -> Outcome:
        version = create_document(
            self.records,
            INGEST,
            title=_title(content, facts, source.name),
            orgunit=target.orgunit,
            content=source.path,
            version=VersionInput(
                filename=source.name,
                media_type=file_type.media_type,
                metadata=_metadata(content, facts, target.reason) | target.recorded(),
                source=source.source,
                scan_note=note.as_manifest() if note else None,
                renditions=renditions,
            ),
            case_file=target.case_file,
            case=target.case,
            details=DocumentDetails(
                document_date=facts.document_date,
                sender=facts.sender,
                document_type=facts.document_type,
                language=facts.language,
                page_count=content.page_count,
                text=content.text,
                parent_id=source.parent,
            ),
            on_created=lambda session, row: record_item(
                self.records, session, source, sha256, row.document_id, target.reason, target.rule
            ),
        )
        return Outcome(
            path=source.name,
            status=IngestStatus.STORED,
            document_id=version.document_id,
            routing=target.reason,
        )

    def _renditions(self, content: Content) -> dict[str, str]:
        store = self.records.store
        renditions = {"text": store.put(ObjectKind.RENDITION, content.text.encode("utf-8")).sha256}
        if content.pdfa is not None:
            renditions["pdfa"] = store.put(
                ObjectKind.RENDITION, content.pdfa, metadata={"media_type": "application/pdf"}
            ).sha256
        return renditions

    def _attachments_of(
        self, outcome: Outcome, source: Source, content: Content | None = None
    ) -> Outcome:
        """Ingest a mail's attachments as documents linked to the mail (idempotently)."""
        if outcome.status != IngestStatus.STORED or outcome.document_id is None:
            return outcome
        mail = content.mail if content else self._mail_again(source)
        if mail is None:
            return outcome
        results = []
        with tempfile.TemporaryDirectory(dir=self._workdir()) as workdir:
            for number, attachment in enumerate(mail.attachments, start=1):
                path = Path(workdir) / f"attachment-{number}"
                path.write_bytes(attachment.data)
                child = Source(
                    path=path,
                    name=attachment.filename,
                    item_id=str(uuid.uuid5(uuid.UUID(source.item_id), str(number))),
                    source="mail",
                    orgunit=source.orgunit,
                    parent=outcome.document_id,
                )
                try:
                    results.append(self.ingest(child))
                except InputRejected as exc:
                    results.append(record_failure(self.records, child, exc.code, exc.message))
        return outcome.with_attachments(results)

    def _mail_again(self, source: Source) -> Any:
        if detect_type(source.path).kind != "email":
            return None
        from eakte.ingest._email import parse_eml

        return parse_eml(source.path, self.limits.max_bytes)

    def _recorded(self, item_id: str) -> Outcome | None:
        with self.records.reading() as session:
            item = session.get(IngestItem, item_id)
            return Outcome.of_item(item) if item is not None else None

    def _workdir(self) -> Path:
        folder = self.settings.tmp_dir
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def _as_delivered(
    exc: InputRejected | ExtractionError, internal: str, shown: str
) -> InputRejected | ExtractionError:
    """``exc`` with the file called by the name it was delivered under: OCR and Tika name
    the file they read, which is the job's ``payload`` (or a mail's ``attachment-2``).
    Paths that end in that name are left as they are."""
    own_name = re.compile(rf"(?<![\w./\\-]){re.escape(internal)}(?![\w.-])")

    def named(message: str) -> str:
        return own_name.sub(lambda _: shown, message)

    if isinstance(exc, InputRejected):
        return InputRejected(named(exc.message), named(exc.message_de), exc.code)
    return ExtractionError(named(exc.message))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _title(content: Content, facts: Facts, name: str) -> str:
    if content.mail is not None and content.mail.subject.strip():
        return content.mail.subject.strip()[:300]
    heading = _REFERENCE_PREFIX.sub("", subject(text_lines(content.text))).strip()
    if heading:
        return " ".join(heading.split())[:300]
    title = content.metadata.get("title", "").strip()
    if title:
        return title[:300]
    return Path(safe_display_name(name)).stem or "Dokument"


def _metadata(content: Content, facts: Facts, routing: str) -> dict[str, Any]:
    """What the signed manifest records about the extraction (no floats, ISO dates)."""
    return {
        "references": list(facts.references),
        "document_date": facts.document_date.isoformat() if facts.document_date else None,
        "sender": facts.sender,
        "document_type": facts.document_type,
        "language": facts.language,
        "page_count": content.page_count,
        "ocr_pages": content.ocr_pages,
        "routing": routing,
        "tika": dict(sorted(content.metadata.items())),
    }
