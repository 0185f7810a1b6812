"""Shared fixtures: settings in a temp data dir, a migrated database on SQLite
and PostgreSQL, and a ready records context with a signing key."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from eakte import db
from eakte.config import Settings, load_settings
from eakte.records import SYSTEM, Records, init_keys
from eakte.records._demo import DemoResult, load_demo
from tests.services.postgres import PostgresCluster, pg_cluster  # noqa: F401  (fixture)
from tests.services.redis import redis_server  # noqa: F401  (fixture)
from tests.services.s3 import SeaweedS3, s3_server  # noqa: F401  (fixture)

TEST_PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own EAKTE_* settings must never reach the tests."""
    for name in list(os.environ):
        if name.startswith("EAKTE_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test (migrating once is enough)."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    db.upgrade(load_settings(data_dir=folder))
    return folder / "eakte.sqlite3"


@pytest.fixture(scope="session")
def pg_template(pg_cluster: PostgresCluster) -> str:  # noqa: F811
    name = pg_cluster.create_database()
    db.upgrade(load_settings(database_url=pg_cluster.url(name)))
    return name


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated, empty database of each kind."""
    if request.param == "sqlite":
        target = tmp_path / "eakte.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster.url(cluster.create_database(template=request.getfixturevalue("pg_template")))


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return load_settings(
        data_dir=tmp_path / "var",
        database_url=database_url,
        key_passphrase=TEST_PASSPHRASE,
        audit_checkpoint_seconds=0,  # sign after every change: the strictest mode
    )


@pytest.fixture
def records(settings: Settings) -> Iterator[Records]:
    """Records on the fs store, with a signing key."""
    settings.ensure_data_dir()
    context = Records(settings)
    init_keys(context, SYSTEM)
    yield context
    context.close()


@pytest.fixture
def demo(records: Records) -> DemoResult:
    return load_demo(records)
