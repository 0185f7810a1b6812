"""What an eakte package adds to its xdomea message: signed versions, keys and audit events.

The package was verified before (``verify_package``); still every file taken
from it is checked again on the way in: contents against the signed manifest,
manifests against their signatures, keys against their ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eakte.export import _layout
from eakte.export._import_source import Container, PackageError, checked_uuid
from eakte.export._import_stage import FileStage
from eakte.export._limits import MAX_LINE, MAX_PACKAGE_JSON, iter_lines
from eakte.export._model import DocumentRecord, HistoryEntry
from eakte.export._verify_events import ChainLine, parse_chain_line
from eakte.models import Document
from eakte.records._imported import ImportWriter
from eakte.signing import parse_manifest, sha256_hex
from eakte.storage import ObjectKind

# audit events of these objects become the imported objects' history
HISTORY_TYPES = ("document", "casefile", "case", "workflow", "task")
PDF = "application/pdf"
EVENT_FIELDS = ("seq", "occurred_at", "actor", "action", "object_type", "object_id", "details")


@dataclass(frozen=True)
class PackagedVersion:
    number: int
    manifest_sha256: str
    original: str  # file name in data/
    pdfa: str | None


@dataclass
class PackageIndex:
    """package.json, the public keys and the included audit events, by object."""

    prozess_id: str
    keys: dict[str, str]  # key_id -> PEM
    versions: dict[str, list[PackagedVersion]]  # document_id -> versions
    # (time, actor, action) -> the included events of objects, oldest first
    events: dict[tuple[datetime, str, str], list[dict[str, Any]]] = field(default_factory=dict)
    created_at: str = ""
    installation: str = ""


def load_index(container: Container) -> PackageIndex:
    try:
        package = json.loads(
            container.read_small(container.member("eakte/package.json"), MAX_PACKAGE_JSON)
        )
        index = PackageIndex(
            prozess_id=str(package["prozess_id"]),
            keys={
                key_id: container.read_small(container.member(f"eakte/keys/{key_id}.pem")).decode(
                    "ascii"
                )
                for key_id in package["keys"]
                if isinstance(key_id, str) and key_id.isalnum()
            },
            versions={
                checked_uuid(doc["document_id"], "document"): [
                    PackagedVersion(
                        int(v["number"]),
                        str(v["manifest_sha256"]),
                        str(v["files"]["original"]),
                        v["files"].get("pdfa"),
                    )
                    for v in sorted(doc["versions"], key=lambda v: int(v["number"]))
                ]
                for doc in package["documents"]
            },
            created_at=str(package.get("created_at", "")),
            installation=str(package.get("installation", "")),
        )
        included = sorted(int(s) for s in package["audit"]["events"])
        links = _chain_links(container, package["audit"]["segments"], set(included))
        for seq in included:
            event = _event(container, seq, links)
            if event["object_type"] in HISTORY_TYPES:
                moment = datetime.fromisoformat(event["occurred_at"])
                index.events.setdefault((moment, event["actor"], event["action"]), []).append(event)
    except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise PackageError(f"The package's index (package.json) is unreadable: {exc!r}.") from exc
    return index


def _chain_links(
    container: Container, segments: list[dict[str, Any]], wanted: set[int]
) -> dict[int, ChainLine]:
    """The chain lines of the included events, from the package's chain files.

    Lines are read with a limit (``MAX_LINE``): a chain file of one endless
    line cannot fill the memory.
    """
    links: dict[int, ChainLine] = {}
    for segment in segments:
        path = _layout.chain_path(int(segment["first"]), int(segment["last"]))
        with container.open(container.member(_layout.relative_to_data(path))) as stream:
            for raw in iter_lines(stream, MAX_LINE):  # LineTooLongError: a ValueError
                line = parse_chain_line(raw.decode("ascii").rstrip("\n"))
                if line.seq in wanted:
                    links[line.seq] = line
    return links


def _event(container: Container, seq: int, links: dict[int, ChainLine]) -> dict[str, Any]:
    """One included audit event: its fields as the package has them, its chain link.

    The file holds the event's content (hash format 2) or all its fields with
    ``prev_hash`` (format 1); ``prev_hash``, ``hash`` and the format come from
    the chain line, so the original hash can be recomputed from what is kept.
    """
    data = container.read_small(container.member(_layout.relative_to_data(_layout.event_path(seq))))
    event = json.loads(data)
    if not isinstance(event, dict) or event.get("seq") != seq or seq not in links:
        raise ValueError(f"audit event file {seq} is not event {seq} of the chain")
    line = links[seq]
    return {
        **{name: event[name] for name in EVENT_FIELDS},
        "prev_hash": line.prev_hash,
        "hash": line.hash,
        "hash_format": line.format,
    }


def take_history(index: PackageIndex, history: list[HistoryEntry]) -> list[dict[str, Any]]:
    """The package's audit events behind an object's history entries, in their order.

    The entries name the object's own events and those of workflows and tasks
    on it; each is found by its exact time, actor and action.
    """
    found = []
    for entry in history:
        events = index.events.get((entry.at, entry.actor, entry.action))
        if events:
            found.append(events.pop(0))
    return found


def remaining_events(index: PackageIndex) -> list[dict[str, Any]]:
    """Included events no history entry named (none, for packages eakte wrote)."""
    rest = sorted((e for events in index.events.values() for e in events), key=lambda e: e["seq"])
    index.events.clear()
    return rest


def package_files(record: DocumentRecord) -> Iterator[tuple[str, ObjectKind, dict[str, str]]]:
    """The files of a document's versions as the message names them (for staging)."""
    for version in record.versions:
        for primary in version.files:
            if primary.role == "pdfa":
                yield primary.name, ObjectKind.RENDITION, {"media_type": PDF}
            else:
                meta = {"filename": primary.original_name, "media_type": primary.media_type}
                yield primary.name, ObjectKind.CONTENT, meta


