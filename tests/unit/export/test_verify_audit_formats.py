"""The audit chain check of ``eakte verify`` on hand-made chains of both hash formats.

A chain of six events: 1-3 in format 1 (as an installation from before format 2
has them), 4-6 in format 2, a checkpoint at 6 signed by a fresh key. Packages
are written the way ``eakte export`` writes them, with some events included.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eakte.export import _layout as layout
from eakte.export._verify_audit import AuditFacts, check_audit
from eakte.export._verify_bag import open_bag
from eakte.export._verify_index import PackageIndex, Segment
from eakte.signing import (
    GENESIS_HASH,
    canonical_json,
    checkpoint_record,
    event_content,
    event_hash,
    key_id_for,
    link_hash,
    sha256_hex,
)
from eakte.signing._findings import Finding
from tests.unit.export.test_verify_bag import bag_files

LAST = 6
FORMATS = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2}
KEY = Ed25519PrivateKey.generate()
KEY_ID = key_id_for(KEY.public_key())
Lines = list[list[str]]  # the fields of each chain line


def fields(seq: int, title: str = "Antrag") -> dict[str, Any]:
    return {
        "seq": seq,
        "occurred_at": f"2026-01-0{seq}T08:00:00+00:00",
        "actor": "anna",
        "action": "document.created",
        "object_type": "document",
        "object_id": f"doc-{seq}",
        "details": canonical_json({"title": title}).decode(),
    }


def chain() -> tuple[dict[int, bytes], Lines]:
    """Every event's file (as export writes it) and every chain line, 1..LAST."""
    files: dict[int, bytes] = {}
    lines: Lines = []
    prev = GENESIS_HASH
    for seq, hash_format in FORMATS.items():
        own = fields(seq)
        digest = hash_of = "-"
        if hash_format == 1:
            files[seq] = canonical_json({**own, "prev_hash": prev})
            hash_of = event_hash(**own, prev_hash=prev, hash_format=1)
        else:
            files[seq] = event_content(**own)
            digest = sha256_hex(files[seq])
            hash_of = link_hash(prev, digest)
        assert hash_of == event_hash(**own, prev_hash=prev, hash_format=hash_format)
        lines.append([str(seq), str(hash_format), prev, digest, hash_of])
        prev = hash_of
    return files, lines


def package(
    tmp_path: Path, included: list[int], change: Callable[[dict[int, bytes], Lines], None] = print
) -> tuple[AuditFacts, list[Finding]]:
    events, lines = chain()
    head = lines[-1][4]
    if change is not print:
        change(events, lines)
    record = checkpoint_record(LAST, head, datetime(2026, 1, 7, tzinfo=UTC))
    signature = KEY.sign(record)
    envelope = {
        "checkpoint": record.decode(),
        "key_id": KEY_ID,
        "algorithm": "Ed25519",
        "signature": base64.b64encode(signature).decode(),
    }
    pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    payload = {layout.event_path(seq): events[seq] for seq in included}
    payload[layout.chain_path(1, LAST)] = "".join(" ".join(f) + "\n" for f in lines).encode()
    payload[layout.checkpoint_path(LAST)] = record
    payload[layout.checkpoint_sig_path(LAST)] = signature
    payload[layout.checkpoint_envelope_path(LAST)] = canonical_json(envelope)
    index = PackageIndex(
        prozess_id="0",
        message="0_Aussonderung.Aussonderung.0503.xml",
        keys={KEY_ID: layout.relative_to_data(layout.key_path(KEY_ID))},
        documents=[],
        events=included,
        segments=[Segment(1, LAST, "records")],
        counts={},
    )
    path = tmp_path / "audit.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in bag_files(payload).items():
            zf.writestr(f"eakte-export-0/{name}", data)
    with zipfile.ZipFile(path) as zf:
        bag, findings = open_bag(zf, None)
        assert bag is not None and findings == []
        return check_audit(bag, index, {KEY_ID: pem.decode()})


def summary(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.code, f.subject) for f in findings}


def test_format_2_events_are_proven_through_left_out_events(tmp_path: Path) -> None:
    facts, findings = package(tmp_path, [4])
    assert findings == []
    assert facts.proven == {4} and facts.anchor == KEY_ID


def test_a_format_1_event_followed_by_format_2_lines_is_proven(tmp_path: Path) -> None:
    facts, findings = package(tmp_path, [3, 5])
    assert findings == [] and facts.proven == {3, 5}


def test_left_out_format_1_events_leave_earlier_events_unproven(tmp_path: Path) -> None:
    facts, findings = package(tmp_path, [1, 5])
    assert facts.proven == {5}
    (warning,) = findings
    assert warning.code == "audit-event-unproven" and "(events 1)" in warning.message


