"""The scale-out path: jobs through a real Redis to a real `eakte worker` process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from eakte import records as svc
from eakte.ingest import Inbox
from eakte.ingest._celery import CeleryExecutor
from eakte.records import SYSTEM, Records
from tests.conftest import TEST_PASSPHRASE
from tests.integration.ingest.conftest import FIXTURES
from tests.services.redis import RedisServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def worker(installation: Records, redis_server: RedisServer) -> Iterator[dict[str, str]]:
    settings = installation.settings
    env = {
        **os.environ,
        "EAKTE_DATA_DIR": str(settings.data_dir),
        "EAKTE_DATABASE_URL": settings.resolved_database_url,
        "EAKTE_KEY_PASSPHRASE": TEST_PASSPHRASE,
        "EAKTE_INBOX_DIR": str(settings.inbox_dir),
        "EAKTE_BROKER_URL": redis_server.url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "eakte", "worker", "--concurrency", "2"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield env
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_jobs_run_on_celery_workers(
    installation: Records, worker: dict[str, str], redis_server: RedisServer
) -> None:
    settings = installation.settings.model_copy(update={"broker_url": redis_server.url})
    inbox = Inbox(settings)
    folder = settings.inbox_dir / "70"
    folder.mkdir(parents=True)
    for name in ("letter.docx", "note.txt", "zero.bin"):
        shutil.copy(FIXTURES / name, folder / name)
    executor = CeleryExecutor(settings)
    futures = {}
    for path in sorted(inbox.candidates()):
        job = inbox.claim(path)
        assert job is not None
        futures[path.name] = executor.submit(job)
    results = {name: future.result(timeout=120) for name, future in futures.items()}
    assert results["zero.bin"] is not None and results["zero.bin"].outcome.code == "empty-file"
    assert (settings.resolved_failed_dir / "70" / "zero.bin").exists()
    for name in ("letter.docx", "note.txt"):
        result = results[name]
        assert result is not None and result.outcome.status == "stored"
        report = svc.document_report(installation, SYSTEM, str(result.outcome.document_id))
        assert report["orgunit"] == "70"
    assert not any(settings.resolved_processing_dir.iterdir())
