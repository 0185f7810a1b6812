"""The ZIP an import reads: an eakte package (a bag) or a plain xdomea container.

Nothing is ever extracted by a member's name. Members are opened inside the
ZIP, and only by names that are built from the package layout or that the
XML names and that pass :func:`plain_name` and exist in the ZIP.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, cast

from eakte.exceptions import RecordsError
from eakte.export._layout import MESSAGE_TYPE, PACKAGE_JSON
from eakte.export._limits import MAX_TOTAL_BYTES, check_archive
from eakte.signing._findings import Finding

EAKTE = "eakte-package"
XDOMEA = "xdomea"
MAX_SMALL = 64 * 1024 * 1024  # manifests, keys, events, package.json, text renditions
CHUNK = 1024 * 1024
_BAG = re.compile(r"eakte-export-[0-9a-fA-F-]{36}")
_MESSAGE = re.compile(r"([^/]+)_" + re.escape(MESSAGE_TYPE) + r"\.xml")
_PLAIN = re.compile(r"[^/\\\x00-\x1f\x7f]{1,255}")

Progress = Callable[[int], None]


class PackageError(RecordsError):
    """The file is not an importable package; the message says what is wrong."""


class ArchiveRefused(PackageError):
    """The ZIP breaks the limits for untrusted packages (size, entries, bomb, overlap)."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(
            "Nothing was imported: the ZIP is refused before anything in it is read:\n  "
            + "\n  ".join(f"[{f.code}] {f.subject}: {f.message}" for f in findings[:20])
        )
        self.findings = findings


def plain_name(name: str) -> str:
    """A file name as the XML gives it, if it is a plain name inside the container."""
    if not _PLAIN.fullmatch(name) or name in (".", "..") or name.startswith("."):
        raise PackageError(f"The message names the file {name[:80]!r}, which is not a plain name.")
    return name


def checked_uuid(value: str, what: str) -> str:
    """An object id from the XML, if it is a UUID (ids become parts of member paths)."""
    try:
        parsed = uuid.UUID(value)
    except (ValueError, AttributeError):
        raise PackageError(f"The {what} id {value[:80]!r} is not a UUID.") from None
    if str(parsed) != value.lower():
        raise PackageError(f"The {what} id {value[:80]!r} is not a UUID in standard form.")
    return value


@dataclass
class Container:
    """An open import ZIP: its kind, where its data lies and how to read members."""

    zip: zipfile.ZipFile
    kind: str  # EAKTE or XDOMEA
    prefix: str  # "<bag>/data/" for a package, "" for a container
    message: str  # member name of the xdomea message
    prozess_id: str
    progress: Progress | None = None

    def member(self, relative: str) -> str:
        """The member name of a path relative to ``data/`` (package) or the root."""
        name = self.prefix + relative
        try:
            self.zip.getinfo(name)
        except KeyError:
            raise PackageError(f"The package lacks {relative!r}.") from None
        return name

    def primary(self, filename: str) -> str:
        """The member of a primary file the XML names."""
        return self.member(plain_name(filename))

    def has(self, relative: str) -> bool:
        return (self.prefix + relative) in self._names

    @property
    def _names(self) -> set[str]:
        names: set[str] | None = getattr(self, "_name_set", None)
        if names is None:
            names = set(self.zip.namelist())
            self._name_set = names
        return names

    @contextmanager
    def open(self, member: str) -> Iterator[BinaryIO]:
        """Stream a member (its CRC is checked at the end); progress counts its bytes."""
        with self.zip.open(member) as stream:
            reader = _ProgressReader(stream, self.progress) if self.progress else stream
            yield cast(BinaryIO, reader)

    def read_small(self, member: str, limit: int = MAX_SMALL) -> bytes:
        if self.zip.getinfo(member).file_size > limit:
            raise PackageError(f"{member} is too large for what it should be.")
        with self.open(member) as stream:
            return stream.read()

    @contextmanager
    def message_file(self) -> Iterator[Path]:
        """The xdomea message copied (streamed) to a temporary file under our own name."""
        with tempfile.TemporaryDirectory(prefix="eakte-import-") as folder:
            target = Path(folder) / "message.xml"
            with self.open(self.message) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
            yield target

    def total_bytes(self) -> int:
        return sum(info.file_size for info in self.zip.infolist())


class _ProgressReader(io.BufferedIOBase):
    """A member stream that reports how many bytes were read."""

    def __init__(self, stream: IO[bytes], progress: Progress) -> None:
        super().__init__()
        self._stream = stream
        self._progress = progress

    def read(self, size: int | None = -1) -> bytes:
        data = self._stream.read(-1 if size is None else size)
        self._progress(len(data))
        return data

    def read1(self, size: int = -1) -> bytes:
        return self.read(size)

    def readline(self, size: int | None = -1) -> bytes:
        line = self._stream.readline(-1 if size is None else size)
        self._progress(len(line))
        return line

    def readable(self) -> bool:
        return True


@contextmanager
def open_container(
    source: Path | BinaryIO,
    progress: Progress | None = None,
    max_total: int = MAX_TOTAL_BYTES,
) -> Iterator[Container]:
    """Open the ZIP and recognise what it is (PackageError if neither kind).

    ``source`` is a path or a file opened for reading (read where it stands;
    the caller keeps it open). The limits for untrusted archives
    (:func:`eakte.export._limits.check_archive`: entries, ``max_total`` bytes
    unpacked, compression ratio, overlapping entries) are checked first:
    ArchiveRefused before any member is read.
    """
    name = source if isinstance(source, Path) else getattr(source, "name", "the package")
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise PackageError(f"{name} is not a readable ZIP file ({exc}).") from exc
    with archive:
        size = (
            source.stat().st_size if isinstance(source, Path) else os.fstat(source.fileno()).st_size
        )
        findings = check_archive(archive, size, max_total)
        if findings:
            raise ArchiveRefused(findings)
        yield _recognise(archive, progress)


def _recognise(archive: zipfile.ZipFile, progress: Progress | None) -> Container:
    names = archive.namelist()
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1:
        bag = next(iter(tops))
        if _BAG.fullmatch(bag) and f"{bag}/{PACKAGE_JSON}" in names:
            prozess_id = bag.removeprefix("eakte-export-")
            message = f"{bag}/data/{prozess_id}_{MESSAGE_TYPE}.xml"
            if message not in names:
                raise PackageError(f"The package lacks its xdomea message {message}.")
            return Container(archive, EAKTE, f"{bag}/data/", message, prozess_id, progress)
    messages = [m for name in names if "/" not in name and (m := _MESSAGE.fullmatch(name))]
    if len(messages) != 1:
        raise PackageError(
            "The ZIP is neither an eakte package (one folder eakte-export-<id>/ with "
            f"data/eakte/package.json) nor an xdomea container (one <ProzessID>_{MESSAGE_TYPE}"
            f".xml at its top level; found {len(messages)})."
        )
    return Container(archive, XDOMEA, "", messages[0].group(0), messages[0].group(1), progress)
