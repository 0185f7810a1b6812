"""A remote Apache Tika server (``EAKTE_TIKA_URL``).

Uses the ``tika`` PyPI client when it is installed, else two plain HTTP PUTs
(``/tika`` for the text, ``/meta`` for the metadata). Either way, a file Tika
cannot parse is refused as bad input; a server that does not answer is an
:class:`~eakte.exceptions.ExtractionError`.
"""

from __future__ import annotations

import importlib
import json
import logging
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from eakte.exceptions import ExtractionError

from ._tikaresult import TikaResult, build_result, rejected

log = logging.getLogger(__name__)

TIMEOUT = 300.0
#: HTTP statuses by which Tika server says "this file cannot be parsed".
_BAD_INPUT = {415, 422}


def _unreachable(url: str, detail: object) -> ExtractionError:
    return ExtractionError(
        f"The Tika server at {url} did not do its work ({detail}). Check that it is "
        "running and that EAKTE_TIKA_URL points to it, then try again."
    )


def _tika_client() -> Any | None:
    try:
        parser = importlib.import_module("tika.parser")
    except ImportError:
        return None
    client: Any = importlib.import_module("tika.tika")
    client.TikaClientOnly = True  # never download and start a server of its own
    return parser


def _request(url: str, path: Path | None, accept: str, timeout: float = TIMEOUT) -> bytes:
    headers = {"Accept": accept}
    try:
        if path is None:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return bytes(response.read())
        headers["Content-Length"] = str(path.stat().st_size)
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(path.name)}"
        with path.open("rb") as body:
            request = urllib.request.Request(url, data=body, headers=headers, method="PUT")
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return bytes(response.read())
    except urllib.error.HTTPError as e:
        if path is not None and e.code in _BAD_INPUT:
            raise rejected(path, e.read().decode("utf-8", "replace") or str(e)) from e
        raise _unreachable(url, e) from e
    except (urllib.error.URLError, OSError) as e:
        raise _unreachable(url, e) from e


def _via_http(path: Path, base: str, timeout: float) -> TikaResult:
    text = _request(f"{base}/tika", path, "text/plain; charset=UTF-8", timeout)
    try:
        raw = json.loads(_request(f"{base}/meta", path, "application/json", timeout))
    except ValueError as e:
        raise _unreachable(base, f"metadata is not JSON: {e}") from e
    return build_result(path, text.decode("utf-8", "replace"), raw)


def _via_client(parser: Any, path: Path, base: str, timeout: float) -> TikaResult:
    try:
        parsed = parser.from_file(
            str(path), serverEndpoint=base, requestOptions={"timeout": timeout}
        )
    except Exception as e:  # the client raises requests' and its own errors
        raise _unreachable(base, e) from e
    status = parsed.get("status", 200)
    if status in _BAD_INPUT:
        raise rejected(path, f"Tika server status {status}")
    if status != 200:
        raise _unreachable(base, f"status {status}")
    return build_result(path, parsed.get("content") or "", parsed.get("metadata") or {})


def run_remote(path: Path, tika_url: str, timeout: float = TIMEOUT) -> TikaResult:
    base = tika_url.rstrip("/")
    parser = _tika_client()
    log.debug("Tika server %s (%s) for %s", base, "client" if parser else "http", path.name)
    if parser:
        return _via_client(parser, path, base, timeout)
    return _via_http(path, base, timeout)


def version_remote(tika_url: str) -> str:
    base = tika_url.rstrip("/")
    return _request(f"{base}/version", None, "text/plain").decode("utf-8", "replace").strip()
