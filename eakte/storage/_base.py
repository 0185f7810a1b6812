"""The object store contract and the helpers both backends share.

Objects are content-addressed: the key is derived from the SHA-256 of the
bytes, so an object never changes once written. Reads hash the bytes as they
stream and fail at end of file when they no longer match their key.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from eakte.exceptions import ObjectIntegrityError, ObjectNotFound

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

CHUNK_SIZE = 1024 * 1024
RESERVED_PREFIX = "eakte-"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_META_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")

Source = bytes | BinaryIO | Path


class ObjectKind(StrEnum):
    """What an object is; the first segment of its key."""

    CONTENT = "content"
    MANIFEST = "manifest"
    SIGNATURE = "signature"
    CHECKPOINT = "checkpoint"
    PUBLIC_KEY = "publickey"
    RENDITION = "rendition"  # derived from content: PDF/A, extracted text


@dataclass(frozen=True)
class StoredObject:
    """Result of a put; ``created`` is False when the object existed already."""

    kind: ObjectKind
    sha256: str
    size: int
    key: str
    created: bool


@dataclass(frozen=True)
class ObjectInfo:
    """Size and metadata of a stored object."""

    kind: ObjectKind
    sha256: str
    size: int
    metadata: dict[str, str]


class ObjectStore(Protocol):
    """Content-addressed, immutable object storage."""

    name: str

    def put(
        self, kind: ObjectKind, source: Source, *, metadata: Mapping[str, str] | None = None
    ) -> StoredObject:
        """Store bytes, a readable binary stream or a file; never overwrite."""
        ...

    def open(self, kind: ObjectKind, sha256: str) -> AbstractContextManager[BinaryIO]:
        """Open a reader that raises ObjectIntegrityError at EOF if the bytes do not match."""
        ...

    def read_bytes(self, kind: ObjectKind, sha256: str) -> bytes:
        """Read a small object whole, verified."""
        ...

    def verify(self, kind: ObjectKind, sha256: str) -> None:
        """Stream an object and check its hash."""
        ...

    def exists(self, kind: ObjectKind, sha256: str) -> bool: ...

    def stat(self, kind: ObjectKind, sha256: str) -> ObjectInfo: ...

    def iter_objects(self, kind: ObjectKind) -> Iterator[str]:
        """Yield the SHA-256 of every object of one kind."""
        ...

    def check(self) -> None:
        """Raise StorageError unless the store is reachable and writable."""
        ...

    def close(self) -> None:
        """Release idle connections; the store stays usable."""
        ...


# -- names and metadata ------------------------------------------------------


def check_sha256(value: str) -> str:
    """Return ``value`` if it is 64 lowercase hex digits; never let other strings reach a key."""
    if isinstance(value, str) and _SHA256.fullmatch(value):
        return value
    raise ObjectNotFound(
        f"{value!r} is not an object id. Object ids are SHA-256 digests: "
        "64 lowercase hex digits. Check the id you passed."
    )


def object_key(kind: ObjectKind | str, sha256: str) -> str:
    """Key (and relative path) of an object: ``kind/ab/abcd…`` (like git: 256 folders)."""
    sha = check_sha256(sha256)
    return f"{ObjectKind(kind)}/{sha[:2]}/{sha}"


def check_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Copy user metadata, rejecting keys that would not survive an S3 round trip."""
    result: dict[str, str] = {}
    for key, value in (metadata or {}).items():
        if not _META_KEY.fullmatch(key) or key.startswith(RESERVED_PREFIX):
            raise ValueError(
                f"Invalid metadata key {key!r}: use lowercase letters, digits, '_' and '-' "
                f"and do not start with {RESERVED_PREFIX!r}."
            )
        if not isinstance(value, str):
            raise ValueError(f"Metadata value of {key!r} must be a string.")
        result[key] = value
    return result


def is_sha256(value: str) -> bool:
    return _SHA256.fullmatch(value) is not None


# -- writing -----------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    """SHA-256 and size of a byte sequence."""

    sha256: str
    size: int


