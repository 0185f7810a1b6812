"""The worker pool with a fake worker: reuse, crashes, hangs (no OCR or Tika involved)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from eakte._workerpool import WorkerLost, WorkerPool
from eakte.extract import _tika
from eakte.ocr import _pool

FAKE = Path(__file__).with_name("fake_worker.py")


MakePool = Callable[..., WorkerPool]


@pytest.fixture
def pool_of() -> Iterator[MakePool]:
    pools: list[WorkerPool] = []

    def make(mode: str, jobs_per_worker: int = 100) -> WorkerPool:
        pool = WorkerPool((sys.executable, str(FAKE), mode), jobs_per_worker=jobs_per_worker)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()


def generous(pages: int | None) -> float:
    return 30.0


def gone(pid: int) -> bool:
    """No such process, or only its zombie is left."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def test_a_worker_serves_one_job_after_another(pool_of: MakePool) -> None:
    pool = pool_of("ok")
    first = pool.run({"job": 1}, generous)
    second = pool.run({"job": 2}, generous)
    assert first["status"] == "ok" and first["echo"] == {"job": 1}
    assert first["pid"] == second["pid"]


def test_workers_are_replaced_after_many_jobs(pool_of: MakePool) -> None:
    pool = pool_of("ok", jobs_per_worker=2)
    pids = [pool.run({}, generous)["pid"] for _ in range(3)]
    assert pids[0] == pids[1] != pids[2]


def test_concurrent_callers_get_their_own_workers(pool_of: MakePool) -> None:
    from concurrent.futures import ThreadPoolExecutor

    pool = pool_of("ok")
    with ThreadPoolExecutor(4) as threads:
        replies = list(threads.map(lambda n: pool.run({"n": n}, generous), range(8)))
    assert [reply["echo"]["n"] for reply in replies] == list(range(8))


def test_the_time_limit_follows_the_page_count(pool_of: MakePool) -> None:
    asked: list[int | None] = []

    def limit(pages: int | None) -> float:
        asked.append(pages)
        return 30.0

    pool_of("ok").run({"pages": 7}, limit)
    assert asked == [None, 7]


def test_a_crashed_worker_is_reported_and_replaced(pool_of: MakePool) -> None:
    pool = pool_of("crash")
    with pytest.raises(WorkerLost, match="exit code 3"):
        pool.run({}, generous)
    with pytest.raises(WorkerLost):  # a fresh worker (which crashes again)
        pool.run({}, generous)


def test_a_hanging_worker_is_killed(pool_of: MakePool) -> None:
    pool = pool_of("hang")
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        pool.run({}, lambda pages: 0.5)
    assert time.monotonic() - started < 5
    assert not pool._idle


def test_a_stuck_ocr_is_killed_with_its_children(pool_of: MakePool, tmp_path: Path) -> None:
    pool = pool_of("slow-ocr")
    pidfile = tmp_path / "child.pid"
    with pytest.raises(TimeoutError):
        pool.run({"pidfile": str(pidfile)}, lambda pages: 10.0 if pages is None else 0.5)
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while not gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(child)
    assert not pool._idle


def test_the_environment_is_made_for_each_new_worker(pool_of: MakePool) -> None:
    calls: list[int] = []

    def env() -> dict[str, str]:
        calls.append(1)
        return {**os.environ, "EAKTE_FAKE_WORKER": str(len(calls))}

    pool = WorkerPool((sys.executable, str(FAKE), "env"), env=env, jobs_per_worker=1)
    try:
        assert pool.run({}, generous)["env"] == "1"
        assert pool.run({}, generous)["env"] == "2"
    finally:
        pool.close()


def test_the_real_worker_commands_are_safe_from_the_current_directory() -> None:
    """-P: a file in the working directory (say subprocess.py) cannot shadow a module."""
    assert _pool.WORKER_COMMAND[1:] == ("-P", "-m", "eakte.ocr._worker")
    assert _tika.WORKER_COMMAND[1:] == ("-P", "-m", "eakte.extract._tika_worker")
