"""The worker process ends, with its children, when its parent is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.unit.workerpool.test_pool import gone

ORPHAN = Path(__file__).with_name("orphan.py")


def test_worker_ends_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, str(ORPHAN)], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    worker, grandchild = (int(pid) for pid in parent.stdout.readline().split())
    assert not gone(worker)
    os.kill(parent.pid, signal.SIGKILL)  # as kill -9 of the ingest process would
    parent.wait()
    deadline = time.monotonic() + 10
    while not (gone(worker) and gone(grandchild)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(worker) and gone(grandchild)
