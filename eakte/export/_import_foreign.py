"""Versions of a foreign xdomea message: new manifests signed by this installation.

A foreign system's files come without eakte manifests. Each version becomes
a new eakte version (source ``import``) whose manifest, signed now with this
installation's key, records where it came from (``metadata.import``). Text
files become searchable at once; other formats keep no text until they are
processed again.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from typing import Any

from eakte.export._import_source import Container, PackageError
from eakte.export._import_stage import FileStage
from eakte.export._model import DocumentRecord, PrimaryFile, VersionRecord
from eakte.models import Document
from eakte.records._documents import VersionInput
from eakte.records._imported import ImportWriter
from eakte.storage import ObjectKind

MAX_TEXT = 16 * 1024 * 1024  # larger text files are kept without a text rendition
OCTET = "application/octet-stream"


def _original(version: VersionRecord, document_id: str) -> PrimaryFile:
    for role in ("original", "pdfa"):
        for primary in version.files:
            if primary.role == role:
                return primary
    raise PackageError(f"Document {document_id} version {version.number} names no file.")


def _pdfa(version: VersionRecord) -> PrimaryFile | None:
    originals = [f for f in version.files if f.role == "original"]
    return next((f for f in version.files if f.role == "pdfa"), None) if originals else None


def media_type(primary: PrimaryFile) -> str:
    if primary.media_type and primary.media_type != OCTET:
        return primary.media_type
    guessed = mimetypes.guess_type(primary.original_name or primary.name)[0]
    return guessed or OCTET


def foreign_files(record: DocumentRecord) -> Iterator[tuple[str, ObjectKind, dict[str, str]]]:
    """The files of a document's versions as the import uses them (for staging)."""
    for version in record.versions:
        original = _original(version, record.id)
        meta = {"filename": original.original_name or original.name}
        yield original.name, ObjectKind.CONTENT, {**meta, "media_type": media_type(original)}
        pdfa = _pdfa(version)
        if pdfa is not None:
            yield pdfa.name, ObjectKind.RENDITION, {"media_type": "application/pdf"}


def content_hashes(files: FileStage, record: DocumentRecord) -> list[str]:
    """The SHA-256 of each version's original (to compare with what is here)."""
    return [
        files.put(name, kind, meta).sha256
        for name, kind, meta in foreign_files(record)
        if kind is ObjectKind.CONTENT
    ]


def import_new_versions(
    writer: ImportWriter,
    container: Container,
    files: FileStage,
    record: DocumentRecord,
    document: Document,
) -> str:
    """Sign every version (its files are stored already); the text of the newest text file."""
    text = ""
    if not record.versions:
        raise PackageError(f"Document {record.id} has no version with a file.")
    for version in sorted(record.versions, key=lambda v: v.number):
        original = _original(version, record.id)
        kind = media_type(original)
        meta = {"filename": original.original_name or original.name, "media_type": kind}
        stored = files.put(original.name, ObjectKind.CONTENT, meta)
        renditions: dict[str, str] = {}
        pdfa = _pdfa(version)
        if pdfa is not None:
            pdf = {"media_type": "application/pdf"}
            renditions["pdfa"] = files.put(pdfa.name, ObjectKind.RENDITION, pdf).sha256
        if kind.startswith("text/") and stored.size <= MAX_TEXT:
            member = container.primary(original.name)
            version_text = container.read_small(member).decode("utf-8", errors="replace")
            renditions["text"] = writer.put_bytes(ObjectKind.RENDITION, version_text.encode())
            text = version_text
        writer.new_version(
            document,
            stored,
            VersionInput(
                filename=original.original_name or original.name,
                media_type=kind,
                metadata=_metadata(writer.source, record, version, original),
                source="import",
                renditions=renditions,
            ),
        )
    return text


def _metadata(
    source: str, record: DocumentRecord, version: VersionRecord, original: PrimaryFile
) -> dict[str, Any]:
    """What the signed manifest records of the foreign version (where it came from)."""
    provenance: dict[str, Any] = {
        "prozess_id": source,
        "file": original.name,
        "version": version.number,
        "created_at": version.created_at.isoformat(),
        "created_by": version.created_by,
    }
    if record.extra:
        provenance["extra"] = dict(record.extra)
    metadata: dict[str, Any] = {"import": provenance}
    if record.reference:
        metadata["references"] = [record.reference]
    return metadata