def copy_hashing(src: BinaryIO, dst: BinaryIO | None = None) -> Digest:
    """Read ``src`` to EOF in chunks, hashing and optionally copying to ``dst``."""
    hasher = hashlib.sha256()
    size = 0
    while chunk := src.read(CHUNK_SIZE):
        hasher.update(chunk)
        size += len(chunk)
        if dst is not None:
            dst.write(chunk)
    return Digest(hasher.hexdigest(), size)


def digest_of(data: bytes) -> Digest:
    return Digest(hashlib.sha256(data).hexdigest(), len(data))


@contextmanager
def spooled(
    source: Source, tmp_dir: Path, *, durable: bool = False
) -> Iterator[tuple[Path, Digest]]:
    """Copy ``source`` to a temp file in ``tmp_dir`` while hashing; remove it on exit."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    with _as_stream(source) as src:
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix=".spool-")
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as dst:
                digest = copy_hashing(src, dst)
                if durable:
                    dst.flush()
                    os.fsync(dst.fileno())
            yield path, digest
        finally:
            with suppress(FileNotFoundError):
                path.unlink()


@contextmanager
def _as_stream(source: Source) -> Iterator[BinaryIO]:
    if isinstance(source, Path):
        with source.open("rb") as stream:
            yield stream
    elif isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(source)
    else:
        yield source


# -- reading -----------------------------------------------------------------


class HashingReader(io.RawIOBase):
    """Raw reader that hashes the bytes passing through; wrap it in ``io.BufferedReader``."""

    def __init__(self, read: Callable[[int], bytes], close: Callable[[], None]) -> None:
        super().__init__()
        self._read = read
        self._close = close
        self._hasher = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self._read(min(len(view), CHUNK_SIZE))
        if not data:
            self._at_eof()
            return 0
        view[: len(data)] = data
        self._hasher.update(data)
        self.size += len(data)
        return len(data)

    def hexdigest(self) -> str:
        return self._hasher.hexdigest()

    def close(self) -> None:
        if not self.closed:
            try:
                self._close()
            finally:
                super().close()

    def _at_eof(self) -> None:
        """Called at every read that hits end of file."""


class VerifyingReader(HashingReader):
    """Raises ObjectIntegrityError at EOF unless the bytes hash to their key."""

    def __init__(
        self,
        read: Callable[[int], bytes],
        close: Callable[[], None],
        kind: ObjectKind,
        sha256: str,
    ) -> None:
        super().__init__(read, close)
        self._kind = kind
        self._sha256 = sha256

    def _at_eof(self) -> None:
        actual = self.hexdigest()
        if actual != self._sha256:
            raise ObjectIntegrityError(
                f"The stored {self._kind} object {self._sha256} is damaged or was altered: "
                f"its {self.size} bytes hash to {actual}. "
                "Restore it from a backup, then run `eakte verify`."
            )


class VerifiedReads:
    """``open``, ``read_bytes`` and ``verify`` built on a backend's raw reader."""

    def _open_raw(
        self, kind: ObjectKind, sha256: str
    ) -> tuple[Callable[[int], bytes], Callable[[], None]]:
        """Return ``(read, close)`` of the stored bytes; raise ObjectNotFound if missing."""
        raise NotImplementedError

    @contextmanager
    def open(self, kind: ObjectKind, sha256: str) -> Iterator[BinaryIO]:
        kind = ObjectKind(kind)
        read, close = self._open_raw(kind, check_sha256(sha256))
        reader = io.BufferedReader(VerifyingReader(read, close, kind, sha256), CHUNK_SIZE)
        try:
            yield reader
        finally:
            reader.close()

    def read_bytes(self, kind: ObjectKind, sha256: str) -> bytes:
        with self.open(kind, sha256) as reader:
            return reader.read()

    def verify(self, kind: ObjectKind, sha256: str) -> None:
        with self.open(kind, sha256) as reader:
            while reader.read(CHUNK_SIZE):
                pass
