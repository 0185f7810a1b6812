"""Worker processes kept running between jobs: OCR (``eakte.ocr._worker``) and Tika
(``eakte.extract._tika_worker``).

Each job runs in a child process that loaded its heavy library once: a crash or
a hang costs that process, never the caller, and a job past its time limit is
killed with its children (tesseract). Workers are reused, so starting Python
and importing OCRmyPDF or Tika is paid once per worker, not once per document.
One worker per concurrent caller; idle workers wait for the next job and exit
when their parent does (end of stdin, or the parent watch below).

The protocol is one JSON object per line each way. The worker side is
:func:`serve`; a worker may send ``{"event": "pages", "pages": n}`` before its
reply, and the caller then sets the job's time limit from n.
"""

from __future__ import annotations

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

log = logging.getLogger(__name__)

Environment = Callable[[], dict[str, str]]


class WorkerLost(Exception):
    """The worker process ended or stopped answering; ``detail`` says which."""


class _Worker:
    def __init__(self, command: Sequence[str], env: dict[str, str]) -> None:
        try:
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                start_new_session=True,  # its own process group: killed with its tesseracts
            )
        except OSError as e:
            raise ExtractionError(
                f"The worker process {command[-1]} could not be started: {e}."
            ) from e
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
            raise WorkerLost(f"ended before taking the job ({e})") from e

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
                    raise WorkerLost(f"ended unexpectedly with exit code {code}")
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
    """Idle workers, handed out one per job; safe to use from several threads.

    ``env`` gives each new worker's environment; a worker is replaced after
    ``jobs_per_worker`` jobs, so that memory it gathered is given back.
    """

    def __init__(
        self,
        command: Sequence[str],
        env: Environment = lambda: dict(os.environ),
        jobs_per_worker: int = 100,
    ) -> None:
        self._command = tuple(command)
        self._env = env
        self.jobs_per_worker = jobs_per_worker
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
        return _Worker(self._command, self._env())

    def _give_back(self, worker: _Worker) -> None:
        worker.jobs += 1
        if worker.jobs >= self.jobs_per_worker:
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



# -- the worker side ---------------------------------------------------------------

Handler = Callable[[dict[str, Any], Callable[[dict[str, Any]], None]], dict[str, Any]]


def watch_parent(parent: int, interval: float = 1.0) -> None:
    """End this worker and its children (its process group) when the parent is gone.

    A parent killed with SIGKILL cannot stop us; without this, a running job would
    go on writing into a folder that the restarted pipeline may be using again.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def serve(handle: Handler) -> None:
    """The worker's main loop: one request per line on stdin, ``handle(request, send)``
    answers it (``send`` passes events before the reply). The protocol gets a private
    copy of stdout; whatever a library prints goes to stderr."""
    watch_parent(os.getppid())
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def send(message: dict[str, Any]) -> None:
        channel.write(json.dumps(message) + "\n")
        channel.flush()

    for line in sys.stdin:
        send(handle(json.loads(line), send))
