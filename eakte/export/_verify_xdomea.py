"""The xdomea message: schema-valid, and saying what the signed proof says.

The message as a whole is sealed by the signed export event (its SHA-256,
checked in ``_verify_history``). Beyond that, what can be checked against
signed data is checked: every Dokument, Version and Primaerdokument/Dateiname
against the package's versions (whose file names and hashes follow from the
signed manifests), Betreff, Kennzeichen and placement of documents, Vorgänge
and Akten against the audit events. Other metadata (dates, sender, history
wording, retention) has no signed counterpart in the package but the seal.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from eakte.export import _layout as layout
from eakte.export._schema import TOO_LARGE, limit_message, schema_errors
from eakte.export._verify_bag import READ_ERRORS, Bag, error, warning
from eakte.export._verify_history import History
from eakte.export._verify_index import PackageIndex
from eakte.export._verify_proof import VersionFacts
from eakte.signing._findings import Finding

_Element = Any  # lxml's _Element (lxml has no type stubs here)
NS = "urn:xoev-de:xdomea:schema:3.0.0"
_SHOWN_SCHEMA_ERRORS = 3


def _q(*names: str) -> str:
    return "/".join(f"{{{NS}}}{name}" for name in names)


@dataclass(frozen=True)
class Primary:
    """One Primaerdokument of a Version."""

    name: str  # Dateiname
    original: str | None  # DateinameOriginal
    creator: str | None  # Ersteller
    at: str | None  # DatumUhrzeit


@dataclass
class XmlDocument:
    id: str
    betreff: str | None
    case: str | None  # ID of the enclosing Vorgang
    case_file: str | None  # ID of the enclosing Akte
    versions: dict[int, list[Primary]] = field(default_factory=dict)
    described: dict[str, str] = field(default_factory=dict)  # eakte's extension, per version


@dataclass(frozen=True)
class XmlContainer:
    kind: str  # "Akte" | "Vorgang"
    betreff: str | None
    kennzeichen: str | None


@dataclass
class MessageFacts:
    prozess_id: str | None = None
    documents: list[XmlDocument] = field(default_factory=list)
    containers: dict[str, XmlContainer] = field(default_factory=dict)


def read_facts(bag: Bag, path: str) -> MessageFacts:
    """Stream the message; keep per Dokument only ids, numbers and file names."""
    facts = MessageFacts()
    tags = [_q("ProzessID"), _q("Dokument"), _q("Vorgang"), _q("Akte")]
    with bag.open(path) as stream:
        for _, elem in etree.iterparse(
            stream, events=("end",), tag=tags, resolve_entities=False, no_network=True
        ):
            local = etree.QName(elem).localname
            if local == "ProzessID":
                facts.prozess_id = (elem.text or "").strip()
                continue
            object_id = (elem.findtext(_q("Identifikation", "ID")) or "").strip()
            betreff = elem.findtext(_q("AllgemeineMetadaten", "Betreff"))
            if local == "Dokument":
                facts.documents.append(_document(elem, object_id, betreff))
            else:
                kennzeichen = elem.findtext(_q("AllgemeineMetadaten", "Kennzeichen"))
                facts.containers[object_id] = XmlContainer(local, betreff, kennzeichen)
            parent = elem.getparent()
            elem.clear()
            if parent is not None:
                parent.remove(elem)
    return facts


def _document(elem: _Element, object_id: str, betreff: str | None) -> XmlDocument:
    enclosing: dict[str, str | None] = {"Vorgang": None, "Akte": None}
    for ancestor in elem.iterancestors(_q("Vorgang"), _q("Akte")):
        kind = etree.QName(ancestor).localname
        if enclosing[kind] is None:
            enclosing[kind] = (ancestor.findtext(_q("Identifikation", "ID")) or "").strip()
    document = XmlDocument(object_id, betreff, enclosing["Vorgang"], enclosing["Akte"])
    for version in elem.iterchildren(_q("Version")):
        try:
            number = int(version.findtext(_q("Nummer")) or "")
        except ValueError:
            number = 0
        files = document.versions.setdefault(number, [])
        for primary in version.iterfind(_q("Format", "Primaerdokument")):
            name = (primary.findtext(_q("Dateiname")) or "").strip()
            original, creator = (
                primary.findtext(_q("DateinameOriginal")),
                primary.findtext(_q("Ersteller")),
            )
            files.append(Primary(name, original, creator, primary.findtext(_q("DatumUhrzeit"))))
    for group in elem.iterfind(_q("AnwendungsspezifischeErweiterung", "Feldgruppe")):
        if group.findtext(_q("Name")) == "versions":
            for item in group.iterfind(_q("Feld")):
                document.described[item.findtext(_q("Name")) or ""] = (
                    item.findtext(_q("Wert")) or ""
                )
    return document


def check_message(
    bag: Bag,
    index: PackageIndex,
    versions: Mapping[tuple[str, int], VersionFacts],
    history: History,
) -> Iterator[Finding]:
    path = f"{layout.DATA}/{index.message}"
    if index.message != layout.message_name(index.prozess_id):
        yield error("package-json-mismatch", "package.json", f"Names the message {path!r}.")
    if not bag.has(path):
        yield error("xdomea-message-missing", path, "The xdomea message is not in the package.")
        return
    errors = _schema_errors(bag, path)
    too_large = next((e for e in errors if e.startswith(TOO_LARGE)), None)
    if too_large:  # nothing more is read from it
        yield error("xdomea-malformed", path, f"The message is {too_large}.")
        return
    if errors:
        shown = "; ".join(errors[:_SHOWN_SCHEMA_ERRORS])
        more = f" (and {len(errors) - _SHOWN_SCHEMA_ERRORS} more)" if len(errors) > 3 else ""
        yield error("xdomea-schema-invalid", path, f"Not valid xdomea 3.0.0: {shown}{more}.")
    try:
        facts = read_facts(bag, path)
    except (etree.XMLSyntaxError, *READ_ERRORS) as exc:
        why = limit_message(exc) if isinstance(exc, etree.XMLSyntaxError) else None
        yield error(
            "xdomea-malformed",
            path,
            f"The message is {why}." if why else f"Not readable XML: {exc}.",
        )
        return
    if facts.prozess_id != index.prozess_id:
        yield error("xdomea-mismatch", path, f"Its ProzessID is {facts.prozess_id!r}.")
    yield from _Compare(bag, index, versions, history, facts).run()


def _schema_errors(bag: Bag, path: str) -> list[str]:
    """schema_errors of a temporary copy (the copy is bounded by check_archive's limits)."""
    with tempfile.TemporaryDirectory(prefix="eakte-verify-") as folder:
        copy = Path(folder) / "message.xml"
        with bag.open(path) as source, copy.open("wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        return schema_errors(copy)


class _Compare:
    def __init__(
        self,
        bag: Bag,
        index: PackageIndex,
        versions: Mapping[tuple[str, int], VersionFacts],
        history: History,
        facts: MessageFacts,
    ) -> None:
        self.bag, self.versions, self.history, self.facts = bag, versions, history, facts
        self.package = {d.document_id: d for d in index.documents}

    def run(self) -> Iterator[Finding]:
        seen: set[str] = set()
        for document in self.facts.documents:
            subject = f"Dokument {document.id}"
            if document.id in seen:
                yield _mismatch(subject, "appears twice in the message.")
            seen.add(document.id)
            yield from self._document(document, subject)
        for document_id in sorted(set(self.package) - seen):
            yield _mismatch(f"document {document_id}", "is in the package but not in the message.")
        for object_id, container in sorted(self.facts.containers.items()):
            yield from self._container(object_id, container)

    def _document(self, document: XmlDocument, subject: str) -> Iterator[Finding]:
        entry = self.package.get(document.id)
        if entry is None:
            yield _mismatch(subject, "is not a document of the package.")
            return
        listed = {v.number: v for v in entry.versions}
        for number in sorted(set(listed) - set(document.versions)):
            yield _mismatch(f"{subject} Version {number}", "is in the package, not the message.")
        for number, files in sorted(document.versions.items()):
            version = listed.get(number)
            if version is None:
                yield _mismatch(f"{subject} Version {number}", "is not a version of the package.")
                continue
            facts = self.versions.get((document.id, number))
            where = f"{subject} Version {number}"
            yield from self._files(where, files, version.files, facts)
            if facts is not None:
                yield from _described(
                    where, document.described.get(str(number)), version.files, facts
                )
        for name in sorted(document.described):
            if not name.isdigit() or int(name) not in listed:
                yield _mismatch(subject, f"eakte's extension describes a version {name!r}.")
        yield from self._placement(document, subject)

    def _files(
        self,
        where: str,
        files: list[Primary],
        listed: Mapping[str, str],
        facts: VersionFacts | None,
    ) -> Iterator[Finding]:
        names = {primary.name for primary in files}
        if len(names) != len(files) or names != set(listed.values()):
            yield _mismatch(
                where,
                f"names the files {sorted(names)}, the package holds {sorted(listed.values())}.",
            )
        for primary in files:
            if not self.bag.has(f"{layout.DATA}/{primary.name}"):
                yield _mismatch(where, f"{primary.name} is not in the bag.")
            if facts is None or primary.name != listed.get("original"):
                continue
            differing = [
                label
                for label, found, signed in (
                    ("DateinameOriginal", primary.original, facts.filename),
                    ("Ersteller", primary.creator, facts.created_by),
                )
                if found is not None and found != signed
            ]
            if primary.at is not None and not _same_time(primary.at, facts.created_at):
                differing.append("DatumUhrzeit")
            if differing:
                yield _mismatch(
                    where, f"Its {', '.join(differing)} differ from the signed manifest."
                )

    def _placement(self, document: XmlDocument, subject: str) -> Iterator[Finding]:
        state = self.history.documents.get(document.id, {})
        if "title" in state and document.betreff != state["title"]:
            yield _mismatch(subject, "Its Betreff is not the title the audit log records.")
        for key, container_id in (("case", document.case), ("case_file", document.case_file)):
            container = self.facts.containers.get(container_id or "")
            found = container.kennzeichen if container else None
            if key in state and found != state[key]:
                yield _mismatch(
                    subject,
                    f"Lies in {found or 'no container'} but the audit log records "
                    f"{state[key] or 'none'} ({key}).",
                )

    def _container(self, object_id: str, container: XmlContainer) -> Iterator[Finding]:
        subject = f"{container.kind} {object_id}"
        audited = self.history.containers.get(object_id)
        if audited is None:
            yield warning("xdomea-unaudited", subject, "No creation event of it is in the package.")
            return
        if container.betreff != audited.get("title"):
            yield _mismatch(subject, "Its Betreff is not the title the audit log records.")
        if container.kennzeichen != audited.get("reference"):
            yield _mismatch(subject, "Its Kennzeichen is not the reference the audit log records.")


def _described(
    where: str, raw: str | None, listed: Mapping[str, str], facts: VersionFacts
) -> Iterator[Finding]:
    """eakte's extension of a version (times, person, files with hashes) against its manifest."""
    if raw is None:
        return
    try:
        described = json.loads(raw)
        files = {f["role"]: f for f in described["files"]}
        differing = [
            name
            for name, ok in (
                ("created_at", _same_time(described["created_at"], facts.created_at)),
                ("created_by", described["created_by"] == facts.created_by),
                ("files", set(files) == set(facts.files)),
            )
            if not ok
        ]
        for role, (sha, size) in sorted(facts.files.items()):
            entry = files.get(role, {})
            if (
                entry.get("sha256") != sha
                or entry.get("name") != listed.get(role)
                or (size is not None and entry.get("size") != size)
                or (role == "original" and entry.get("original_name") != facts.filename)
                or (role == "original" and entry.get("media_type") != facts.media_type)
            ):
                differing.append(f"{role} file")
    except (ValueError, KeyError, TypeError, AttributeError):
        differing = ["(unreadable)"]
    if differing:
        yield _mismatch(
            where,
            f"eakte's extension differs from the signed manifest in: {', '.join(differing)}.",
        )


def _same_time(found: str, signed: str) -> bool:
    try:
        return datetime.fromisoformat(found) == datetime.fromisoformat(signed)
    except (ValueError, TypeError):
        return found == signed


def _mismatch(subject: str, message: str) -> Finding:
    return error(
        "xdomea-mismatch", subject, f"{subject} {message}" if message[0].islower() else message
    )
