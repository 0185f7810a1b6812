"""The ``store`` fixture: every contract test runs against each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eakte.storage import FsObjectStore, ObjectStore


@pytest.fixture(params=["fs", pytest.param("s3", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObjectStore]:
    """An empty store: a fresh folder, or a fresh bucket on the session's S3 server."""
    store: ObjectStore
    if request.param == "fs":
        store = FsObjectStore(tmp_path / "objects", tmp_path / "tmp")
    else:
        store = request.getfixturevalue("s3_server").store(tmp_path / "s3-tmp")
    yield store
    store.close()  # idle keep-alive connections would delay the server's shutdown
