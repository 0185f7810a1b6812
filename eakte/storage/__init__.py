"""Content-addressed, immutable object storage: a local folder or an S3 bucket."""

from eakte.storage._base import ObjectInfo, ObjectKind, ObjectStore, StoredObject
from eakte.storage._factory import open_store
from eakte.storage._fs import FsObjectStore
from eakte.storage._s3 import S3ObjectStore

__all__ = [
    "FsObjectStore",
    "ObjectInfo",
    "ObjectKind",
    "ObjectStore",
    "S3ObjectStore",
    "StoredObject",
    "open_store",
]
