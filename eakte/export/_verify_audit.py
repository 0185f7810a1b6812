"""The package's audit segments against its signed checkpoints, and which keys are anchored.

A chain line ``<seq> <prev_hash> <hash>`` is only a claim. An included
event is *proven* when a checkpoint signed by an anchored key covers it
through events whose bodies are all in the package (each recomputed hash
linking to the next event's ``prev_hash``): only then could its content not
have been rewritten together with the chain lines. Events whose link to a
checkpoint runs through events without bodies are reported as unproven.

The trust anchor is the key of the main segment's final checkpoint; older
keys are anchored by proven ``key.rotated`` (and ``key.created``) events.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from eakte.export import _layout as layout
from eakte.export._verify_bag import READ_ERRORS, Bag, error, warning
from eakte.export._verify_index import PackageIndex, Segment
from eakte.signing._audit import CHECKPOINT_FORMAT, GENESIS_HASH
from eakte.signing._canonical import canonical_json
from eakte.signing._findings import Finding
from eakte.signing._keys import verify_signature

_CHECKPOINTS = layout.checkpoint_path(0).rsplit("/", 1)[0]
_CHECKPOINT = re.compile(re.escape(_CHECKPOINTS) + r"/(\d{10})\.json")
_CHAIN_LINE = re.compile(r"(\d+) ([0-9a-f]{64}) ([0-9a-f]{64})")
_EVENT_FIELDS = ("seq", "occurred_at", "actor", "action", "object_type", "object_id", "details")
KEY_EVENTS = ("key.created", "key.rotated", "key.imported")


@dataclass(frozen=True)
class Event:
    """An included event whose file bytes hash to its chain line."""

    seq: int
    hash: str
    prev_hash: str
    occurred_at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head_hash: str
    key_id: str
    signature_ok: bool


@dataclass
class AuditFacts:
    events: dict[int, Event] = field(default_factory=dict)  # consistent with their chain line
    proven: set[int] = field(default_factory=set)
    checkpoints: dict[int, Checkpoint] = field(default_factory=dict)
    anchor: str | None = None
    anchored: dict[str, str] = field(default_factory=dict)  # key_id -> how it is anchored
    retired_at: dict[str, str] = field(default_factory=dict)  # key_id -> ISO time


def check_audit(
    bag: Bag, index: PackageIndex, keys: Mapping[str, str]
) -> tuple[AuditFacts, list[Finding]]:
    findings: list[Finding] = []
    facts = AuditFacts()
    facts.checkpoints = _read_checkpoints(bag, keys, findings)
    bodies = _read_events(bag, index, findings)
    walk = _ChainWalk(bodies, facts.checkpoints)
    for segment in index.segments:
        findings.extend(walk.segment(bag, segment))
    for seq in sorted(set(bodies) - walk.in_chain):
        findings.append(
            error("audit-event-outside-chain", f"audit event {seq}", "No chain line covers it.")
        )
    facts.events = {seq: bodies[seq] for seq in walk.consistent}
    for seq in sorted(set(facts.checkpoints) - walk.matched - walk.contradicted):
        findings.append(
            warning("audit-checkpoint-unused", f"checkpoint at event {seq}", "No segment has it.")
        )
    findings.extend(_anchor(facts, index, walk))
    return facts, findings


def _read_checkpoints(
    bag: Bag, keys: Mapping[str, str], findings: list[Finding]
) -> dict[int, Checkpoint]:
    checkpoints: dict[int, Checkpoint] = {}
    for path in sorted(bag.members):
        match = _CHECKPOINT.fullmatch(path)
        if match is None:
            continue
        seq = int(match.group(1))
        subject = f"checkpoint at event {seq}"
        try:
            record_bytes = bag.read(path)
            signature = bag.read(layout.checkpoint_sig_path(seq))
            envelope = json.loads(bag.read(layout.checkpoint_envelope_path(seq)))
            record = json.loads(record_bytes)
            key_id = envelope["key_id"]
            head_hash = record["head_hash"]
            if (
                record.get("format") != CHECKPOINT_FORMAT
                or record.get("seq") != seq
                or canonical_json(record) != record_bytes
                or envelope["checkpoint"].encode() != record_bytes
                or base64.b64decode(envelope["signature"], validate=True) != signature
                or not isinstance(key_id, str)
                or not isinstance(head_hash, str)
            ):
                raise ValueError("the record, its signature and its envelope disagree")
        except KeyError as exc:
            findings.append(error("checkpoint-malformed", subject, f"{exc} is missing."))
            continue
        except (ValueError, TypeError, AttributeError, binascii.Error) as exc:
            findings.append(error("checkpoint-malformed", subject, f"Not readable: {exc}."))
            continue
        pem = keys.get(key_id)
        if pem is None:
            findings.append(error("key-missing", subject, f"Signed by key {key_id}, not included."))
            ok = False
        else:
            ok = verify_signature(pem, record_bytes, signature)
            if not ok:
                findings.append(
                    error("checkpoint-signature-invalid", subject, "Signature does not verify.")
                )
        checkpoints[seq] = Checkpoint(seq, head_hash, key_id, ok)
    return checkpoints


def _read_events(bag: Bag, index: PackageIndex, findings: list[Finding]) -> dict[int, Event]:
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
        except (ValueError, TypeError, KeyError) as exc:
            findings.append(error("audit-event-altered", subject, f"Not a readable event: {exc}."))
            continue
        sha = bag.sha256(path)
        if sha is None or not all(isinstance(v, str) for k, v in fields.items() if k != "seq"):
            findings.append(error("audit-event-altered", subject, "Not a readable event."))
            continue
        fields["details"] = details
        events[seq] = Event(hash=sha, prev_hash=str(raw.get("prev_hash")), **fields)
    return events


class _ChainWalk:
    """Streams the chain files; remembers, per consistent event, the end of its run."""

    def __init__(self, bodies: Mapping[int, Event], checkpoints: Mapping[int, Checkpoint]) -> None:
        self.bodies = bodies
        self.checkpoints = checkpoints
        self.in_chain: set[int] = set()
        self.consistent: set[int] = set()
        self.run_end: dict[int, int] = {}
        self.matched: set[int] = set()
        self.contradicted: set[int] = set()
        self.hashes: dict[int, str] = {}  # line hash of every event or checkpoint seq

    def segment(self, bag: Bag, segment: Segment) -> Iterator[Finding]:
        path = layout.chain_path(segment.first, segment.last)
        if not bag.has(path):
            yield error("audit-chain-missing", path, "The chain file of a segment is missing.")
            return
        run: list[int] = []
        expected, prev = segment.first, GENESIS_HASH if segment.first == 1 else None
        try:
            with bag.open(path) as stream:
                for number, raw in enumerate(stream, start=1):
                    match = _CHAIN_LINE.fullmatch(raw.decode("ascii", "replace").rstrip("\n"))
                    if match is None:
                        yield error("audit-chain-malformed", f"{path} line {number}", "Unreadable.")
                        return
                    seq, line_prev, line_hash = int(match[1]), match[2], match[3]
                    if seq != expected or (prev is not None and line_prev != prev):
                        yield error(
                            "audit-chain-broken",
                            f"audit event {seq}",
                            f"The chain line does not follow event {expected - 1}.",
                        )
                        self._close(run, expected - 1)
                        expected = seq
                    yield from self._line(seq, line_prev, line_hash, run)
                    expected, prev = seq + 1, line_hash
        except READ_ERRORS as exc:
            yield error("zip-member-unreadable", path, f"Cannot be read: {exc}.")
        self._close(run, expected - 1)
        if expected - 1 != segment.last:
            yield error(
                "audit-chain-broken", path, f"Ends at event {expected - 1}, not {segment.last}."
            )
        elif segment.last not in self.checkpoints:
            yield error(
                "audit-segment-unsealed",
                path,
                f"No signed checkpoint at its last event {segment.last}.",
            )

    def _line(self, seq: int, prev: str, sha: str, run: list[int]) -> Iterator[Finding]:
        subject = f"audit event {seq}"
        if seq in self.hashes and self.hashes[seq] != sha:
            yield error("audit-chain-contradicted", subject, "Two chain files disagree here.")
        body = self.bodies.get(seq)
        if body is not None or seq in self.checkpoints:
            self.hashes[seq] = sha
        if body is not None:
            self.in_chain.add(seq)
            if body.hash != sha or body.prev_hash != prev:
                yield error(
                    "audit-event-altered",
                    subject,
                    "The event's content does not match its hash in the audit chain.",
                )
                body = None
            else:
                self.consistent.add(seq)
                run.append(seq)
        if body is None:
            self._close(run, seq - 1)
        checkpoint = self.checkpoints.get(seq)
        if checkpoint is not None:
            if checkpoint.head_hash == sha:
                self.matched.add(seq)
            else:
                self.contradicted.add(seq)
                yield error(
                    "audit-checkpoint-contradicted",
                    subject,
                    "The signed checkpoint records a different chain at this event.",
                )

    def _close(self, run: list[int], end: int) -> None:
        for seq in run:
            self.run_end[seq] = max(self.run_end.get(seq, 0), end)
        run.clear()


def _anchor(facts: AuditFacts, index: PackageIndex, walk: _ChainWalk) -> Iterator[Finding]:
    mains = [s for s in index.segments if s.purpose == "records"]
    if len(mains) != 1:
        yield error("audit-segment-invalid", "package.json", "There must be one main segment.")
        return
    last = mains[0].last
    final = facts.checkpoints.get(last)
    usable = sorted(
        seq for seq in walk.matched - walk.contradicted if facts.checkpoints[seq].signature_ok
    )
    if final is None or last not in usable:
        yield error(
            "anchor-missing",
            f"checkpoint at event {last}",
            "The main segment does not end at a valid signed checkpoint: nothing is anchored.",
        )
        return
    facts.anchor = final.key_id
    facts.anchored[final.key_id] = f"trust anchor (signed the final checkpoint at event {last})"

    def proven(seq: int) -> bool:
        end = walk.run_end.get(seq, -1)
        start = bisect.bisect_left(usable, seq)
        return any(
            facts.checkpoints[k].key_id in facts.anchored
            for k in usable[start : bisect.bisect_right(usable, end)]
        )

    changed = True
    while changed:
        changed = False
        for event in facts.events.values():
            if event.action not in KEY_EVENTS or not proven(event.seq):
                continue
            named = {event.object_id: f"named by the {event.action} event {event.seq}"}
            retired = event.details.get("retired")
            if event.action == "key.rotated" and isinstance(retired, str):
                named[retired] = f"retired by the key.rotated event {event.seq}"
                facts.retired_at.setdefault(retired, event.occurred_at)
            for key_id, how in named.items():
                if key_id not in facts.anchored:
                    facts.anchored[key_id] = how
                    changed = True
    facts.proven = {seq for seq in facts.events if proven(seq)}
    for seq, checkpoint in sorted(facts.checkpoints.items()):
        if checkpoint.key_id not in facts.anchored:
            yield error(
                "key-not-anchored",
                f"checkpoint at event {seq}",
                f"Signed by key {checkpoint.key_id}, which no anchored key vouches for.",
            )
    unproven = sorted(set(facts.events) - facts.proven)
    if unproven:
        yield warning(
            "audit-event-unproven",
            "audit events",
            f"{len(unproven)} of {len(facts.events)} included events reach a signed checkpoint "
            f"only through events without their content in the package (events "
            f"{_ranges(unproven)}); their content rests on the chain lines alone.",
        )


def _ranges(seqs: list[int], shown: int = 20) -> str:
    """``[1, 2, 3, 7]`` -> ``"1-3, 7"`` (at most ``shown`` ranges)."""
    runs: list[list[int]] = []
    for seq in seqs:
        if runs and seq == runs[-1][1] + 1:
            runs[-1][1] = seq
        else:
            runs.append([seq, seq])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs[:shown])
    return text + (", ..." if len(runs) > shown else "")
