"""OCR worker processes, kept running between documents.

Each job runs in a child process (``eakte.ocr._worker``) that imported OCRmyPDF
once: a crash or a hang costs that process, never the caller, and a job past
its time limit is killed with its tesseract children. Workers are reused, so
the ~1 s of CPU that starting Python and importing OCRmyPDF costs is paid once
per worker, not once per document. One worker per concurrent caller; idle
workers wait for the next job and exit when their parent does (end of stdin).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any

from eakte.exceptions import ExtractionError

from ._probe import tesseract_env

log = logging.getLogger(__name__)

WORKER_COMMAND = (sys.executable, "-P", "-m", "eakte.ocr._worker")
#: A worker is replaced after this many jobs, so that memory it gathers is given back.
JOBS_PER_WORKER = 100


class WorkerLost(Exception):
    """The worker process ended or stopped answering; ``detail`` says which."""


class _Worker:
    def __init__(self, command: Sequence[str]) -> None:
        try:
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=tesseract_env(),
                start_new_session=True,  # its own process group: killed with its tesseracts
            )
        except OSError as e:
            raise ExtractionError(f"The OCR worker process could not be started: {e}.") from e
        self._buffer = b""
        self.jobs = 0

    def alive(self) -> bool:
        return self._proc.poll() is None

    def send(self, message: dict[str, Any]) -> None:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps(message).encode() + b"\n")
            self._proc.stdin.flush()
        except OSError as e:
            raise WorkerLost(f"it ended before taking the job ({e})") from e

    def receive(self, deadline: float) -> dict[str, Any]:
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    code = self._proc.wait()
                    raise WorkerLost(f"it ended unexpectedly with exit code {code}")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def kill(self) -> None:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        self._proc.wait()
        self._close_pipes()

    def close(self) -> None:
        """Ask the worker to finish (end of input); kill it if it does not."""
        with suppress(OSError):
            assert self._proc.stdin is not None
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self._proc.stdin, self._proc.stdout):
            with suppress(OSError):
                if pipe is not None:
                    pipe.close()


class WorkerPool:
    """Idle workers, handed out one per job; safe to use from several threads."""

    def __init__(self, command: Sequence[str] = WORKER_COMMAND) -> None:
        self._command = tuple(command)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def _take(self) -> _Worker:
        with self._lock:
            if self._pid != os.getpid():  # forked: the idle workers belong to the parent
                self._idle, self._pid = [], os.getpid()
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.kill()  # died while idle (out of memory, say): reap it
        return _Worker(self._command)

    def _give_back(self, worker: _Worker) -> None:
        worker.jobs += 1
        if worker.jobs >= JOBS_PER_WORKER:
            worker.close()
            return
        with self._lock:
            self._idle.append(worker)

    def run(
        self, request: dict[str, Any], time_limit: Callable[[int | None], float]
    ) -> dict[str, Any]:
        """Run ``request`` in a worker and return its reply.

        ``time_limit(None)`` bounds checking the input; once the worker reports
        the page count n, ``time_limit(n)`` bounds the OCR. Past a limit the
        worker is killed and :class:`TimeoutError` raised; a worker that dies
        raises :class:`WorkerLost`.
        """
        worker = self._take()
        try:
            worker.send(request)
            deadline = time.monotonic() + time_limit(None)
            while True:
                reply = worker.receive(deadline)
                if reply.get("event") == "pages":
                    deadline = time.monotonic() + time_limit(int(reply["pages"]))
                    continue
                break
        except BaseException:
            worker.kill()
            raise
        self._give_back(worker)
        return reply

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


#: The workers of this process (a resource like a connection pool; closed at exit).
POOL = WorkerPool()
atexit.register(POOL.close)
