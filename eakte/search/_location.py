"""Where the index lives: one folder per engine, generations inside, a pointer file.

``<search_dir>/<engine>/CURRENT`` names the generation in use. A reindex
builds a new generation beside it and swaps the pointer atomically (write and
rename), so searches go on with the old index until the new one is complete.
Each generation keeps ``watermark.json``: the last audit event it reflects.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from eakte.config import Settings

from ._analysis import ANALYSIS_VERSION
from ._model import Backend

POINTER = "CURRENT"
WATERMARK = "watermark.json"


def engine_dir(settings: Settings) -> Path:
    return settings.resolved_search_dir / settings.search_backend


def current_generation(settings: Settings) -> Path | None:
    pointer = engine_dir(settings) / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    folder = engine_dir(settings) / name
    if not name or "/" in name or name.startswith(".") or not folder.is_dir():
        return None
    return folder


def new_generation(settings: Settings) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    folder = engine_dir(settings) / f"gen-{stamp}"
    folder.mkdir(parents=True)
    return folder


def _write_atomic(path: Path, text: str) -> None:
    staged = path.with_name(f".{path.name}.{os.getpid()}")
    with staged.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    staged.replace(path)


def make_current(settings: Settings, generation: Path) -> None:
    """Point searches at ``generation``; keep the one it replaces (a search that read
    the old pointer a moment ago may still be opening it) and remove older ones."""
    previous = current_generation(settings)
    _write_atomic(engine_dir(settings) / POINTER, generation.name)
    for folder in engine_dir(settings).glob("gen-*"):
        if folder not in (generation, previous) and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)  # open readers keep their files (POSIX)


def _read(generation: Path) -> dict[str, object]:
    try:
        data = json.loads((generation / WATERMARK).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_watermark(generation: Path) -> int:
    value = _read(generation).get("audit_seq", 0)
    return value if isinstance(value, int) else 0


def analysis_version(generation: Path) -> int | None:
    """The analysis version the generation was built with (None: unknown)."""
    value = _read(generation).get("analysis")
    return value if isinstance(value, int) else None


def write_watermark(generation: Path, seq: int) -> None:
    data = {"audit_seq": seq, "analysis": ANALYSIS_VERSION}
    _write_atomic(generation / WATERMARK, json.dumps(data))


def open_backend(settings: Settings, generation: Path, *, writable: bool = False) -> Backend:
    index = generation / "index"
    if settings.search_backend == "whoosh":
        from ._whoosh import WhooshBackend  # type: ignore[import-not-found, unused-ignore]

        backend: Backend = WhooshBackend(index, writable=writable)
        return backend
    from ._tantivy import TantivyBackend

    return TantivyBackend(index, writable=writable)
