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
from eakte.export._verify_index import (
    PackageIndex,
    check_unique,
    events_sha256,
    versions_sha256,
)
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


def check_export_event(
    bag: Bag,
    index: PackageIndex,
    facts: AuditFacts,
    versions: Mapping[tuple[str, int], VersionFacts],
) -> Iterator[Finding]:
    """The signed ``export.created`` event: present, proven, and sealing this package.

    It records the SHA-256 of the xdomea message, of the list of exported
    versions and of the list of included events, and the counts; each is
    recomputed from what the package really holds (never from package.json,
    which is not signed), so a document, version or event taken out, or an
    edit of the message, is found even when package.json and the bag
    manifests were rewritten to match.
    """
    yield from check_unique(index)
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
    listed = {
        "documents": len(index.documents),
        "versions": sum(len(d.versions) for d in index.documents),
        "audit_events": len(index.events),
    }
    for name, value in listed.items():
        if name in index.counts and index.counts[name] != value:
            yield error("package-json-mismatch", "package.json", f"counts.{name} is not {value}.")
    sealed = {
        name: event.details.get(name)
        for name in ("message_sha256", "versions_sha256", "events_sha256")
    }
    counts = event.details.get("counts")
    incomplete = sorted(name for name, value in sealed.items() if not isinstance(value, str))
    if not isinstance(counts, dict):
        incomplete.append("counts")
    if incomplete:
        yield error(
            "export-event-incomplete",
            subject,
            f"The export event records no {', '.join(incomplete)}: it does not seal the package.",
        )
    included = sorted(seq for seq in facts.events if seq != event.seq)
    yield from _message_sealed(bag, index, sealed["message_sha256"])
    yield from _versions_sealed(index, versions, sealed["versions_sha256"], subject)
    yield from _events_sealed(index, included, event.seq, sealed["events_sha256"], subject)
    if isinstance(counts, dict):
        yield from _counts_sealed(bag, index, versions, included, counts, subject)


def _message_sealed(bag: Bag, index: PackageIndex, sealed: object) -> Iterator[Finding]:
    path = f"{layout.DATA}/{index.message}"
    if isinstance(sealed, str) and bag.has(path) and bag.sha256(path) != sealed:
        yield error(
            "xdomea-message-altered",
            index.message,
            "The xdomea message is not the one the signed export event recorded.",
        )


def _versions_sealed(
    index: PackageIndex,
    versions: Mapping[tuple[str, int], VersionFacts],
    sealed: object,
    subject: str,
) -> Iterator[Finding]:
    """The versions whose manifests are in the package, against the sealed list."""
    present = [(doc, n, f.manifest_sha256) for (doc, n), f in versions.items()]
    if not isinstance(sealed, str) or versions_sha256(present) == sealed:
        return
    # name what can be named: package.json's own list, if it is what was sealed
    claimed = [
        (d.document_id, v.number, v.manifest_sha256) for d in index.documents for v in d.versions
    ]
    if versions_sha256(claimed) == sealed:
        gone = sorted(set(claimed) - set(present))
        named = ", ".join(f"document {doc} version {n}" for doc, n, _ in gone[:5])
        detail = f" Not in the package: {named}{' …' if len(gone) > 5 else ''}."
    else:
        detail = " A document or version was taken out, added or replaced."
    yield error(
        "export-versions-mismatch",
        subject,
        "The versions in the package are not those the signed export event lists." + detail,
    )


def _events_sealed(
    index: PackageIndex, included: list[int], export_seq: int, sealed: object, subject: str
) -> Iterator[Finding]:
    """The included audit events (but the export event), against the sealed list."""
    if not isinstance(sealed, str) or events_sha256(included) == sealed:
        return
    claimed = sorted(set(index.events) - {export_seq})
    if events_sha256(claimed) == sealed:
        gone = sorted(set(claimed) - set(included))
        named = ", ".join(map(str, gone[:10]))
        detail = f" Missing or unreadable: audit events {named}{' …' if len(gone) > 10 else ''}."
    else:
        detail = " Audit events were taken out or added."
    yield error(
        "export-events-mismatch",
        subject,
        "The audit events in the package are not those the signed export event lists." + detail,
    )


def _counts_sealed(
    bag: Bag,
    index: PackageIndex,
    versions: Mapping[tuple[str, int], VersionFacts],
    included: list[int],
    counts: Mapping[str, Any],
    subject: str,
) -> Iterator[Finding]:
    """The signed counts against what the package holds (not what package.json says)."""
    actual: dict[str, int | None] = {
        "documents": len({doc for doc, _ in versions}),
        "versions": len(versions),
        "audit_events": len(included),
        "content_bytes": sum(f.files["original"][1] or 0 for f in versions.values()),
    }
    actual.update(_containers(bag, index))
    differing = sorted(
        name
        for name, value in counts.items()
        if name in actual and actual[name] is not None and actual[name] != value
    )
    if differing:
        shown = ", ".join(f"{name} {counts[name]} (holds {actual[name]})" for name in differing)
        yield error(
            "export-counts-mismatch",
            subject,
            f"The signed export event counted other numbers than the package holds: {shown}.",
        )


def _containers(bag: Bag, index: PackageIndex) -> dict[str, int | None]:
    """Akten and Vorgänge in the message (None when it cannot be read: the message
    checks say why)."""
    from eakte.export._verify_xdomea import read_facts  # it imports this module

    path = f"{layout.DATA}/{index.message}"
    try:
        message = read_facts(bag, path)
    except Exception:  # noqa: BLE001 - an unreadable message is check_message's finding
        return {"case_files": None, "cases": None}
    kinds = [c.kind for c in message.containers.values()]
    return {"case_files": kinds.count("Akte"), "cases": kinds.count("Vorgang")}
