"""The package's audit segments against its signed checkpoints, and which keys are anchored.

Every chain line that proves itself links an event to the next: a format-2
line (``<seq> 2 <prev_hash> <digest> <hash>``) whenever its hash is
``link_hash(prev_hash, digest)``, included or not; a format-1 line only when
its event is included and its file hashes to the line. An included event is
*proven* when such lines lead from it to a checkpoint signed by an anchored
key: only then could its content not have been rewritten together with the
chain lines. With format 2 that holds for every consistent event; only
left-out format-1 events (from before format 2) leave included events before
them unproven, which is reported as a warning.

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

from eakte.export import _layout as layout
from eakte.export._limits import LineTooLongError, iter_lines
from eakte.export._verify_bag import READ_ERRORS, Bag, error, warning
from eakte.export._verify_events import (
    LINE_SHAPE,
    ChainLine,
    Event,
    parse_chain_line,
    read_events,
)
from eakte.export._verify_index import PackageIndex, Segment
from eakte.signing._audit import CHECKPOINT_FORMAT, GENESIS_HASH, link_hash
from eakte.signing._canonical import canonical_json
from eakte.signing._findings import Finding
from eakte.signing._keys import verify_signature

_CHECKPOINTS = layout.checkpoint_path(0).rsplit("/", 1)[0]
_CHECKPOINT = re.compile(re.escape(_CHECKPOINTS) + r"/(\d{10})\.json")
KEY_EVENTS = ("key.created", "key.rotated", "key.imported")


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
    last_format_1: int | None = None  # the last chain line that claims hash format 1


def check_audit(
    bag: Bag, index: PackageIndex, keys: Mapping[str, str]
) -> tuple[AuditFacts, list[Finding]]:
    findings: list[Finding] = []
    facts = AuditFacts()
    facts.checkpoints = _read_checkpoints(bag, keys, findings)
    bodies = read_events(bag, index, findings)
    walk = _ChainWalk(bodies, facts.checkpoints)
    for segment in index.segments:
        findings.extend(walk.segment(bag, segment))
    findings.extend(walk.formats())
    facts.last_format_1 = walk.last_format_1
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


class _ChainWalk:
    """Streams the chain files; remembers, per consistent event, the end of its proven run."""

    def __init__(self, bodies: Mapping[int, Event], checkpoints: Mapping[int, Checkpoint]) -> None:
        self.bodies = bodies
        self.checkpoints = checkpoints
        self.in_chain: set[int] = set()
        self.consistent: set[int] = set()
        self.run_end: dict[int, int] = {}
        self.matched: set[int] = set()
        self.contradicted: set[int] = set()
        self.hashes: dict[int, str] = {}  # line hash of every event or checkpoint seq
        self.last_format_1: int | None = None
        self.first_format_2: int | None = None

    def segment(self, bag: Bag, segment: Segment) -> Iterator[Finding]:
        path = layout.chain_path(segment.first, segment.last)
        if not bag.has(path):
            yield error("audit-chain-missing", path, "The chain file of a segment is missing.")
            return
        run: list[int] = []
        expected, prev = segment.first, GENESIS_HASH if segment.first == 1 else None
        most = segment.last - segment.first + 1
        try:
            with bag.open(path) as stream:
                for number, raw in enumerate(iter_lines(stream), start=1):
                    if number > most:
                        yield error(
                            "audit-chain-malformed",
                            f"{path} line {number}",
                            f"The segment has {most} events; the file has more lines.",
                        )
                        return
                    try:
                        line = parse_chain_line(raw.decode("ascii", "replace").rstrip("\n"))
                    except ValueError as exc:
                        yield error(
                            "audit-chain-malformed",
                            f"{path} line {number}",
                            f"Not a chain line {LINE_SHAPE}: {exc}.",
                        )
                        return
                    if line.seq != expected or (prev is not None and line.prev_hash != prev):
                        yield error(
                            "audit-chain-broken",
                            f"audit event {line.seq}",
                            f"The chain line does not follow event {expected - 1}.",
                        )
                        self._close(run, expected - 1)
                        expected = line.seq
                    yield from self._line(line, run)
                    expected, prev = line.seq + 1, line.hash
        except LineTooLongError as exc:
            yield error("audit-chain-malformed", path, f"Not a chain file: {exc}.")
            return
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

    def _line(self, line: ChainLine, run: list[int]) -> Iterator[Finding]:
        seq, subject = line.seq, f"audit event {line.seq}"
        self._note_format(line)
        if seq in self.hashes and self.hashes[seq] != line.hash:
            yield error("audit-chain-contradicted", subject, "Two chain files disagree here.")
        body = self.bodies.get(seq)
        if body is not None or seq in self.checkpoints:
            self.hashes[seq] = line.hash
        # the line's hash follows from the line itself (format 2) ...
        proves = line.digest is not None and link_hash(line.prev_hash, line.digest) == line.hash
        if line.format == 2 and not proves:
            yield error(
                "audit-chain-broken",
                subject,
                "The line's hash is not the hash of its prev_hash and content digest.",
            )
        if body is not None:
            self.in_chain.add(seq)
            if not body.matches(line):
                yield error(
                    "audit-event-altered",
                    subject,
                    "The event's content does not match its hash in the audit chain.",
                )
                proves = False
            else:
                self.consistent.add(seq)
                proves = proves or line.format == 1  # ... or from the included event
                if proves:
                    run.append(seq)
        if not proves:
            self._close(run, seq - 1)
        checkpoint = self.checkpoints.get(seq)
        if checkpoint is not None:
            if checkpoint.head_hash == line.hash:
                self.matched.add(seq)
            else:
                self.contradicted.add(seq)
                yield error(
                    "audit-checkpoint-contradicted",
                    subject,
                    "The signed checkpoint records a different chain at this event.",
                )

    def _note_format(self, line: ChainLine) -> None:
        if line.format == 1:
            self.last_format_1 = max(line.seq, self.last_format_1 or 0)
        elif self.first_format_2 is None or line.seq < self.first_format_2:
            self.first_format_2 = line.seq

    def formats(self) -> Iterator[Finding]:
        """eakte never hashes an event in format 1 after one in format 2."""
        old, new = self.last_format_1, self.first_format_2
        if old is not None and new is not None and old > new:
            yield error(
                "audit-chain-broken",
                f"audit event {old}",
                f"Its chain line claims hash format 1, but event {new} before it already has "
                "format 2: events are never hashed in the old format again.",
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
            f"{len(unproven)} of {len(facts.events)} included events (events "
            f"{_ranges(unproven)}) are not linked to a signed checkpoint by chain lines that "
            "can be recomputed: a left-out event in the old hash format 1 (or a broken line) "
            "lies between; their content rests on the chain lines alone.",
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