def edit_event(seq: int, following_lines: bool) -> Callable[[dict[int, bytes], Lines], None]:
    """Event ``seq`` (format 2) gets another title, its line the new digest and hash;
    ``following_lines``: every later line is rewritten to follow, as an attacker would."""

    def change(events: dict[int, bytes], lines: Lines) -> None:
        events[seq] = event_content(**fields(seq, "Etwas anderes"))
        line = lines[seq - 1]
        line[3] = sha256_hex(events[seq])
        line[4] = link_hash(line[2], line[3])
        for before, after in zip(lines[seq - 1 :], lines[seq:], strict=False):
            if following_lines:
                after[2] = before[4]
                after[4] = link_hash(after[2], after[3])

    return change


def test_an_edited_event_with_all_following_lines_contradicts_the_checkpoint(
    tmp_path: Path,
) -> None:
    facts, findings = package(tmp_path, [4], edit_event(4, following_lines=True))
    assert ("audit-checkpoint-contradicted", f"audit event {LAST}") in summary(findings)
    assert ("anchor-missing", f"checkpoint at event {LAST}") in summary(findings)
    assert facts.proven == set()


def test_an_edited_event_with_its_own_line_breaks_the_chain(tmp_path: Path) -> None:
    facts, findings = package(tmp_path, [4], edit_event(4, following_lines=False))
    assert summary(findings) == {("audit-chain-broken", "audit event 5")} | {
        ("audit-event-unproven", "audit events")
    }
    assert facts.proven == set()


def test_an_edited_event_file_alone_is_altered(tmp_path: Path) -> None:
    def change(events: dict[int, bytes], lines: Lines) -> None:
        events[5] = events[5].replace(b"Antrag", b"Absage")

    _, findings = package(tmp_path, [5], change)
    assert summary(findings) == {("audit-event-altered", "audit event 5")}


def test_a_left_out_line_whose_hash_does_not_follow(tmp_path: Path) -> None:
    """The digest of a left-out event changed: its hash no longer follows from its line."""

    def change(events: dict[int, bytes], lines: Lines) -> None:
        lines[4][3] = hashlib.sha256(b"other").hexdigest()

    facts, findings = package(tmp_path, [4], change)
    assert summary(findings) == {("audit-chain-broken", "audit event 5")} | {
        ("audit-event-unproven", "audit events")
    }
    assert facts.proven == set()


def test_a_format_1_line_after_a_format_2_line_is_an_error(tmp_path: Path) -> None:
    def change(events: dict[int, bytes], lines: Lines) -> None:
        lines[4][1], lines[4][3] = "1", "-"

    _, findings = package(tmp_path, [6], change)
    (finding,) = findings
    assert (finding.code, finding.subject) == ("audit-chain-broken", "audit event 5")
    assert "format 1" in finding.message and "event 4" in finding.message


def test_an_edit_behind_lines_downgraded_to_format_1_leaves_a_warning(tmp_path: Path) -> None:
    """The limit: nothing signed says where format 2 began, so an attacker may claim the
    lines from the edited event up to the last one the checkpoint fixes as format 1 (whose
    left-out hashes cannot be recomputed). The edited event is then reported unproven."""

    def change(events: dict[int, bytes], lines: Lines) -> None:
        line = lines[3]
        events[4] = canonical_json({**fields(4, "Etwas anderes"), "prev_hash": line[2]})
        line[1], line[3], line[4] = "1", "-", sha256_hex(events[4])
        lines[4][1], lines[4][2], lines[4][3] = "1", line[4], "-"

    facts, findings = package(tmp_path, [4, 6], change)
    assert summary(findings) == {("audit-event-unproven", "audit events")}
    assert "(events 4)" in findings[0].message
    assert facts.proven == {6}


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda line: line[:4], "4 field(s)"),
        (lambda line: [line[0], "3", *line[2:]], "hash format '3'"),
        (lambda line: [line[0], "2", line[2], "-", line[4]], "digest '-'"),
        (lambda line: [line[0], "1", line[2], line[3], line[4]], "'-' as its digest"),
        (lambda line: [line[0], line[1], line[2].upper(), line[3], line[4]], "prev_hash"),
    ],
)
def test_a_malformed_line_is_named(
    tmp_path: Path, edit: Callable[[list[str]], list[str]], said: str
) -> None:
    def change(events: dict[int, bytes], lines: Lines) -> None:
        lines[4] = edit(lines[4])

    _, findings = package(tmp_path, [4], change)
    malformed = [f for f in findings if f.code == "audit-chain-malformed"]
    assert [f.subject for f in malformed] == [f"{layout.chain_path(1, LAST)} line 5"]
    assert said in malformed[0].message and "<seq> <format>" in malformed[0].message


def test_event_files_hold_what_each_format_hashes() -> None:
    events, lines = chain()
    for seq, fields_of_line in enumerate(lines, start=1):
        if FORMATS[seq] == 1:
            assert sha256_hex(events[seq]) == fields_of_line[4]
            assert json.loads(events[seq])["prev_hash"] == fields_of_line[2]
        else:
            assert sha256_hex(events[seq]) == fields_of_line[3]
            assert "prev_hash" not in json.loads(events[seq])
