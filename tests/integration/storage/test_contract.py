"""One contract, every backend: the ``store`` fixture runs each test on fs and s3."""

from __future__ import annotations

import hashlib
import io
import socket
import time
import tracemalloc
from pathlib import Path

import pytest

from eakte.config import Settings
from eakte.exceptions import (
    ObjectIntegrityError,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
)
from eakte.storage import (
    FsObjectStore,
    ObjectKind,
    ObjectStore,
    S3ObjectStore,
    open_store,
)
from tests.integration.storage.tamper import overwrite_raw
from tests.services.streams import GeneratedStream, MiB

CONTENT = ObjectKind.CONTENT
DATA = b"%PDF-1.7 Bescheid \xc3\xbcber die Sondernutzung\n" * 100
SHA = hashlib.sha256(DATA).hexdigest()


def sha_of_stream(size: int) -> str:
    hasher = hashlib.sha256()
    with io.BufferedReader(GeneratedStream(size), MiB) as stream:
        while chunk := stream.read(MiB):
            hasher.update(chunk)
    return hasher.hexdigest()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- put -----------------------------------------------------------------------


def test_put_bytes_stream_and_path_give_the_same_object(store: ObjectStore, tmp_path: Path) -> None:
    source = tmp_path / "scan.pdf"
    source.write_bytes(DATA)

    first = store.put(CONTENT, DATA)
    again = [store.put(CONTENT, io.BytesIO(DATA)), store.put(CONTENT, source)]

    assert first.created
    assert (first.sha256, first.size) == (SHA, len(DATA))
    assert first.key == f"content/{SHA[:2]}/{SHA}"
    for stored in again:
        assert (stored.sha256, stored.key, stored.size, stored.created) == (
            SHA,
            first.key,
            len(DATA),
            False,
        )


def test_put_never_overwrites(store: ObjectStore) -> None:
    store.put(CONTENT, DATA)
    overwrite_raw(store, CONTENT, SHA, DATA.replace(b"PDF", b"XXX"))

    assert store.put(CONTENT, DATA).created is False
    with pytest.raises(ObjectIntegrityError):
        store.verify(CONTENT, SHA)  # the damaged copy stayed in place


def test_put_refuses_an_existing_object_of_another_size(store: ObjectStore) -> None:
    store.put(CONTENT, DATA)
    overwrite_raw(store, CONTENT, SHA, DATA[:-1])

    with pytest.raises(ObjectIntegrityError, match="eakte verify"):
        store.put(CONTENT, DATA)


def test_put_keeps_kinds_apart(store: ObjectStore) -> None:
    store.put(CONTENT, DATA)

    assert store.put(ObjectKind.MANIFEST, DATA).created
    assert store.exists(ObjectKind.MANIFEST, SHA)
    assert not store.exists(ObjectKind.SIGNATURE, SHA)


# -- read and verify -------------------------------------------------------------


def test_read_bytes_and_open_round_trip(store: ObjectStore) -> None:
    store.put(CONTENT, DATA)

    assert store.read_bytes(CONTENT, SHA) == DATA
    with store.open(CONTENT, SHA) as reader:
        chunks = iter(lambda: reader.read(1000), b"")
        assert b"".join(chunks) == DATA
    store.verify(CONTENT, SHA)
    assert store.exists(CONTENT, SHA)


def test_empty_object_round_trips(store: ObjectStore) -> None:
    stored = store.put(CONTENT, b"")

    assert stored.sha256 == hashlib.sha256(b"").hexdigest()
    assert store.read_bytes(CONTENT, stored.sha256) == b""


@pytest.mark.parametrize("tampered", [DATA.replace(b"PDF", b"XXX"), DATA[:-10], DATA + b"!"])
def test_tampered_bytes_are_detected(store: ObjectStore, tampered: bytes) -> None:
    store.put(CONTENT, DATA)
    overwrite_raw(store, CONTENT, SHA, tampered)

    with pytest.raises(ObjectIntegrityError, match="eakte verify"):
        store.read_bytes(CONTENT, SHA)
    with pytest.raises(ObjectIntegrityError):
        store.verify(CONTENT, SHA)
    with store.open(CONTENT, SHA) as reader:
        reader.read(100)  # no verdict before the end
        with pytest.raises(ObjectIntegrityError):
            reader.read()


def test_missing_object_is_not_found(store: ObjectStore) -> None:
    assert not store.exists(CONTENT, SHA)
    with pytest.raises(ObjectNotFound):
        store.read_bytes(CONTENT, SHA)
    with pytest.raises(ObjectNotFound), store.open(CONTENT, SHA):
        pass
    with pytest.raises(ObjectNotFound):
        store.verify(CONTENT, SHA)
    with pytest.raises(ObjectNotFound):
        store.stat(CONTENT, SHA)


