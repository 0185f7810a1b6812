"""Object store in an S3 bucket (minio client)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, unquote

import urllib3
from minio import Minio
from minio.error import MinioException, S3Error

from eakte.exceptions import (
    ConfigError,
    ObjectIntegrityError,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
)
from eakte.storage._base import (
    CHUNK_SIZE,
    RESERVED_PREFIX,
    Digest,
    HashingReader,
    ObjectInfo,
    ObjectKind,
    Source,
    StoredObject,
    VerifiedReads,
    check_metadata,
    copy_hashing,
    digest_of,
    is_sha256,
    object_key,
    spooled,
)

# minio holds two parts in memory during a multipart upload; 8 MiB keeps that near 16 MiB.
PART_SIZE = 8 * 1024 * 1024
MAX_PARTS = 10_000
_SHA_META = RESERVED_PREFIX + "sha256"
_META_PREFIX = "x-amz-meta-"
_MISSING = {"NoSuchKey", "NoSuchObject", "ResourceNotFound"}
_DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}


class S3ObjectStore(VerifiedReads):
    """Objects under ``kind/ab/<sha256>`` in one bucket; the bucket is created on first use."""

    name = "s3"

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        *,
        secure: bool = False,
        region: str | None = None,
        timeout: float = 10.0,
        tmp_dir: Path,
    ) -> None:
        self.endpoint = endpoint
        self.bucket = bucket
        self._region = region
        self._tmp_dir = tmp_dir
        self._bucket_ready = False
        self._http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=min(timeout, 2.0), read=timeout),
            retries=urllib3.Retry(
                total=2,
                connect=1,
                backoff_factor=0.2,
                status_forcelist=(500, 502, 503, 504),
                raise_on_status=False,
            ),
            maxsize=8,
        )
        try:
            self.client = Minio(
                endpoint,
                access_key=access_key,
                secret_key=secret_key,
                secure=secure,
                region=region,
                http_client=self._http,
            )
        except ValueError as exc:
            raise ConfigError(
                f"Invalid S3 endpoint {endpoint!r} ({exc}). "
                "Set EAKTE_S3_ENDPOINT to host:port, without http://."
            ) from exc

    def key(self, kind: ObjectKind, sha256: str) -> str:
        return object_key(kind, sha256)

    def put(
        self, kind: ObjectKind, source: Source, *, metadata: Mapping[str, str] | None = None
    ) -> StoredObject:
        kind = ObjectKind(kind)
        user_meta: dict[str, str | list[str] | tuple[str]] = {
            k: quote(v, safe="") for k, v in check_metadata(metadata).items()
        }
        with _prepared(source, self._tmp_dir) as (stream, digest):
            key = object_key(kind, digest.sha256)
            existing = self._size_or_none(key)
            if existing is not None:
                if existing != digest.size:
                    raise ObjectIntegrityError(
                        f"The stored {kind} object {digest.sha256} has {existing} bytes, not "
                        f"{digest.size}: it is damaged. Restore it from a backup, "
                        "then run `eakte verify`."
                    )
                return StoredObject(kind, digest.sha256, digest.size, key, created=False)
            upload = HashingReader(stream.read, lambda: None)
            user_meta[_SHA_META] = digest.sha256
            with self._errors(), io.BufferedReader(upload, CHUNK_SIZE) as data:
                self.client.put_object(
                    self.bucket,
                    key,
                    data,
                    digest.size,
                    part_size=_part_size(digest.size),
                    num_parallel_uploads=1,
                    metadata=user_meta,
                )
            if upload.hexdigest() != digest.sha256:
                with self._errors():
                    self.client.remove_object(self.bucket, key)
                raise StorageError("The file changed while it was being stored. Store it again.")
        return StoredObject(kind, digest.sha256, digest.size, key, created=True)

    def _open_raw(
        self, kind: ObjectKind, sha256: str
    ) -> tuple[Callable[[int], bytes], Callable[[], None]]:
        self._ensure_bucket()
        with self._errors(missing=(kind, sha256)):
            response = self.client.get_object(self.bucket, object_key(kind, sha256))

        def read(size: int) -> bytes:
            with self._errors():
                return response.read(size)

        def close() -> None:
            response.close()
            response.release_conn()

        return read, close

    def exists(self, kind: ObjectKind, sha256: str) -> bool:
        return self._size_or_none(object_key(kind, sha256)) is not None

    def stat(self, kind: ObjectKind, sha256: str) -> ObjectInfo:
        key = object_key(kind, sha256)
        self._ensure_bucket()
        with self._errors(missing=(kind, sha256)):
            info = self.client.stat_object(self.bucket, key)
        metadata = {
            name.lower()[len(_META_PREFIX) :]: unquote(value)
            for name, value in (info.metadata or {}).items()
            if name.lower().startswith(_META_PREFIX)
        }
        metadata.pop(_SHA_META, None)
        return ObjectInfo(ObjectKind(kind), sha256, info.size or 0, metadata)

    def iter_objects(self, kind: ObjectKind) -> Iterator[str]:
        prefix = f"{ObjectKind(kind)}/"
        self._ensure_bucket()
        with self._errors():
            for item in self.client.list_objects(self.bucket, prefix=prefix, recursive=True):
                name = item.object_name or ""
                sha = name.rsplit("/", 1)[-1]
                if is_sha256(sha) and name == object_key(kind, sha):
                    yield sha

    def check(self) -> None:
        probe = ".eakte-check"
        self._ensure_bucket()
        with self._errors():
            self.client.put_object(self.bucket, probe, io.BytesIO(b"ok"), 2)
            self.client.remove_object(self.bucket, probe)

    def close(self) -> None:
        self._http.clear()

    # -- helpers -------------------------------------------------------------

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        with self._errors():
            try:
                if not self.client.bucket_exists(self.bucket):
                    self.client.make_bucket(self.bucket, location=self._region)
            except S3Error as exc:
                if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    raise
            except ValueError as exc:
                raise ConfigError(
                    f"Invalid S3 bucket name {self.bucket!r}. Set EAKTE_S3_BUCKET to 3-63 "
                    "lowercase letters, digits, '.' or '-'."
                ) from exc
        self._bucket_ready = True

    def _size_or_none(self, key: str) -> int | None:
        self._ensure_bucket()
        with self._errors():
            try:
                return self.client.stat_object(self.bucket, key).size or 0
            except S3Error as exc:
                if exc.code in _MISSING:
                    return None
                raise

    @contextmanager
    def _errors(self, missing: tuple[ObjectKind, str] | None = None) -> Iterator[None]:
        """Turn client and connection errors into StorageError with a how-to-fix message."""
        where = f"the S3 server at {self.endpoint}"
        try:
            yield
        except S3Error as exc:
            if missing is not None and exc.code in _MISSING:
                kind, sha = missing
                raise ObjectNotFound(
                    f"The {kind} object {sha} is not in bucket {self.bucket} on {where}. "
                    "Restore it from a backup or check EAKTE_S3_BUCKET."
                ) from None
            if exc.code in _DENIED:
                hint = "Check EAKTE_S3_ACCESS_KEY and EAKTE_S3_SECRET_KEY."
            else:
                hint = "Check EAKTE_S3_BUCKET and the server's log."
            raise StorageError(
                f"{where} refused the request ({exc.code}: {exc.message}). {hint}"
            ) from exc
        except MinioException as exc:
            raise StorageError(f"{where} answered unexpectedly ({exc}). Check its log.") from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise StorageUnavailable(
                f"Cannot reach {where} ({reason}). "
                "Check EAKTE_S3_ENDPOINT and that the server runs."
            ) from exc


def _part_size(size: int) -> int:
    """PART_SIZE, or larger parts (whole MiB) when the object needs more than MAX_PARTS."""
    mib = 1024 * 1024
    needed = -(-size // MAX_PARTS)
    return max(PART_SIZE, -(-needed // mib) * mib)


@contextmanager
def _prepared(source: Source, tmp_dir: Path) -> Iterator[tuple[BinaryIO, Digest]]:
    """A rewound stream of the source and its digest; streams are spooled to ``tmp_dir``."""
    if isinstance(source, bytes):
        yield io.BytesIO(source), digest_of(source)
    elif isinstance(source, Path):
        with source.open("rb") as stream:
            digest = copy_hashing(stream)
            stream.seek(0)
            yield stream, digest
    else:
        with spooled(source, tmp_dir) as (path, digest), path.open("rb") as stream:
            yield stream, digest
