"""Which file events wake the inbox service: the inbox proper, not its hidden areas."""

from __future__ import annotations

import threading
from pathlib import Path

from watchdog.events import FileClosedEvent, FileCreatedEvent, FileMovedEvent

from eakte.ingest._service import WAKING_EVENTS, _Nudge


def nudge(tmp_path: Path) -> tuple[_Nudge, threading.Event]:
    woken = threading.Event()
    areas = (tmp_path / ".processing", tmp_path / ".failed")
    return _Nudge(woken, areas), woken


def test_a_file_arriving_in_the_inbox_wakes_the_service(tmp_path: Path) -> None:
    handler, woken = nudge(tmp_path)
    handler.dispatch(FileClosedEvent(str(tmp_path / "32" / "scan.pdf")))
    assert woken.is_set()


def test_work_in_the_hidden_areas_does_not(tmp_path: Path) -> None:
    handler, woken = nudge(tmp_path)
    for event in (
        FileCreatedEvent(str(tmp_path / ".processing" / "job" / "state.json")),
        FileMovedEvent(str(tmp_path / ".processing" / "a"), str(tmp_path / ".failed" / "a")),
        FileClosedEvent(str(tmp_path / ".failed" / "32" / "scan.pdf.error.txt")),
    ):
        handler.dispatch(event)
    assert not woken.is_set()
    # a folder whose name merely starts like an area's is the inbox proper
    handler.dispatch(FileCreatedEvent(str(tmp_path / ".processing-old" / "scan.pdf")))
    assert woken.is_set()


def test_a_file_moved_back_into_the_inbox_wakes_the_service(tmp_path: Path) -> None:
    handler, woken = nudge(tmp_path)
    handler.dispatch(FileMovedEvent(str(tmp_path / ".failed" / "a.pdf"), str(tmp_path / "a.pdf")))
    assert woken.is_set()


def test_reads_and_single_writes_are_not_asked_for() -> None:
    names = {event.__name__ for event in WAKING_EVENTS}
    assert "FileOpenedEvent" not in names and "FileClosedNoWriteEvent" not in names
    assert "FileModifiedEvent" not in names
    assert {"FileCreatedEvent", "FileMovedEvent", "FileClosedEvent"} <= names
