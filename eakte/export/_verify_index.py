"""``package.json``, eakte's index of a package, read strictly into small typed records.

The index is not signed: every later check compares what it claims with the
signed manifests, the signed audit chain and the files actually in the bag.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from eakte.export import _layout as layout
from eakte.export._verify_bag import error
from eakte.signing._findings import Finding


class IndexFormatError(ValueError):
    """package.json does not have the documented shape; the message says where."""


@dataclass(frozen=True)
class VersionEntry:
    number: int
    manifest_sha256: str
    key_id: str
    content_sha256: str
    files: dict[str, str]  # role -> file name inside data/
    text: str | None  # path relative to data/


@dataclass(frozen=True)
class DocumentEntry:
    document_id: str
    title: str
    case_file: str | None
    case: str | None
    versions: list[VersionEntry]


@dataclass(frozen=True)
class Segment:
    first: int
    last: int
    purpose: str  # "records" | "key"


@dataclass(frozen=True)
class PackageIndex:
    prozess_id: str
    message: str
    keys: dict[str, str]  # key_id -> path relative to data/
    documents: list[DocumentEntry]
    events: list[int]
    segments: list[Segment]
    counts: dict[str, Any]


def versions_sha256(versions: Iterable[tuple[str, int, str]]) -> str:
    """What the export event seals of the versions: SHA-256 over the sorted lines
    ``<document_id> <number> <manifest_sha256>\n`` (``sort | sha256sum`` by hand)."""
    lines = sorted(f"{doc} {number} {sha}\n" for doc, number, sha in set(versions))
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def events_sha256(seqs: Iterable[int]) -> str:
    """What the export event seals of the included events: SHA-256 over ``<seq>\n``
    lines in ascending order (``sort -n | sha256sum``)."""
    return hashlib.sha256("".join(f"{seq}\n" for seq in sorted(set(seqs))).encode()).hexdigest()


def check_unique(index: PackageIndex) -> Iterator[Finding]:
    """A document, a version of a document or an event listed twice: duplicates could
    make up the numbers of something taken out, so they are errors."""
    for document_id, n in sorted(Counter(d.document_id for d in index.documents).items()):
        if n > 1:
            yield _duplicate(f"document {document_id}", f"Listed {n} times.")
    for document in index.documents:
        numbers = Counter(v.number for v in document.versions)
        for number in sorted(k for k, n in numbers.items() if n > 1):
            yield _duplicate(
                f"document {document.document_id} version {number}", "Listed more than once."
            )
    for seq, n in sorted(Counter(index.events).items()):
        if n > 1:
            yield _duplicate(f"audit event {seq}", f"Listed {n} times in audit.events.")


def _duplicate(subject: str, message: str) -> Finding:
    return error("package-json-duplicate", subject, message)


def _get(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise IndexFormatError(f"{where} has no {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise IndexFormatError(f"{where}.{key} has the wrong type")
    return value


def _optional_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise IndexFormatError(f"{where}.{key} is neither text nor null")
    return value


def _version(raw: Any, where: str) -> VersionEntry:
    files = _get(raw, "files", dict, where)
    if "original" not in files or not all(isinstance(v, str) for v in files.values()):
        raise IndexFormatError(f"{where}.files names no original file")
    return VersionEntry(
        number=_get(raw, "number", int, where),
        manifest_sha256=_get(raw, "manifest_sha256", str, where),
        key_id=_get(raw, "key_id", str, where),
        content_sha256=_get(raw, "content_sha256", str, where),
        files=dict(files),
        text=_optional_str(raw, "text", where),
    )


def _document(raw: Any, where: str) -> DocumentEntry:
    versions = _get(raw, "versions", list, where)
    return DocumentEntry(
        document_id=_get(raw, "document_id", str, where),
        title=_get(raw, "title", str, where),
        case_file=_optional_str(raw, "case_file", where),
        case=_optional_str(raw, "case", where),
        versions=[_version(v, f"{where}.versions[{i}]") for i, v in enumerate(versions)],
    )


def parse_index(data: bytes) -> PackageIndex:
    """The index; :class:`IndexFormatError` when it is not a readable ``eakte-package/1`` index."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexFormatError(f"not JSON: {exc}") from exc
    if _get(raw, "format", str, "package.json") != layout.PACKAGE_FORMAT:
        raise IndexFormatError(f"the format is not {layout.PACKAGE_FORMAT}")
    audit = _get(raw, "audit", dict, "package.json")
    keys = _get(raw, "keys", dict, "package.json")
    if not all(isinstance(v, str) for v in keys.values()):
        raise IndexFormatError("package.json.keys must map key ids to paths")
    events = _get(audit, "events", list, "audit")
    if not all(isinstance(s, int) and not isinstance(s, bool) for s in events):
        raise IndexFormatError("audit.events must be a list of sequence numbers")
    segments = [
        Segment(
            _get(s, "first", int, f"audit.segments[{i}]"),
            _get(s, "last", int, f"audit.segments[{i}]"),
            _get(s, "purpose", str, f"audit.segments[{i}]"),
        )
        for i, s in enumerate(_get(audit, "segments", list, "audit"))
    ]
    documents = _get(raw, "documents", list, "package.json")
    return PackageIndex(
        prozess_id=_get(raw, "prozess_id", str, "package.json"),
        message=_get(raw, "message", str, "package.json"),
        keys=dict(keys),
        documents=[_document(d, f"documents[{i}]") for i, d in enumerate(documents)],
        events=list(events),
        segments=segments,
        counts=dict(_get(raw, "counts", dict, "package.json")),
    )
