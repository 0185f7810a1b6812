"""Tika in worker processes: their environment, and a worker that hangs or dies."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eakte._workerpool import WorkerPool
from eakte.exceptions import ExtractionError
from eakte.extract import _tika, extract_text

FAKE = Path(__file__).parents[1] / "workerpool" / "fake_worker.py"


def test_the_workers_path_has_no_tesseract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tika probes for tesseract on every file, OCR off or not (two thirds of its time)."""
    with_tesseract, without = tmp_path / "with", tmp_path / "without"
    for folder in (with_tesseract, without):
        folder.mkdir()
    (with_tesseract / "tesseract").write_text("#!/bin/sh\n")
    (without / "pdftotext").write_text("#!/bin/sh\n")
    monkeypatch.setenv("PATH", os.pathsep.join([str(with_tesseract), str(without)]))
    env = _tika.worker_env()
    assert env["PATH"] == str(without)
    assert shutil.which("tesseract", path=env["PATH"]) is None
    monkeypatch.setenv("PATH", str(with_tesseract))
    assert shutil.which("tesseract", path=_tika.worker_env()["PATH"]) is None


def test_the_rest_of_the_environment_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EAKTE_SOMETHING", "kept")
    assert _tika.worker_env()["EAKTE_SOMETHING"] == "kept"


@pytest.fixture
def fake_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[WorkerPool]]:
    pools: list[WorkerPool] = []

    def install(mode: str) -> None:
        pool = WorkerPool((sys.executable, str(FAKE), mode))
        pools.append(pool)
        monkeypatch.setattr(_tika, "POOL", pool)

    yield install  # type: ignore[misc]
    for pool in pools:
        pool.close()


def test_a_hanging_tika_is_stopped(fake_pool: Any, tmp_path: Path) -> None:
    fake_pool("hang")
    path = tmp_path / "brief.docx"
    path.write_bytes(b"PK")
    with pytest.raises(ExtractionError, match=r"did not finish reading brief.docx in 0.5 s"):
        extract_text(path, timeout=0.5)


def test_a_crashing_tika_is_a_retryable_error(fake_pool: Any, tmp_path: Path) -> None:
    fake_pool("crash")
    path = tmp_path / "brief.docx"
    path.write_bytes(b"PK")
    with pytest.raises(ExtractionError, match="worker process ended unexpectedly"):
        extract_text(path)


@pytest.mark.integration
def test_extraction_runs_in_a_worker_process(tmp_path: Path) -> None:
    path = tmp_path / "notiz.txt"
    path.write_text("Antrag auf Sondernutzung", encoding="utf-8")
    assert extract_text(path).text == "Antrag auf Sondernutzung"
    worker = _tika.POOL._idle[-1]  # waiting for the next file
    environ = Path(f"/proc/{worker._proc.pid}/environ").read_bytes().split(b"\0")
    path_value = next(v for v in environ if v.startswith(b"PATH=")).decode()[5:]
    assert shutil.which("tesseract", path=path_value) is None
