"""Previews for a reader: permission first (records service), then the cache, then drawing."""

from __future__ import annotations

import enum
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from eakte.exceptions import NotFound
from eakte.preview._render import Limits, RenderError, count_pages, render
from eakte.records import Principal, Records
from eakte.records._show import PreviewSource, preview_source

T = TypeVar("T")


class Size(enum.Enum):
    """The box a preview fits into (width, height): a page to read, a thumbnail."""

    PAGE = (1240, 1754)  # A4 at 150 dpi
    THUMB = (160, 226)


def page_count(records: Records, principal: Principal, document_id: str) -> int:
    """How many pages can be previewed (0: the newest version is no PDF and no image)."""
    source = preview_source(records, principal, document_id)
    folder = _folder(records, source)
    marker = folder / "pages"
    if marker.exists():
        return int(marker.read_text(encoding="ascii"))
    try:
        count = _with_copy(records, source, lambda path: count_pages(path, _limits(records)))
    except RenderError:
        count = 0
    _write(marker, str(count).encode("ascii"))
    return count


def render_page(
    records: Records, principal: Principal, document_id: str, page: int, size: Size
) -> bytes:
    """PNG bytes of page ``page`` (1-based); NotFound when there is no such page to draw."""
    source = preview_source(records, principal, document_id)
    if not 1 <= page <= records.settings.max_pages:
        raise NotFound(f"Document {document_id} has no page {page}.")
    cached = _folder(records, source) / f"{size.name.lower()}-{page}.png"
    if cached.exists():
        return cached.read_bytes()
    try:
        png = _with_copy(records, source, lambda p: render(p, page, size.value, _limits(records)))
    except RenderError as exc:
        raise NotFound(f"No preview of page {page} of document {document_id}: {exc}.") from exc
    _write(cached, png)
    return png


def _limits(records: Records) -> Limits:
    return Limits(records.settings.max_pages, records.settings.max_image_pixels)


def _folder(records: Records, source: PreviewSource) -> Path:
    return records.settings.data_dir / "cache" / "previews" / source.sha256[:2] / source.sha256


def _with_copy(records: Records, source: PreviewSource, use: Callable[[Path], T]) -> T:
    """Copy the (verified) object into a temp file: the renderers want a seekable file."""
    folder = records.settings.tmp_dir
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as work:
        path = Path(work) / "source"
        with records.store.open(source.kind, source.sha256) as reader, path.open("wb") as out:
            shutil.copyfileobj(reader, out)
        return use(path)


def _write(path: Path, data: bytes) -> None:
    """Atomically: a reader sees the whole file or none (two renderers may race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    Path(temporary).replace(path)
