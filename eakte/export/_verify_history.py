"""What the package's audit events say about its records, against what the package holds.

Every exported version must be recorded by a ``document.version_added`` event
with its manifest hash, and every such event of an exported document must
have its version in the package: a version removed from the package (even
with bag manifests and package.json fixed) is found by its event. Replaying
the document, case file and case events gives the titles and references the
audit chain vouches for; the xdomea check compares the message with them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from eakte.export import _layout as layout
from eakte.export._verify_audit import AuditFacts
from eakte.export._verify_bag import Bag, error
from eakte.export._verify_index import PackageIndex
from eakte.export._verify_proof import VersionFacts
from eakte.signing._findings import Finding

# Document fields every document event records with its new value (as eakte verify replays).
AUDITED_FIELDS = ("title", "orgunit", "case_file", "case")
_CONTAINERS = {"casefile.created": "casefile", "case.created": "case"}


@dataclass
class History:
    """The audited state: document fields, and reference + title of case files and cases."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    containers: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> details


def replay(facts: AuditFacts) -> History:
    history = History()
    for seq in sorted(facts.events):
        event = facts.events[seq]
        if event.object_type == "document":
            state = history.documents.setdefault(event.object_id, {})
            state.update({k: event.details[k] for k in AUDITED_FIELDS if k in event.details})
        elif event.action in _CONTAINERS and event.object_type == _CONTAINERS[event.action]:
            history.containers[event.object_id] = event.details
    return history


def check_versions_recorded(
    index: PackageIndex, facts: AuditFacts, versions: Mapping[tuple[str, int], VersionFacts]
) -> Iterator[Finding]:
    exported = {d.document_id for d in index.documents}
    recorded: dict[tuple[str, int], str] = {}
    for event in facts.events.values():
        if event.action == "document.version_added" and event.object_id in exported:
            number, sha = event.details.get("version"), event.details.get("manifest_sha256")
            if isinstance(number, int) and isinstance(sha, str):
                recorded[(event.object_id, number)] = sha
    listed = {(d.document_id, v.number) for d in index.documents for v in d.versions}
    for document_id, number in sorted(set(recorded) - listed):
        yield error(
            "version-missing",
            f"document {document_id} version {number}",
            "The audit log records this version being added, but it is not in the package.",
        )
    for key, version in sorted(versions.items()):
        subject = f"document {key[0]} version {key[1]}"
        sha = recorded.get(key)
        if sha is None:
            yield error(
                "version-not-in-audit",
                subject,
                "No document.version_added event in the package records this version.",
            )
        elif sha != version.manifest_sha256:
            yield error(
                "version-audit-mismatch",
                subject,
                "The audit log recorded another manifest for this version when it was added.",
            )


def check_documents(index: PackageIndex, history: History) -> Iterator[Finding]:
    """package.json's titles and placement against the audited state."""
    for document in index.documents:
        state = history.documents.get(document.document_id)
        subject = f"document {document.document_id}"
        if state is None:
            yield error("document-unaudited", subject, "No audit event of it is in the package.")
            continue
        claimed = {"title": document.title, "case_file": document.case_file, "case": document.case}
        differing = sorted(k for k, v in claimed.items() if k in state and state[k] != v)
        if differing:
            yield error(
                "package-json-mismatch",
                subject,
                f"Differs from its audit history in: {', '.join(differing)}.",
            )


def check_export_event(bag: Bag, index: PackageIndex, facts: AuditFacts) -> Iterator[Finding]:
    """The signed ``export.created`` event: present, proven, and agreeing with the package."""
    subject = f"export {index.prozess_id}"
    events = [
        e
        for e in facts.events.values()
        if e.action == "export.created" and e.object_id == index.prozess_id
    ]
    if not events:
        yield error("export-event-missing", subject, "The export.created event is not included.")
        return
    event = events[-1]
    if event.seq not in facts.proven:
        yield error(
            "export-event-unproven",
            subject,
            "No signed checkpoint of an anchored key covers the export.created event.",
        )
    since = event.details.get("hash_format_2_from")
    old = facts.last_format_1
    if event.seq in facts.proven and isinstance(since, int) and old is not None and old >= since:
        yield error(
            "audit-format-downgraded",
            f"audit event {old}",
            f"Its chain line claims hash format 1, but the signed export event says every event "
            f"from {since} on has format 2: the line was rewritten to hide a change.",
        )
    actual = {
        "documents": len(index.documents),
        "versions": sum(len(d.versions) for d in index.documents),
        "audit_events": len(index.events),
    }
    for name, value in actual.items():
        if name in index.counts and index.counts[name] != value:
            yield error("package-json-mismatch", "package.json", f"counts.{name} is not {value}.")
    counts = event.details.get("counts")
    if isinstance(counts, dict):
        differing = sorted(
            name
            for name, value in counts.items()
            if name != "audit_events"
            and actual.get(name, index.counts.get(name)) not in (None, value)
        )
        if differing:
            yield error(
                "export-counts-mismatch",
                subject,
                f"The signed export event counted other {', '.join(differing)} than the package "
                "holds.",
            )
    message_sha = event.details.get("message_sha256")
    if isinstance(message_sha, str):
        actual_sha = bag.sha256(f"{layout.DATA}/{index.message}")
        if actual_sha != message_sha:
            yield error(
                "xdomea-message-altered",
                index.message,
                "The xdomea message is not the one the signed export event recorded.",
            )
