"""Alter stored bytes behind the store's back, to test that damage is detected."""

from __future__ import annotations

import io

from eakte.storage import FsObjectStore, ObjectKind, ObjectStore, S3ObjectStore


def overwrite_raw(store: ObjectStore, kind: ObjectKind, sha256: str, data: bytes) -> None:
    """Replace the stored bytes of one object with ``data`` (no hashing, no checks)."""
    if isinstance(store, FsObjectStore):
        path = store.path(kind, sha256)
        path.chmod(0o644)
        path.write_bytes(data)
        path.chmod(0o444)
    elif isinstance(store, S3ObjectStore):
        key = store.key(kind, sha256)
        store.client.put_object(store.bucket, key, io.BytesIO(data), len(data))
    else:
        raise TypeError(f"Cannot tamper with a {type(store).__name__}.")
