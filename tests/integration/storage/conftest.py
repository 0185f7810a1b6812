"""The ``store`` fixture: every contract test runs against each backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from eakte.storage import FsObjectStore, ObjectStore
from tests.conftest import s3_store


@pytest.fixture(params=["fs", pytest.param("s3", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    """An empty store: a fresh folder, or a fresh bucket on the session's S3 server."""
    if request.param == "fs":
        return FsObjectStore(tmp_path / "objects", tmp_path / "tmp")
    return s3_store(request.getfixturevalue("s3_server"), tmp_path)
