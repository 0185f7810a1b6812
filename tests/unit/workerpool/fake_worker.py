"""A stand-in for a worker (``eakte.ocr._worker``) that misbehaves on request (fault injection).

    python fake_worker.py MODE

MODE: ``ok`` answers every job (with its pid); ``env`` also with its EAKTE_FAKE_WORKER;
``crash`` exits on the first job; ``hang`` never answers; ``slow-ocr`` reports the page
count, starts a child (its pid goes to the request's ``pidfile``), then never answers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path


def send(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(mode: str) -> None:
    for line in sys.stdin:
        request = json.loads(line)
        if mode == "crash":
            sys.exit(3)
        if mode == "hang":
            time.sleep(3600)
        send({"event": "pages", "pages": request.get("pages", 1)})
        if mode == "slow-ocr":  # like tesseract running in a child process
            child = subprocess.Popen(["sleep", "3600"])
            Path(request["pidfile"]).write_text(str(child.pid))
            time.sleep(3600)
        reply = {"status": "ok", "pid": os.getpid(), "echo": request}
        if mode == "env":
            reply["env"] = os.environ.get("EAKTE_FAKE_WORKER")
        send(reply)


if __name__ == "__main__":
    main(sys.argv[1])