def import_signed_versions(
    writer: ImportWriter,
    container: Container,
    files: FileStage,
    index: PackageIndex,
    document: Document,
) -> str:
    """Every version of the document with its original signed manifest; the newest text."""
    text = ""
    versions = index.versions.get(document.id)
    if not versions:
        raise PackageError(f"The package lists no versions of document {document.id}.")
    for version in versions:
        subject = f"Document {document.id} version {version.number}"
        manifest_bytes = _read(container, _layout.manifest_path(document.id, version.number))
        if sha256_hex(manifest_bytes) != version.manifest_sha256:
            raise PackageError(f"{subject}: the manifest was altered.")
        manifest = parse_manifest(manifest_bytes)
        renditions: dict[str, str] = manifest["renditions"]
        unknown = set(renditions) - {"pdfa", "text"}
        if unknown:
            raise PackageError(f"{subject}: unknown renditions {sorted(unknown)}.")
        meta = {"filename": manifest["filename"], "media_type": manifest["media_type"]}
        stored = {files.put(version.original, ObjectKind.CONTENT, meta).sha256}
        if "pdfa" in renditions:
            if version.pdfa is None:
                raise PackageError(f"{subject}: the PDF/A rendition is missing.")
            stored.add(files.put(version.pdfa, ObjectKind.RENDITION, {"media_type": PDF}).sha256)
        if "text" in renditions:
            data = _read(container, _layout.text_path(document.id, version.number))
            stored.add(writer.put_bytes(ObjectKind.RENDITION, data))
            text = data.decode("utf-8", errors="replace")
        expected = {manifest["content_sha256"], *renditions.values()}
        if stored != expected:
            raise PackageError(f"{subject}: the files do not match the signed manifest.")
        signature = _read(container, _layout.signature_record_path(document.id, version.number))
        writer.signed_version(document, manifest_bytes, signature)
    return text


def _read(container: Container, path: str) -> bytes:
    return container.read_small(container.member(_layout.relative_to_data(path)))
