"""Shared set-up of the administration, audit trail and API tests: an installation
with demo data, an inbox in the temp folder, and users of two departments."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from eakte.config import Settings, load_settings
from eakte.records import (
    SYSTEM,
    DocumentDetails,
    Records,
    VersionInput,
    create_document,
    create_user,
    grant_role,
)
from eakte.records._demo import DemoResult
from eakte.web import create_app
from tests.conftest import TEST_PASSPHRASE
from tests.integration.web.test_web import login

PASSWORD = "richtig-langes-passwort"
XSS = "<script>alert(1)</script>"
USERS = {  # user name: (org unit, role)
    "sb32": ("32", "sachbearbeitung"),
    "sb10": ("10", "sachbearbeitung"),
    "pruefer": ("VW", "auditor"),
    "chef": ("VW", "admin"),
}


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """As tests/conftest.py, with the scanner inbox in the temp folder."""
    return load_settings(
        data_dir=tmp_path / "var",
        database_url=database_url,
        key_passphrase=TEST_PASSPHRASE,
        audit_checkpoint_seconds=0,
        inbox_dir=tmp_path / "inbox",
        inbox_settle_seconds=0,
        ingest_workers=1,
    )


@pytest.fixture
def people(records: Records, demo: DemoResult) -> dict[str, str]:
    for name, (unit, role) in USERS.items():
        create_user(records, SYSTEM, username=name, display_name=name.title(), password=PASSWORD)
        grant_role(records, SYSTEM, username=name, orgunit=unit, role=role)
    return {name: PASSWORD for name in USERS}


@pytest.fixture
def app(records: Records, people: dict[str, str]) -> Flask:
    return create_app(records.settings, records)


@pytest.fixture
def clients(app: Flask) -> Iterator[dict[str, FlaskClient]]:
    """One logged-in client per user (``admin`` is the demo's user ``chef``'s peer)."""
    found = {}
    for name in USERS:
        client = app.test_client()
        assert login(client, name, PASSWORD) == 302
        found[name] = client
    yield found


def document_in(records: Records, orgunit: str, title: str, text: str = "") -> str:
    version = create_document(
        records,
        SYSTEM,
        title=title,
        orgunit=orgunit,
        content=f"{title}\n{text}".encode(),
        version=VersionInput(filename=f"{XSS}.txt", media_type="text/plain"),
        details=DocumentDetails(text=text, sender="Stadtwerke"),
    )
    return version.document_id
