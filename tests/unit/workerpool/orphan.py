"""Helper for test_worker: ``python orphan.py`` starts a process that watches its
parent (this script) like the OCR and Tika workers do, prints its pid, and waits."""

from __future__ import annotations

import subprocess
import sys
import time

CHILD = """
import os, subprocess, sys, time
from eakte._workerpool import watch_parent
watch_parent(os.getppid(), interval=0.1)
grandchild = subprocess.Popen(["sleep", "3600"])  # like a running tesseract
print(os.getpid(), grandchild.pid, flush=True)
time.sleep(3600)
"""

if __name__ == "__main__":
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert child.stdout is not None
    print(child.stdout.readline().strip(), flush=True)
    time.sleep(3600)
