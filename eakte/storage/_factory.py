"""Build the configured object store."""

from __future__ import annotations

from eakte.config import Settings
from eakte.storage._base import ObjectStore
from eakte.storage._fs import FsObjectStore
from eakte.storage._s3 import S3ObjectStore


def open_store(settings: Settings) -> ObjectStore:
    """The object store named by ``settings.storage_backend``; no I/O happens yet."""
    if settings.storage_backend == "s3":
        return S3ObjectStore(
            settings.s3_endpoint,
            settings.s3_access_key,
            settings.s3_secret_key.get_secret_value(),
            settings.s3_bucket,
            secure=settings.s3_secure,
            region=settings.s3_region,
            timeout=settings.s3_timeout,
            tmp_dir=settings.tmp_dir,
        )
    return FsObjectStore(settings.resolved_storage_dir, settings.tmp_dir)