@pytest.mark.parametrize("bad", ["../../etc/passwd", SHA.upper(), SHA[:-1], SHA + "0", ""])
def test_invalid_object_ids_are_rejected(store: ObjectStore, bad: str) -> None:
    store.put(CONTENT, DATA)

    for call in (store.read_bytes, store.verify, store.exists, store.stat):
        with pytest.raises(ObjectNotFound, match="64 lowercase hex"):
            call(CONTENT, bad)
    with pytest.raises(ObjectNotFound), store.open(CONTENT, bad):
        pass


# -- metadata and listing ----------------------------------------------------------


def test_non_ascii_metadata_round_trips(store: ObjectStore) -> None:
    meta = {"filename": "Weißmüller 100%.pdf", "media_type": "application/pdf"}
    store.put(CONTENT, DATA, metadata=meta)
    store.put(CONTENT, DATA, metadata={"filename": "later.pdf"})

    info = store.stat(CONTENT, SHA)

    assert (info.kind, info.sha256, info.size) == (CONTENT, SHA, len(DATA))
    assert info.metadata == meta  # the first writer wins


def test_metadata_keys_must_survive_s3(store: ObjectStore) -> None:
    for key in ("File Name", "Filename", "eakte-sha256", "ä"):
        with pytest.raises(ValueError, match="metadata key"):
            store.put(CONTENT, DATA, metadata={key: "x"})
    assert not store.exists(CONTENT, SHA)


def test_iter_objects_lists_one_kind(store: ObjectStore) -> None:
    contents = {store.put(CONTENT, f"doc {i}".encode()).sha256 for i in range(5)}
    manifest = store.put(ObjectKind.MANIFEST, b"{}", metadata={"media_type": "x"}).sha256

    assert set(store.iter_objects(CONTENT)) == contents
    assert list(store.iter_objects(ObjectKind.MANIFEST)) == [manifest]
    assert list(store.iter_objects(ObjectKind.CHECKPOINT)) == []


# -- size, health, configuration ---------------------------------------------------


@pytest.mark.slow
def test_large_stream_keeps_memory_flat(store: ObjectStore) -> None:
    size = 100 * MiB + 123
    expected = sha_of_stream(size)
    tracemalloc.start()
    try:
        stored = store.put(CONTENT, io.BufferedReader(GeneratedStream(size), MiB))
        store.verify(CONTENT, expected)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (stored.sha256, stored.size, stored.created) == (expected, size, True)
    assert peak < 32 * MiB, f"peak {peak / MiB:.1f} MiB"


def test_check_passes_on_a_working_store(store: ObjectStore) -> None:
    store.check()
    assert list(store.iter_objects(CONTENT)) == []


def test_check_fails_when_the_folder_is_not_writable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")

    with pytest.raises(StorageError, match="EAKTE_STORAGE_DIR"):
        FsObjectStore(blocker / "objects", tmp_path / "tmp").check()


def test_unreachable_s3_endpoint_fails_fast(tmp_path: Path) -> None:
    endpoint = f"127.0.0.1:{closed_port()}"
    store = S3ObjectStore(endpoint, "key", "secret", "eakte", timeout=10, tmp_dir=tmp_path)

    for call in (store.check, lambda: store.put(CONTENT, DATA)):
        started = time.monotonic()
        with pytest.raises(StorageUnavailable, match=f"{endpoint}.*EAKTE_S3_ENDPOINT"):
            call()
        assert time.monotonic() - started < 5


def test_fs_objects_are_read_only_and_sidecars_are_not_listed(tmp_path: Path) -> None:
    store = FsObjectStore(tmp_path / "objects", tmp_path / "tmp")
    store.put(CONTENT, DATA, metadata={"filename": "Weißmüller.pdf"})

    assert store.path(CONTENT, SHA).stat().st_mode & 0o777 == 0o444
    assert list(store.iter_objects(CONTENT)) == [SHA]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_open_store_follows_the_settings(tmp_path: Path) -> None:
    fs = open_store(Settings(data_dir=tmp_path))
    s3 = open_store(Settings(data_dir=tmp_path, storage_backend="s3", s3_bucket="akten"))

    assert isinstance(fs, FsObjectStore)
    assert fs.root == tmp_path / "objects"
    assert isinstance(s3, S3ObjectStore)
    assert (s3.name, s3.bucket, s3.endpoint) == ("s3", "akten", "127.0.0.1:9000")
