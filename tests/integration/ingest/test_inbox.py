"""The inbox on disk: complete files only, one claimant, sidecars, failed area."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from eakte.config import Settings
from eakte.ingest import Inbox


def test_a_growing_file_is_not_taken_until_it_settles(ingest_settings: Settings) -> None:
    inbox = Inbox(ingest_settings)
    inbox.ensure()
    path = ingest_settings.inbox_dir / "scan.pdf"
    with path.open("wb") as stream:
        for _ in range(5):  # a scanner writing page by page
            stream.write(b"%PDF-1.7 page\n")
            stream.flush()
            assert not inbox.is_complete(path)
            time.sleep(0.1)
    deadline = time.monotonic() + 5
    while not inbox.is_complete(path):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert list(inbox.candidates()) == [path]


def test_a_sidecar_written_last_marks_the_file_complete(ingest_settings: Settings) -> None:
    inbox = Inbox(ingest_settings)
    inbox.ensure()
    path = ingest_settings.inbox_dir / "32" / "scan.png"
    path.parent.mkdir()
    path.write_bytes(b"\x89PNG")
    assert not inbox.is_complete(path)
    (path.parent / "scan.png.json").write_text("{}")
    assert inbox.is_complete(path)
    assert list(inbox.candidates()) == [path]  # the sidecar itself is no candidate
    job = inbox.claim(path)
    assert job is not None and job.orgunit == "32" and job.sidecar is not None
    assert not (path.parent / "scan.png.json").exists()


def test_hidden_and_temporary_files_are_ignored(ingest_settings: Settings) -> None:
    inbox = Inbox(ingest_settings)
    inbox.ensure()
    for name in (".scan.pdf.part", "scan.pdf.tmp", "~$brief.docx", "scan.crdownload"):
        (ingest_settings.inbox_dir / name).write_bytes(b"x")
    (ingest_settings.inbox_dir / "README.md").write_text("how scan stations use the inbox")
    assert list(inbox.candidates()) == []
    (ingest_settings.inbox_dir / "32").mkdir()
    (ingest_settings.inbox_dir / "32" / "README.md").write_text("a delivered document")
    assert list(inbox.candidates()) == [ingest_settings.inbox_dir / "32" / "README.md"]


def test_two_claimants_never_take_the_same_file(ingest_settings: Settings) -> None:
    inbox_a, inbox_b = Inbox(ingest_settings), Inbox(ingest_settings)
    inbox_a.ensure()
    files = []
    for n in range(50):
        path = ingest_settings.inbox_dir / f"scan-{n}.pdf"
        path.write_bytes(b"%PDF")
        files.append(path)
    taken: list[list[str]] = [[], []]
    start = threading.Barrier(2)

    def claim_all(inbox: Inbox, into: list[str]) -> None:
        start.wait()
        for path in files:
            job = inbox.claim(path)
            if job is not None:
                into.append(job.name)

    threads = [
        threading.Thread(target=claim_all, args=(inbox, into))
        for inbox, into in zip((inbox_a, inbox_b), taken, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken[0] + taken[1]) == sorted(p.name for p in files)
    assert not set(taken[0]) & set(taken[1])
    assert len(list(inbox_a.pending_jobs())) == 50


def test_an_orphan_sidecar_is_kept_in_the_failed_area(ingest_settings: Settings) -> None:
    inbox = Inbox(ingest_settings)
    inbox.ensure()
    orphan = ingest_settings.inbox_dir / "lost.pdf.json"
    orphan.write_text('{"operator": "scan01"}')
    old = time.time() - 3600
    os.utime(orphan, (old, old))
    for sidecar in list(inbox.orphan_sidecars()):
        inbox.fail_orphan(sidecar)
    kept = ingest_settings.resolved_failed_dir / "lost.pdf.json"
    assert kept.exists()
    assert "orphan-sidecar" in Path(str(kept) + ".error.txt").read_text(encoding="utf-8")
