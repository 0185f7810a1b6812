"""The package's audit files read strictly: included event files and chain lines.

A chain line is ``<seq> <format> <prev_hash> <digest> <hash>``. Format 2 (every
event since eakte's audit hash format 2): ``digest`` is the SHA-256 of the
event's content and ``hash`` must be ``link_hash(prev_hash, digest)``, so the
line proves itself whether or not the event is included; an included event's
file holds exactly that content. Format 1 (events of installations from
before): ``digest`` is ``-``, the hash covers all fields including
``prev_hash``, and an included event's file holds exactly those bytes. What the
lines and files mean together is checked in :mod:`._verify_audit`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from eakte.export import _layout as layout
from eakte.export._verify_bag import Bag, error
from eakte.export._verify_index import PackageIndex
from eakte.signing._findings import Finding

LINE_SHAPE = "<seq> <format> <prev_hash> <digest> <hash>"
FORMATS = (1, 2)
_SEQ = re.compile(r"[1-9][0-9]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_EVENT_FIELDS = ("seq", "occurred_at", "actor", "action", "object_type", "object_id", "details")


@dataclass(frozen=True)
class ChainLine:
    seq: int
    format: int
    prev_hash: str
    digest: str | None  # the content's SHA-256 (format 2); None for format 1
    hash: str


def parse_chain_line(text: str) -> ChainLine:
    """One line (without its newline); ValueError says what is wrong with it."""
    fields = text.split(" ")
    if len(fields) != 5:
        raise ValueError(f"{len(fields)} field(s) separated by single spaces, not 5")
    seq, hash_format, prev_hash, digest, hash_ = fields
    if not _SEQ.fullmatch(seq):
        raise ValueError(f"the event number {seq!r} is not a positive number")
    if hash_format not in {str(f) for f in FORMATS}:
        raise ValueError(f"the hash format {hash_format!r} is not one of 1, 2")
    for name, value in (("prev_hash", prev_hash), ("hash", hash_)):
        if not _SHA256.fullmatch(value):
            raise ValueError(f"the {name} {value!r} is not 64 lower-case hex digits")
    if hash_format == "1" and digest != "-":
        raise ValueError("a format-1 line has '-' as its digest")
    if hash_format == "2" and not _SHA256.fullmatch(digest):
        raise ValueError(f"the digest {digest!r} of a format-2 line is not a SHA-256")
    return ChainLine(
        int(seq), int(hash_format), prev_hash, None if digest == "-" else digest, hash_
    )


@dataclass(frozen=True)
class Event:
    """An included event as its file gives it (the chain walk checks it against its line)."""

    seq: int
    file_sha256: str
    prev_hash: str | None  # named by format-1 files only
    occurred_at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]

    def matches(self, line: ChainLine) -> bool:
        """The file is the one the line's hash covers (format 1) or its digest names (2)."""
        if line.format == 1:
            return self.file_sha256 == line.hash and self.prev_hash == line.prev_hash
        return self.file_sha256 == line.digest


def read_events(bag: Bag, index: PackageIndex, findings: list[Finding]) -> dict[int, Event]:
    """The event files package.json lists, each readable and naming its own number."""
    events: dict[int, Event] = {}
    for seq in index.events:
        path, subject = layout.event_path(seq), f"audit event {seq}"
        try:
            data = bag.read(path)
        except KeyError:
            findings.append(error("audit-event-missing", subject, "The event file is missing."))
            continue
        except ValueError as exc:
            findings.append(error("audit-event-altered", subject, f"{exc}."))
            continue
        try:
            raw = json.loads(data)
            details = json.loads(raw["details"])
            if raw["seq"] != seq or not isinstance(details, dict):
                raise ValueError("its seq or details do not fit")
            fields = {name: raw[name] for name in _EVENT_FIELDS}
            prev_hash = raw.get("prev_hash")
        except (ValueError, TypeError, KeyError) as exc:
            findings.append(error("audit-event-altered", subject, f"Not a readable event: {exc}."))
            continue
        sha = bag.sha256(path)
        texts = [v for k, v in fields.items() if k != "seq"] + [prev_hash or ""]
        if sha is None or not all(isinstance(v, str) for v in texts):
            findings.append(error("audit-event-altered", subject, "Not a readable event."))
            continue
        fields["details"] = details
        events[seq] = Event(file_sha256=sha, prev_hash=prev_hash, **fields)
    return events
