"""Routing rules at ingest: the rules of the workflows folder (read again when
``routing.yaml`` changes) and starting a matching rule's workflow on the
stored document.

The workflow starts only after the document is committed, in a transaction
of its own, so it can neither lose nor duplicate the document. Which workflow
is due is read back from the document's signed metadata, so a job run again
after a crash starts a workflow that is still missing, and never a second one.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte import workflow as wf
from eakte.exceptions import EakteError, RoutingRulesError
from eakte.extract import Facts
from eakte.ingest._record import Outcome
from eakte.models import AuditEvent, DocumentVersion, IngestItem, IngestStatus, WorkflowInstance
from eakte.records import SYSTEM, Records

log = logging.getLogger(__name__)
FAILED = "ingest.workflow_failed"
Stamp = tuple[str, int, int] | tuple[str, None, None]


class RoutingCache:
    """The routing rules one pipeline uses. A file with mistakes keeps the last
    valid rules in use (none, if there never were any) and is logged once."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self._stamp: Stamp | None = None
        self._rules = wf.RoutingRules()
        self.rules()

    def rules(self) -> wf.RoutingRules:
        folder = wf.definitions_folder(self.records)
        path = folder / wf.ROUTING_FILE
        stamp = _stamp(path)
        if stamp == self._stamp:
            return self._rules
        try:
            self._rules = wf.routing_rules(self.records, folder)
            log.info("Routing rules from %s: %d rules", path, len(self._rules.rules))
        except RoutingRulesError as e:
            kept = [rule.name for rule in self._rules.rules]
            log.error("%s\nRules still in use: %s", e, ", ".join(kept) or "none")
        self._stamp = stamp
        return self._rules

    def match(self, folder: str | None, facts: Facts, text: str) -> wf.Rule | None:
        incoming = wf.Incoming(folder, facts.references, facts.document_type, facts.sender, text)
        return self.rules().first_match(incoming)


def _stamp(path: Path) -> Stamp:
    try:
        stat = path.stat()
    except OSError:
        return (str(path), None, None)
    return (str(path), stat.st_mtime_ns, stat.st_size)


def start_routed_workflow(records: Records, outcome: Outcome) -> Outcome:
    """Start the workflow a routing rule chose for the stored document, unless it
    was started (or its failure recorded) before. A failure never fails the
    ingest: it is logged, audited and added to the ingest item's routing text."""
    if outcome.status != IngestStatus.STORED or outcome.document_id is None:
        return outcome
    document_id = outcome.document_id
    with records.reading() as session:
        due = _due(session, document_id)
    if due is None:
        return outcome
    rule, name = due
    try:
        wf.start_workflow(
            records, SYSTEM, name, document_id=document_id, reason=f"Verteilregel {rule}"
        )
    except Exception as exc:  # the document is stored whatever happens here
        log.warning(
            "Workflow %s (rule %s) not started on document %s: %s",
            name,
            rule,
            document_id,
            exc,
            exc_info=not isinstance(exc, EakteError),
        )
        return _record_failure(records, outcome, rule, name, exc)
    log.info("Workflow %s (rule %s) started on document %s", name, rule, document_id)
    return outcome


def _due(session: Session, document_id: str) -> tuple[str, str] | None:
    metadata = session.scalar(
        select(DocumentVersion.doc_metadata)
        .where(DocumentVersion.document_id == document_id)
        .order_by(DocumentVersion.number)
        .limit(1)
    )
    if not metadata or not metadata.get("workflow"):
        return None
    started = session.scalar(
        select(WorkflowInstance.id).where(WorkflowInstance.document_id == document_id).limit(1)
    )
    failed = session.scalar(
        select(AuditEvent.seq)
        .where(AuditEvent.action == FAILED, AuditEvent.object_id == document_id)
        .limit(1)
    )
    if started is not None or failed is not None:
        return None
    return str(metadata.get("routing_rule")), str(metadata["workflow"])


def _record_failure(
    records: Records, outcome: Outcome, rule: str, name: str, exc: Exception
) -> Outcome:
    note = f"Workflow {name} nicht gestartet: {exc}"
    try:
        with records.transaction() as session:
            item = session.scalar(
                select(IngestItem).where(
                    IngestItem.document_id == outcome.document_id,
                    IngestItem.status == IngestStatus.STORED,
                )
            )
            if item is not None:
                item.routing = f"{item.routing}; {note}" if item.routing else note
            records.audit.append(
                session,
                actor="ingest",
                action=FAILED,
                object_type="document",
                object_id=str(outcome.document_id),
                details={"rule": rule, "workflow": name, "error": str(exc)},
            )
    except Exception:  # logged above already; a later run of the job tries again
        log.exception("Could not record that workflow %s did not start", name)
        return outcome
    return replace(outcome, routing=f"{outcome.routing}; {note}" if outcome.routing else note)
