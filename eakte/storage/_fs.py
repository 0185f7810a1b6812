"""Object store in a local folder (the embedded default)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from eakte.exceptions import ObjectIntegrityError, ObjectNotFound, StorageError
from eakte.storage._base import (
    ObjectInfo,
    ObjectKind,
    Source,
    StoredObject,
    VerifiedReads,
    check_metadata,
    is_sha256,
    object_key,
    spooled,
)

_SIDECAR = ".meta.json"


class FsObjectStore(VerifiedReads):
    """Immutable files under ``root/kind/ab/<sha256>``, read-only once written.

    Temp files go to ``tmp_dir`` when it is on the same filesystem as ``root``
    (so they can be linked into place atomically), else to ``root/.tmp``.
    """

    name = "fs"

    def __init__(self, root: Path, tmp_dir: Path) -> None:
        self.root = root
        self._tmp_dir = tmp_dir
        self._spool_dir: Path | None = None

    def path(self, kind: ObjectKind, sha256: str) -> Path:
        """Where the object lives (whether or not it exists)."""
        return self.root / object_key(kind, sha256)

    def put(
        self, kind: ObjectKind, source: Source, *, metadata: Mapping[str, str] | None = None
    ) -> StoredObject:
        kind = ObjectKind(kind)
        meta = check_metadata(metadata)
        if isinstance(source, Path) and not source.is_file():
            raise StorageError(f"Cannot store {source}: it is not a readable file.")
        with self._writing(), spooled(source, self._spool_to(), durable=True) as (tmp, digest):
            key = object_key(kind, digest.sha256)
            target = self.root / key
            _make_dirs_durably(target.parent)
            tmp.chmod(0o444)
            created = _link_once(tmp, target)
            if not created and target.stat().st_size != digest.size:
                raise ObjectIntegrityError(
                    f"The stored {kind} object {digest.sha256} has {target.stat().st_size} "
                    f"bytes, not {digest.size}: it is damaged. Restore it from a backup, "
                    "then run `eakte verify`."
                )
            if meta:
                self._write_sidecar(target, meta)
        return StoredObject(kind, digest.sha256, digest.size, key, created)

    def _open_raw(
        self, kind: ObjectKind, sha256: str
    ) -> tuple[Callable[[int], bytes], Callable[[], None]]:
        try:
            stream = self.path(kind, sha256).open("rb", buffering=0)
        except FileNotFoundError:
            raise self._not_found(kind, sha256) from None
        except OSError as exc:
            raise StorageError(
                f"Cannot read {self.path(kind, sha256)} ({exc.strerror}). "
                "Check the permissions of the object store folder."
            ) from exc
        return stream.read, stream.close

    def exists(self, kind: ObjectKind, sha256: str) -> bool:
        return self.path(kind, sha256).is_file()

    def stat(self, kind: ObjectKind, sha256: str) -> ObjectInfo:
        path = self.path(kind, sha256)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise self._not_found(kind, sha256) from None
        sidecar = path.with_name(path.name + _SIDECAR)
        metadata: dict[str, str] = {}
        with suppress(FileNotFoundError):
            metadata = json.loads(sidecar.read_text(encoding="utf-8"))
        return ObjectInfo(ObjectKind(kind), sha256, size, metadata)

    def iter_objects(self, kind: ObjectKind) -> Iterator[str]:
        base = self.root / ObjectKind(kind)
        for folder in _sorted_dirs(base):
            for name in sorted(entry.name for entry in folder.iterdir()):
                if is_sha256(name) and name.startswith(folder.name):
                    yield name

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            for folder in {self.root, self._spool_to()}:
                fd, name = tempfile.mkstemp(dir=folder, prefix=".check-")
                os.close(fd)
                Path(name).unlink()
        except OSError as exc:
            raise StorageError(
                f"Object store folder {self.root} is not writable ({exc.strerror}). "
                "Fix its permissions or set EAKTE_STORAGE_DIR to a writable folder."
            ) from exc

    def close(self) -> None:
        """Nothing to release."""

    # -- helpers -------------------------------------------------------------

    def _spool_to(self) -> Path:
        """Temp folder on the same filesystem as ``root``."""
        if self._spool_dir is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._tmp_dir.mkdir(parents=True, exist_ok=True)
            same_fs = self._tmp_dir.stat().st_dev == self.root.stat().st_dev
            self._spool_dir = self._tmp_dir if same_fs else self.root / ".tmp"
        return self._spool_dir

    def _write_sidecar(self, target: Path, meta: dict[str, str]) -> None:
        sidecar = target.with_name(target.name + _SIDECAR)
        if sidecar.exists():
            return
        data = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")
        # descriptive only (file name, media type): not worth an fsync of its own
        with spooled(data, self._spool_to(), durable=False) as (tmp, _):
            tmp.chmod(0o444)
            with contextlib.suppress(FileExistsError):
                os.link(tmp, sidecar)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            raise StorageError(
                f"Cannot write to the object store folder {self.root} ({exc.strerror}). "
                "Free disk space or fix its permissions."
            ) from exc

    def _not_found(self, kind: ObjectKind, sha256: str) -> ObjectNotFound:
        return ObjectNotFound(
            f"The {kind} object {sha256} is not in the object store {self.root}. "
            "Restore it from a backup or check EAKTE_STORAGE_DIR."
        )


def _link_once(tmp: Path, target: Path) -> bool:
    """Hard-link ``tmp`` to ``target`` unless it exists; True if linked."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        return False
    _fsync_dir(target.parent)
    return True


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _make_dirs_durably(folder: Path) -> None:
    """Create missing folders and make each new entry durable in its parent."""
    if folder.is_dir():
        return
    _make_dirs_durably(folder.parent)
    with contextlib.suppress(FileExistsError):
        folder.mkdir()
        _fsync_dir(folder.parent)


def _sorted_dirs(folder: Path) -> list[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except FileNotFoundError:
        return []
    return [Path(e.path) for e in entries if e.is_dir() and len(e.name) == 2]
