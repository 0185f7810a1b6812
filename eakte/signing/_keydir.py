"""The key dir on disk: ``keyring.json`` and careful writes of key material.

``keyring.json`` looks like ``{"format": "eakte-keyring/1", "active": KEY_ID,
"keys": [{"key_id", "created_at", "retired_at"}, ...]}`` with ISO 8601 UTC
dates. It is replaced atomically, so a reader never sees half a file.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from eakte.exceptions import SigningKeyError

KEYRING_FILE = "keyring.json"
KEYRING_FORMAT = "eakte-keyring/1"
KEY_ID_RE = re.compile(r"[0-9a-f]{32}")

Entry = dict[str, Any]


def read_keyring(key_dir: Path) -> tuple[str, list[Entry]]:
    """The active key id and the key entries (oldest first); checked for damage."""
    path = key_dir / KEYRING_FILE
    try:
        doc = json.loads(path.read_bytes())
        entries = [
            {"key_id": e["key_id"], "created_at": e["created_at"], "retired_at": e["retired_at"]}
            for e in doc["keys"]
        ]
        for entry in entries:
            if not KEY_ID_RE.fullmatch(entry["key_id"]):
                raise ValueError(f"bad key id {entry['key_id']!r}")
            datetime.fromisoformat(entry["created_at"])
            if entry["retired_at"] is not None:
                datetime.fromisoformat(entry["retired_at"])
        if doc["format"] != KEYRING_FORMAT or doc["active"] not in {e["key_id"] for e in entries}:
            raise ValueError("unknown format or active key not listed")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SigningKeyError(
            f"{path} is unreadable or damaged. Restore it from a backup."
        ) from exc
    return str(doc["active"]), entries


def write_keyring(key_dir: Path, active: str, entries: list[Entry]) -> None:
    doc = {"format": KEYRING_FORMAT, "active": active, "keys": entries}
    write_atomic(key_dir / KEYRING_FILE, json.dumps(doc, indent=2).encode("utf-8") + b"\n")


def write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` with ``mode`` (never widened by a pre-existing file) and fsync it.

    Raises :class:`FileExistsError` if ``path`` exists.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` so that readers see the old or the new file, never half."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    write_new(tmp, data, 0o644)
    try:
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextmanager
def locked(key_dir: Path) -> Iterator[None]:
    """Hold an exclusive inter-process lock on ``key_dir`` (created with mode 0700)."""
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (key_dir / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
