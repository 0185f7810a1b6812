"""eakte's AnwendungsspezifischeErweiterung: the model fields xdomea 3.0.0 has no element for.

Every Akte, Vorgang and Dokument eakte writes carries one
``AnwendungsspezifischeErweiterung`` with ``Kennung`` :data:`EXT_ID`. Its
``Feld`` elements hold single values as text (times as xs:dateTime):
``created_at``, ``created_by``, ``closed_at`` (exact times; xdomea's Laufzeit
and ZdADatum are days), ``orgunit_code`` and ``orgunit_name`` (xdomea's
Federfuehrung is one text) and for documents ``language``, ``page_count`` and
``scan_note`` (canonical JSON). Its ``Feldgruppe`` elements hold lists:

- ``history``: one Feld per HistorienProtokollInformation, in the same order,
  named by its index, the value the canonical JSON of
  ``{"action": ..., "details": ...}`` (xdomea's ``Aktion`` holds the German
  description, ``Akteur`` and ``DatumUhrzeit`` the actor and time).
- ``extra`` (documents): one Feld per further metadata item.
- ``versions`` (documents): one Feld per version, named by its number, the
  value the canonical JSON of ``{"created_at", "created_by", "files": [{"role",
  "name", "original_name", "media_type", "sha256", "size", "created_at"}]}``.
  (The Version elements show the same files to xdomea readers; a version
  without files, which xdomea cannot express, lives only here.)

Empty lists (no history, no further metadata) are left out.

Together with the xdomea elements this gives back exactly the model objects
that were written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from eakte.export._model import (
    CaseFileRecord,
    CaseRecord,
    DocumentRecord,
    HistoryEntry,
    PrimaryFile,
    VersionRecord,
)
from eakte.export._xdomea_time import parse_datetime, xs_datetime

EXT_ID = "urn:eakte:xdomea-erweiterung:1"
EXT_NAME = "eakte"
EXT_DESCRIPTION = "Angaben von eakte, für die xdomea 3.0.0 kein eigenes Element hat"
EXT_VERSION = "1"


@dataclass(frozen=True)
class Field:
    name: str
    value: str


@dataclass(frozen=True)
class Group:
    name: str
    description: str
    fields: list[Field] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)

    def values(self) -> dict[str, str]:
        return {f.name: f.value for f in self.fields}

    def group(self, name: str) -> Group | None:
        return next((g for g in self.groups if g.name == name), None)


# --- writing -------------------------------------------------------------------------


def case_file_extension(akte: CaseFileRecord) -> list[Field | Group]:
    return [
        *_common(akte.created_at, akte.created_by, akte.closed_at),
        Field("orgunit_code", akte.orgunit_code),
        Field("orgunit_name", akte.orgunit_name),
        *_history_group(akte.history),
    ]


def case_extension(case: CaseRecord) -> list[Field | Group]:
    common = _common(case.created_at, case.created_by, case.closed_at)
    return [*common, *_history_group(case.history)]


def document_extension(doc: DocumentRecord) -> list[Field | Group]:
    items: list[Field | Group] = [
        Field("created_at", xs_datetime(doc.created_at)),
        Field("created_by", doc.created_by),
        Field("orgunit_code", doc.orgunit_code),
        Field("orgunit_name", doc.orgunit_name),
    ]
    if doc.language is not None:
        items.append(Field("language", doc.language))
    if doc.page_count is not None:
        items.append(Field("page_count", str(doc.page_count)))
    if doc.scan_note is not None:
        items.append(Field("scan_note", _json(doc.scan_note)))
    if doc.extra:
        items.append(
            Group(
                "extra",
                "Weitere Metadaten des Dokuments",
                [Field(key, value) for key, value in doc.extra.items()],
            )
        )
    items.extend(_history_group(doc.history))
    items.append(
        Group(
            "versions",
            "Je Version (Nummer): Zeit, Person und Dateien mit Rolle, Medientyp, SHA-256, Größe",
            [_version_field(v) for v in doc.versions],
        )
    )
    return items


def _common(created_at: Any, created_by: str, closed_at: Any) -> list[Field | Group]:
    items: list[Field | Group] = [
        Field("created_at", xs_datetime(created_at)),
        Field("created_by", created_by),
    ]
    if closed_at is not None:
        items.append(Field("closed_at", xs_datetime(closed_at)))
    return items


def _history_group(history: list[HistoryEntry]) -> list[Field | Group]:
    if not history:
        return []
    group = Group(
        "history",
        "eakte-Aktion und Details je HistorienProtokollInformation, in derselben Reihenfolge",
        [
            Field(str(i), _json({"action": e.action, "details": e.details}))
            for i, e in enumerate(history)
        ],
    )
    return [group]


def _version_field(version: VersionRecord) -> Field:
    return Field(
        str(version.number),
        _json(
            {
                "created_at": xs_datetime(version.created_at),
                "created_by": version.created_by,
                "files": [
                    {
                        "role": f.role,
                        "name": f.name,
                        "original_name": f.original_name,
                        "media_type": f.media_type,
                        "sha256": f.sha256,
                        "size": f.size,
                        "created_at": xs_datetime(f.created_at),
                    }
                    for f in version.files
                ],
            }
        ),
    )


def _json(value: Any) -> str:
    """Canonical JSON (sorted keys, no spaces, UTF-8 as such) of data that is already
    canonical (audit details, scan notes), without canonical_json's type walk."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# --- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class Extension:
    """eakte's extension of one object as read back."""

    fields: dict[str, str]
    groups: dict[str, Group]

    def history(self, index: int) -> tuple[str, dict[str, Any]] | None:
        """(action, details) of the history entry at ``index``, if the extension has it."""
        group = self.groups.get("history")
        value = group.values().get(str(index)) if group else None
        if value is None:
            return None
        data = json.loads(value)
        return str(data["action"]), dict(data["details"])

    def extra(self) -> dict[str, str]:
        group = self.groups.get("extra")
        return group.values() if group else {}

    def versions(self) -> list[VersionRecord] | None:
        group = self.groups.get("versions")
        if group is None:
            return None
        return [_version(f.name, f.value) for f in group.fields]


def _version(name: str, text: str) -> VersionRecord:
    data = json.loads(text)
    return VersionRecord(
        number=int(name),
        created_at=parse_datetime(data["created_at"]),
        created_by=str(data["created_by"]),
        files=[
            PrimaryFile(
                role=str(f["role"]),
                name=str(f["name"]),
                original_name=str(f["original_name"]),
                media_type=str(f["media_type"]),
                sha256=str(f["sha256"]),
                size=int(f["size"]),
                created_at=parse_datetime(f["created_at"]),
            )
            for f in data["files"]
        ],
    )
