"""The Tika worker process: ``python -P -m eakte.extract._tika_worker``.

Reads one JSON request ``{"path": …}`` per line on stdin and answers each with
``{"status": "ok", "text": …, "metadata": {…}}`` or ``{"status": "failed",
"detail": …}`` (see ``eakte._workerpool``). The parent turns replies into
results and errors (``eakte.extract._tika.run``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from eakte._workerpool import serve
from eakte.exceptions import ExtractionError
from eakte.extract._tika import _extractor, extract_here


def handle(request: dict[str, Any], send: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    del send  # no events before the reply
    return extract_here(Path(request["path"]))


def main() -> None:
    with suppress(ExtractionError):  # if it cannot load, each reply says why
        _extractor(os.getpid())  # load the native library before the first file
    serve(handle)


if __name__ == "__main__":
    main()
