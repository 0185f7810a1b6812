"""A BagIt 1.0 bag written straight into a ZIP, one streamed entry at a time.

Payload files are hashed while they are written; only their path, SHA-256
and size stay in memory. :meth:`ZipBag.finish` writes the tag files
(manifest, bag-info with Payload-Oxum, tag manifest). Text-like entries are
deflated, everything else is stored as is; entries of unknown or large size
get ZIP64 headers.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from eakte.export._layout import BAG_INFO, BAGIT_TXT, DATA, MANIFEST, TAGMANIFEST

CHUNK_SIZE = 1024 * 1024
BAGIT_TEXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
DEFLATED_SUFFIXES = (".xml", ".json", ".txt", ".html")
_ZIP64_FROM = 1 << 31  # sizes from here on (or unknown) get ZIP64 headers

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Entry:
    """A written file of the bag."""

    path: str  # relative to the bag, e.g. data/bericht.html
    sha256: str
    size: int


class ZipBag:
    """Writes ``<bag>/…`` entries into ``out`` (a seekable binary file)."""

    def __init__(self, out: BinaryIO, bag: str) -> None:
        self._zip = zipfile.ZipFile(out, "w", allowZip64=True)
        self._bag = bag
        self._payload: dict[str, Entry] = {}
        self._tags: dict[str, Entry] = {}
        self._write(BAGIT_TXT, BAGIT_TEXT, tag=True)

    @property
    def payload(self) -> list[Entry]:
        return sorted(self._payload.values(), key=lambda e: e.path)

    @property
    def payload_bytes(self) -> int:
        return sum(e.size for e in self._payload.values())

    def has(self, path: str) -> bool:
        return path in self._payload

    def add_bytes(self, path: str, data: bytes) -> Entry:
        """A small payload file given whole."""
        return self._write(path, data)

    def add_stream(
        self,
        path: str,
        source: BinaryIO,
        size: int | None = None,
        progress: Progress | None = None,
        *,
        sha256: str | None = None,
    ) -> Entry:
        """A payload file copied from ``source`` in chunks, hashed on the way.

        Pass ``sha256`` when ``source`` itself guarantees the bytes' hash (the
        object store's verifying reader raises at the end otherwise): the
        bytes are then not hashed a second time.
        """
        chunks = iter(lambda: source.read(CHUNK_SIZE), b"")
        return self.add_chunks(path, chunks, size, progress, sha256=sha256)

    def add_chunks(
        self,
        path: str,
        chunks: Iterable[bytes],
        size: int | None = None,
        progress: Progress | None = None,
        *,
        sha256: str | None = None,
    ) -> Entry:
        """A payload file written from a sequence of byte chunks, hashed on the way."""
        info = self._info(path)
        hasher = None if sha256 else hashlib.sha256()
        written = 0
        force_zip64 = size is None or size >= _ZIP64_FROM
        with self._zip.open(info, "w", force_zip64=force_zip64) as target:
            for chunk in chunks:
                target.write(chunk)
                if hasher is not None:
                    hasher.update(chunk)
                written += len(chunk)
                if progress is not None:
                    progress(len(chunk))
        digest = hasher.hexdigest() if hasher is not None else sha256
        assert digest is not None
        return self._record(path, Entry(path, digest, written), tag=False)

    def finish(self, bag_info: dict[str, str]) -> None:
        """Write manifest, bag-info (with Payload-Oxum) and tag manifest; close the ZIP.

        ``bag_info`` gives the other bag-info fields in the order to write them.
        """
        self._write(MANIFEST, _manifest(self.payload), tag=True)
        info = dict(bag_info)
        info["Payload-Oxum"] = f"{self.payload_bytes}.{len(self._payload)}"
        lines = "".join(f"{key}: {_one_line(value)}\n" for key, value in info.items())
        self._write(BAG_INFO, lines.encode("utf-8"), tag=True)
        tags = sorted(self._tags.values(), key=lambda e: e.path)
        self._write(TAGMANIFEST, _manifest(tags), tag=True)
        self._zip.close()

    def abort(self) -> None:
        """Close the ZIP after a failure (the caller deletes the file)."""
        self._zip.close()

    def _write(self, path: str, data: bytes, *, tag: bool = False) -> Entry:
        self._zip.writestr(self._info(path), data)
        entry = Entry(path, hashlib.sha256(data).hexdigest(), len(data))
        return self._record(path, entry, tag=tag)

    def _record(self, path: str, entry: Entry, *, tag: bool) -> Entry:
        if tag:
            self._tags[path] = entry
        else:
            if not path.startswith(f"{DATA}/"):
                raise ValueError(f"payload file {path!r} is not inside {DATA}/")
            self._payload[path] = entry
        return entry

    def _info(self, path: str) -> zipfile.ZipInfo:
        if path in self._payload or path in self._tags:
            raise ValueError(f"{path!r} is in the bag already")
        info = zipfile.ZipInfo(f"{self._bag}/{path}", date_time=_now())
        info.external_attr = 0o644 << 16
        if path.lower().endswith(DEFLATED_SUFFIXES):
            info.compress_type = zipfile.ZIP_DEFLATED
        else:
            info.compress_type = zipfile.ZIP_STORED
        return info


def _manifest(entries: list[Entry]) -> bytes:
    """``sha256sum`` lines: ``<hash>  <path>``, as BagIt and ``sha256sum -c`` read them."""
    return "".join(f"{e.sha256}  {e.path}\n" for e in entries).encode("utf-8")


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _now() -> tuple[int, int, int, int, int, int]:
    now = datetime.now(UTC)
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)
