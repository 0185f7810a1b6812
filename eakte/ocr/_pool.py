"""The OCR worker processes of this process (``eakte.ocr._worker``, see ``eakte._workerpool``).

Each imported OCRmyPDF once (~1 s of CPU); every tesseract they start gets
one OpenMP thread.
"""

from __future__ import annotations

import atexit
import sys

from eakte._workerpool import WorkerLost, WorkerPool

from ._probe import tesseract_env

__all__ = ["POOL", "WORKER_COMMAND", "WorkerLost"]

#: -P: a file in the working directory (say subprocess.py) cannot shadow a module.
WORKER_COMMAND = (sys.executable, "-P", "-m", "eakte.ocr._worker")
#: A resource like a connection pool, closed at exit.
POOL = WorkerPool(WORKER_COMMAND, env=tesseract_env, jobs_per_worker=100)
atexit.register(POOL.close)
