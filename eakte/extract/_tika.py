"""Apache Tika in-process through iscc-tika (Tika compiled to native code).

Shaped like OCRmyPDF's ``_exec`` modules: :func:`_configured` builds the
extractor's settings in one place, :func:`run` runs one extraction and turns
failures into domain errors, :func:`version` is the probe.

Tika's own OCR stays off: scanned pages are OCRed once, by ``eakte.ocr``.
Tika runs in worker processes (``eakte.extract._tika_worker``, kept running
between files, see ``eakte._workerpool``): a file that crashes or hangs it
costs that process and its time limit, never the ingest worker. iscc-tika
gains nothing from threads; several callers get several workers.

The workers' PATH has no tesseract: even with its OCR off, Tika runs
``tesseract`` about four times per file to see whether it is installed, which
was two thirds of the extraction time (measured: 90–104 ms per office file or
PDF with the probe, 35–51 ms without).
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from eakte._workerpool import WorkerLost, WorkerPool
from eakte.exceptions import ExtractionError

from ._tika_remote import run_remote, version_remote
from ._tikaresult import TikaResult, build_result, rejected

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 300.0
#: Longest text kept per file (the default of 500,000 characters cuts long PDFs short).
MAX_TEXT_CHARS = 50_000_000


def _configured() -> Any:
    from iscc_tika import (
        Extractor,
        OfficeParserConfig,
        PdfOcrStrategy,
        PdfParserConfig,
        TesseractOcrConfig,
    )

    # Each ``set_*`` returns a new extractor: chain them.
    return (
        Extractor()
        .set_extract_string_max_length(MAX_TEXT_CHARS)
        .set_ocr_config(TesseractOcrConfig().set_skip_ocr(True))
        .set_pdf_config(PdfParserConfig().set_ocr_strategy(PdfOcrStrategy.NO_OCR))
        # Letterheads and dates of Word letters often sit in the page header.
        .set_office_config(OfficeParserConfig().set_include_headers_and_footers(True))
    )


@functools.cache
def _extractor(pid: int) -> Any:
    """One extractor per process; the pid key keeps a forked child from reusing its parent's."""
    log.debug("starting iscc-tika in process %d", pid)
    try:
        return _configured()
    except ImportError as e:
        raise ExtractionError(
            "iscc-tika cannot be loaded, so born-digital files cannot be read. "
            f"Reinstall eakte with its dependencies (pip install iscc-tika). ({e})"
        ) from e


def extract_here(path: Path) -> dict[str, Any]:
    """One extraction in this process, as the worker's JSON reply."""
    try:
        extractor = _extractor(os.getpid())
    except ExtractionError as e:
        return {"status": "unavailable", "detail": e.message}
    try:
        text, raw = extractor.extract_file_to_string(str(path))
    except Exception as e:  # iscc-tika reports failures as TypeError("Kind(detail)")
        return {"status": "failed", "detail": str(e)}
    return {"status": "ok", "text": text, "metadata": raw}


def worker_env() -> dict[str, str]:
    """The Tika workers' environment: PATH without the folders that hold tesseract."""
    folders = os.environ.get("PATH", os.defpath).split(os.pathsep)
    kept = [f for f in folders if f and not (Path(f) / "tesseract").exists()]
    return {**os.environ, "PATH": os.pathsep.join(kept) or os.devnull}


#: -P: a file in the working directory cannot shadow a module.
WORKER_COMMAND = (sys.executable, "-P", "-m", "eakte.extract._tika_worker")
#: The Tika workers of this process (~200 MB each), closed at exit.
POOL = WorkerPool(WORKER_COMMAND, env=worker_env, jobs_per_worker=1000)
atexit.register(POOL.close)


def run(path: Path, timeout: float) -> TikaResult:
    """Text and metadata of ``path`` by Tika in a worker process."""
    try:
        reply = POOL.run({"path": str(path.resolve())}, lambda pages: timeout)
    except TimeoutError as e:
        raise ExtractionError(
            f"Apache Tika did not finish reading {path.name} in {timeout:g} s and was "
            "stopped. The machine may be overloaded or the file pathological: try again "
            "later, or raise the limit (setting EAKTE_TIKA_TIMEOUT)."
        ) from e
    except WorkerLost as e:
        raise ExtractionError(
            f"Apache Tika (iscc-tika) could not read {path.name}: its worker process {e}. "
            "The file is kept; try again, and check the log and free memory if it "
            "happens again."
        ) from e
    if reply["status"] == "unavailable":
        raise ExtractionError(str(reply["detail"]))
    if reply["status"] != "ok":
        detail = str(reply.get("detail", ""))
        if detail.startswith("ParseError"):
            raise rejected(path, detail)
        raise ExtractionError(
            f"Apache Tika (iscc-tika) could not read {path}: {detail}. This is not the "
            "file's fault: check that the file is readable and the machine has enough "
            "memory, then try again."
        )
    return build_result(path, reply["text"], reply["metadata"])


def version() -> str:
    try:
        return f"iscc-tika {metadata.version('iscc-tika')}"
    except metadata.PackageNotFoundError:
        return "iscc-tika not installed"


def extract_text(
    path: Path, *, tika_url: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> TikaResult:
    """Text and metadata of a born-digital file, by Tika in a worker process or at
    ``tika_url``; a file that takes longer than ``timeout`` seconds is given up.

    Raises :class:`~eakte.exceptions.InputRejected` when the file itself is bad
    (corrupt, empty, password-protected) and
    :class:`~eakte.exceptions.ExtractionError` when Tika is not working.
    """
    if tika_url:
        return run_remote(path, tika_url, timeout)
    return run(path, timeout)


def tika_version(*, tika_url: str | None = None) -> str:
    """Which Tika would do the work, e.g. ``iscc-tika 0.6.0`` or ``Apache Tika 2.9.2``."""
    return version_remote(tika_url) if tika_url else version()
