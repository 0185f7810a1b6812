"""Hostile and odd file names through the real watcher and its worker processes:
nothing lost, nothing written outside the inbox and data folders, and every
stored or shown name free of control and bidi characters."""

from __future__ import annotations

import os
import threading
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from eakte import records as svc
from eakte.config import Settings
from eakte.ingest import InboxService
from eakte.models import IngestItem
from eakte.records import SYSTEM, Records
from tests.integration.ingest.conftest import FIXTURES

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    # watchdog's inotify thread warns when a new folder's watch races with its event
    pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning"),
]

# name on disk (str, or bytes that are not UTF-8) → the name stored and shown
STORED: list[tuple[str | bytes, str]] = [
    ("rechnung\u202efdp.exe.txt", "rechnungfdp.exe.txt"),  # shows as "rechnungtxt.exe.pdf"
    ("Mu\u0308ller.txt", "Müller.txt"),  # NFD, as macOS writes it
    ("zeile1\nzeile2.txt", "zeile1 zeile2.txt"),
    ("tab\tulator.txt", "tab ulator.txt"),
    ("-rf --help.txt", "-rf --help.txt"),
    (" . Leerzeichen vorn.txt", "Leerzeichen vorn.txt"),
    ("CON.txt", "CON.txt"),
    ("nul.txt", "nul.txt"),
    ('frage<>:"|?*.txt', 'frage<>:"|?*.txt'),
    ("x" * 246 + ".txt", "x" * 196 + ".txt"),  # 250 characters; at most 200 are kept
    (b"caf\xe9 \x80.txt", "café €.txt"),  # Windows-1252 bytes from an old scan station
    ("\u200bun\u00adsicht\ufeffbar.txt", "unsichtbar.txt"),
]
# empty files (refused) → the name shown, the name in the failed area (valid on
# Windows shares too, and short enough for " (2)" and ".error.txt")
REFUSED: list[tuple[str | bytes, str, str]] = [
    ("aux\u202e.txt", "aux.txt", "_aux.txt"),
    ("leer <?>\n.txt", "leer <?> .txt", "leer ___ .txt"),
    (b"leer\xe9\x81.txt", "leeré\ufffd.txt", "leeré\ufffd.txt"),
    ("ä" * 123 + ".txt", "ä" * 123 + ".txt", "ä" * 98 + ".txt"),  # 250 bytes on disk
]
# hidden names are never taken (a copy tool may still be writing them): left alone
HIDDEN = [".txt", "..punkte.txt"]


def write(folder: Path, name: str | bytes, data: bytes) -> None:
    path = os.fsencode(folder) + b"/" + (name if isinstance(name, bytes) else os.fsencode(name))
    with open(path, "wb") as stream:  # noqa: PTH123  (a bytes path: not every name is text)
        stream.write(data)


def invisible(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Cs")]


@pytest.fixture
def watcher(installation: Records) -> Iterator[Settings]:
    settings = installation.settings.model_copy(
        update={"inbox_settle_seconds": 0, "inbox_rescan_seconds": 0.5}
    )
    for orgunit in ("32", "33"):
        (settings.inbox_dir / orgunit).mkdir(parents=True)
    service = InboxService(settings)  # real worker processes
    thread = threading.Thread(target=service.run, daemon=True)
    thread.start()
    yield settings
    service.stop()
    thread.join(timeout=60)


def items(records: Records) -> list[IngestItem]:
    with records.reading() as session:
        return list(session.scalars(select(IngestItem)))


def test_odd_names_are_stored_or_kept_under_safe_names(
    installation: Records, watcher: Settings, tmp_path: Path
) -> None:
    settings = watcher
    note = (FIXTURES / "note.txt").read_bytes()
    for number, (name, _) in enumerate(STORED):
        write(settings.inbox_dir / "32", name, note + f"\nLfd. Nr. {number}\n".encode())
    for name, _, _ in REFUSED:
        write(settings.inbox_dir / "33", name, b"")
    for name in HIDDEN:
        write(settings.inbox_dir / "32", name, note + name.encode())

    deadline = time.monotonic() + 180
    while len(items(installation)) < len(STORED) + len(REFUSED) or any(
        settings.resolved_processing_dir.iterdir()
    ):
        assert time.monotonic() < deadline, [i.source_name for i in items(installation)]
        time.sleep(0.1)

    found = {item.source_name: item for item in items(installation)}
    assert len(found) == len(STORED) + len(REFUSED)
    for number, (_, shown) in enumerate(STORED):
        assert found[shown].status == "stored", (shown, found[shown].reason)
        report = svc.document_report(installation, SYSTEM, str(found[shown].document_id))
        assert report["versions"][0]["filename"] == shown
        assert f"Lfd. Nr. {number}" in report["text"]
    failed = settings.resolved_failed_dir / "33"
    for _, shown, kept in REFUSED:
        assert found[shown].status == "failed" and found[shown].reason_code == "empty-file"
        assert (failed / kept).read_bytes() == b""
        report = (failed / f"{kept}.error.txt").read_text(encoding="utf-8")
        assert f"Datei: {shown}\n" in report and f"File: {shown}\n" in report
        assert "Grund (empty-file)" in report and "Reason (empty-file)" in report
    assert sorted(p.name for p in settings.resolved_failed_dir.rglob("*") if p.is_file()) == (
        sorted([kept for _, _, kept in REFUSED] + [f"{kept}.error.txt" for _, _, kept in REFUSED])
    )
    for name in HIDDEN:  # still there, untouched
        assert (settings.inbox_dir / "32" / name).read_bytes() == note + name.encode()
    areas = (settings.resolved_failed_dir, settings.resolved_processing_dir)
    left = [
        p for p in settings.inbox_dir.rglob("*") if p.is_file() and not set(p.parents) & set(areas)
    ]
    assert sorted(p.name for p in left) == sorted(HIDDEN)

    for shown in [*found, *(p.name for p in settings.resolved_failed_dir.rglob("*"))]:
        assert not invisible(shown), (shown, invisible(shown))
        assert "/" not in shown and "\\" not in shown
    outside = [
        p
        for p in tmp_path.iterdir()
        if p.name not in ("inbox", "var") and not p.name.startswith("eakte.sqlite3")
    ]
    assert outside == []
