"""The OCR worker process: ``python -P -m eakte.ocr._worker``.

Reads one JSON request per line on stdin, runs it, and answers with JSON lines
on its original stdout: first ``{"event": "pages", "pages": n}`` once the input
is checked (the parent sets its time limit from it), then the final reply.
One job at a time, so the settings OCRmyPDF keeps per process (Pillow's pixel
limit, the temporary folder, log handlers) belong to that job alone.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from eakte.exceptions import InputRejected

_MAX_WARNINGS = 50


class _Warnings(logging.Handler):
    """Collects OCRmyPDF's (and tesseract's) warnings of one job for the reply."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < _MAX_WARNINGS:
            self.messages.append(f"{record.name}: {record.getMessage()}")


def _prepare(request: dict[str, Any]) -> tuple[Path, int]:
    """The PDF to OCR and its page count; images are converted first."""
    from PIL import Image

    from eakte.ocr._images import image_to_pdf
    from eakte.ocr._pdf import inspect_pdf

    source = Path(request["source"])
    if request["kind"] == "image":
        # inspect_image checks every frame against the limit before decoding it;
        # Pillow's own check (whole file, at open) would pre-empt it with a vaguer message.
        # OCRmyPDF sets Pillow's limit again (max_image_mpixels) for its own stages.
        Image.MAX_IMAGE_PIXELS = None
        converted = Path(request["workdir"]) / "image.pdf"
        return converted, image_to_pdf(source, converted, request["max_image_pixels"])
    return source, inspect_pdf(source)


def run(request: dict[str, Any], send: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Run one job; ``send`` passes the page count back before OCR starts."""
    import ocrmypdf
    from ocrmypdf.exceptions import ExitCodeException

    warnings = _Warnings()
    logging.getLogger().addHandler(warnings)
    tempfile.tempdir = request["workdir"]  # OCRmyPDF's scratch files stay in the job's folder
    try:
        pdf, pages = _prepare(request)
        send({"event": "pages", "pages": pages})
        ocrmypdf.ocr(pdf, request["output"], sidecar=request["sidecar"], **request["options"])
        return {"status": "ok", "pages": pages, "warnings": warnings.messages}
    except InputRejected as e:
        return {"status": "rejected", "code": e.code, "message": e.message, "de": e.message_de}
    except ExitCodeException as e:
        message = str(e) or getattr(e, "message", "") or type(e).__name__
        return {
            "status": "failed",
            "exit_code": int(e.exit_code),
            "error": type(e).__name__,
            "message": message.strip(),
            "warnings": warnings.messages,
        }
    except Exception as e:  # reported to the parent, which raises ExtractionError
        return {
            "status": "failed",
            "exit_code": None,
            "error": type(e).__name__,
            "message": str(e),
            "warnings": warnings.messages,
        }
    finally:
        tempfile.tempdir = None
        logging.getLogger().removeHandler(warnings)


def _send(channel: IO[str], message: dict[str, Any]) -> None:
    channel.write(json.dumps(message) + "\n")
    channel.flush()


def watch_parent(parent: int, interval: float = 1.0) -> None:
    """End this worker and its tesseracts (its process group) when the parent is gone.

    A parent killed with SIGKILL cannot stop us; without this, a running job would
    go on writing into a folder that the restarted pipeline may be using again.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def main() -> None:
    watch_parent(os.getppid())
    os.environ["OMP_THREAD_LIMIT"] = "1"  # before anything can start tesseract
    # The protocol gets a private copy of stdout; whatever a library prints goes to stderr.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    # Warnings travel in the reply (the parent logs them with the file's name), not to stderr.
    logging.getLogger().setLevel(logging.WARNING)
    import ocrmypdf  # noqa: F401  (imported once, before the first job)

    for line in sys.stdin:
        request = json.loads(line)
        _send(channel, run(request, lambda message: _send(channel, message)))


if __name__ == "__main__":
    main()
