"""An installation with demo data and an inbox in a temp folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from eakte.config import Settings, load_settings
from eakte.ingest import Inbox, Pipeline
from eakte.records import SYSTEM, Records, init_keys
from eakte.records._demo import load_demo
from tests.conftest import TEST_PASSPHRASE

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def make_settings(tmp_path: Path, database_url: str, **extra: object) -> Settings:
    return load_settings(
        data_dir=tmp_path / "var",
        database_url=database_url,
        key_passphrase=TEST_PASSPHRASE,
        inbox_dir=tmp_path / "inbox",
        inbox_settle_seconds=0.3,
        ingest_workers=1,
        **extra,
    )


@pytest.fixture
def ingest_settings(tmp_path: Path, sqlite_template: Path) -> Settings:
    target = tmp_path / "eakte.sqlite3"
    shutil.copy(sqlite_template, target)
    return make_settings(tmp_path, f"sqlite:///{target}")


@pytest.fixture
def installation(ingest_settings: Settings) -> Iterator[Records]:
    ingest_settings.ensure_data_dir()
    records = Records(ingest_settings)
    init_keys(records, SYSTEM)
    load_demo(records)
    Inbox(ingest_settings).ensure()
    yield records
    records.close()


@pytest.fixture
def pipeline(installation: Records) -> Pipeline:
    return Pipeline(installation)
