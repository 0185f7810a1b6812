"""Killing the watcher (kill -9, whole process group) at several stages and
restarting it completes the work: nothing lost, nothing stored twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eakte import records as svc
from eakte.config import Settings
from eakte.models import DocumentVersion, IngestItem
from eakte.records import Records
from eakte.storage import ObjectKind
from tests.conftest import TEST_PASSPHRASE

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]


class Watcher:
    def __init__(self, settings: Settings) -> None:
        self.env = {
            **os.environ,
            "EAKTE_DATA_DIR": str(settings.data_dir),
            "EAKTE_DATABASE_URL": settings.resolved_database_url,
            "EAKTE_KEY_PASSPHRASE": TEST_PASSPHRASE,
            "EAKTE_INBOX_DIR": str(settings.inbox_dir),
            "EAKTE_INBOX_SETTLE_SECONDS": "0.2",
            "EAKTE_INBOX_RESCAN_SECONDS": "1",
            "EAKTE_INGEST_WORKERS": "1",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "eakte", "watch"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)  # the service and its workers
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def watcher(installation: Records) -> Iterator[Watcher]:
    runner = Watcher(installation.settings)
    yield runner
    runner.stop()


def wait_for(
    condition: Callable[[], bool], timeout: float = 90.0, why: Callable[[], str] = str
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting: {why()}")
        time.sleep(0.01)


def drop(settings: Settings, name: str, text: str) -> None:
    folder = settings.inbox_dir / "32"
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.part"
    partial.write_text(text, encoding="utf-8")
    partial.rename(folder / name)


def items(records: Records) -> int:
    with records.reading() as session:
        return session.scalar(select(func.count()).select_from(IngestItem)) or 0


def test_kill_at_several_stages_then_restart(installation: Records, watcher: Watcher) -> None:
    settings = installation.settings
    store = installation.store
    texts = {
        f"brief-{n}.txt": f"Aktenvermerk {n}\nMusterstadt, 0{n}.12.2024\n" for n in range(1, 5)
    }
    names = iter(texts)
    processing = settings.resolved_processing_dir

    # 1: killed right after claiming (the file is in the processing area)
    watcher.start()
    name = next(names)
    drop(settings, name, texts[name])
    wait_for(lambda: any(processing.glob("*/payload")))
    watcher.kill()

    # 2: killed after the content was stored, before (or around) the commit
    contents = len(list(store.iter_objects(ObjectKind.CONTENT)))
    watcher.start()
    name = next(names)
    drop(settings, name, texts[name])
    wait_for(lambda: len(list(store.iter_objects(ObjectKind.CONTENT))) > contents + 1)
    watcher.kill()

    # 3: killed right after a commit, before the job folder is cleaned up
    before = items(installation)
    watcher.start()
    name = next(names)
    drop(settings, name, texts[name])
    wait_for(lambda: items(installation) > before)
    watcher.kill()

    # restart and let it finish, with one more file arriving meanwhile
    watcher.start()
    name = next(names)
    drop(settings, name, texts[name])
    wait_for(
        lambda: items(installation) >= len(texts) and not any(processing.iterdir()),
        why=lambda: f"{items(installation)} items, left: {sorted(processing.rglob('*'))}",
    )
    watcher.stop()

    with installation.reading() as session:
        statuses = session.scalars(select(IngestItem.status)).all()
        stored = session.scalars(select(DocumentVersion.content_sha256)).all()
    assert sorted(statuses) == ["stored"] * len(texts)
    assert len(stored) == len(set(stored)) == len(texts)
    assert list(settings.inbox_dir.rglob("*.txt")) == []
    report = svc.verify_store(installation)
    assert report.ok, report.findings
