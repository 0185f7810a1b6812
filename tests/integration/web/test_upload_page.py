"""/hochladen: files uploaded through the web go through the inbox pipeline and end as
documents; status per file; the deposit permission is checked in the service."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from eakte.ingest import UploadRunner
from eakte.models import Document
from eakte.records import Records
from eakte.web import create_app
from tests.integration.web.fileplan_support import page
from tests.integration.web.test_web import csrf_token, login
from tests.integration.workflow import conftest as workflow_world
from tests.integration.workflow.conftest import PASSWORD, World

world = workflow_world.world  # fixture
XSS_NAME = "<img src=x onerror=alert(1)>.txt"  # a file name has no "/": the last part is kept
Login = Callable[[str], FlaskClient]
LETTER = (
    "Stadtverwaltung Musterstadt\nOrdnungsamt\n\nAntrag auf Sondernutzung\n\n"
    "Sehr geehrte Damen und Herren,\nhiermit beantrage ich die Aufstellung von zwei Tischen "
    "vor meinem Geschäft in der Marktstraße {n}.\n\nMit freundlichen Grüßen\nErika Muster\n"
)


@pytest.fixture
def uploads(world: World, tmp_path: Path) -> Iterator[Records]:
    """The world's database with the inbox in the test's folder (never the working copy's)."""
    settings = world.records.settings.model_copy(
        update={"inbox_dir": tmp_path / "inbox", "ingest_workers": 1}
    )
    records = Records(settings)
    yield records
    records.close()


@pytest.fixture
def app(uploads: Records) -> Iterator[Flask]:
    app = create_app(uploads.settings, uploads)
    yield app
    runner: UploadRunner | None = app.extensions.get("eakte.uploads")
    if runner is not None:
        runner.shutdown()


@pytest.fixture
def as_user(app: Flask) -> Login:
    def make(username: str) -> FlaskClient:
        client = app.test_client()
        assert login(client, username, PASSWORD) == 302
        return client

    return make


def _files(*pairs: tuple[bytes, str]) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(data), name) for data, name in pairs]


def _job_ids(html: str) -> list[str]:
    return re.findall(r'id="job-([0-9a-f-]+)"', html)


def _wait(app: Flask) -> None:
    runner: UploadRunner = app.extensions["eakte.uploads"]
    runner.wait()


def test_two_files_become_documents(app: Flask, as_user: Login, uploads: Records) -> None:
    anna = as_user("anna")
    html = page(anna, "/hochladen")
    assert 'value="32"' in html and 'value="10"' not in html  # only where anna may deposit
    assert "upload.js" in html and 'type="file" multiple' in html
    response = anna.post(
        "/hochladen",
        data={
            "csrf_token": csrf_token(anna, "/hochladen"),
            "orgunit": "32",
            "files": _files(
                (LETTER.format(n=1).encode(), "antrag.txt"),
                (LETTER.format(n=2).encode(), XSS_NAME),
            ),
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    jobs = _job_ids(html)
    assert len(jobs) == 2 and 'hx-trigger="every 2s"' in html
    assert XSS_NAME not in html and "&lt;img src=x onerror=alert(1)&gt;.txt" in html
    _wait(app)
    documents = []
    for job in jobs:
        status = anna.get(f"/hochladen/status/{job}")
        fragment = status.get_data(as_text=True)
        assert status.status_code == 200 and "status-stored" in fragment, fragment
        assert "gespeichert" in fragment
        assert "hx-trigger" not in fragment  # polling stops
        assert XSS_NAME not in fragment
        documents += re.findall(r'href="/dokumente/([0-9a-f-]+)"', fragment)
    assert len(documents) == 2
    with uploads.reading() as session:
        for document_id in documents:
            document = session.get(Document, document_id)
            assert document is not None and document.orgunit.code == "32"
    # the bytes went through temporary files with random names, never the client's name
    data = uploads.settings.data_dir
    inbox = uploads.settings.inbox_dir
    names = {name for root in (data, inbox) for _, _, files in os.walk(root) for name in files}
    assert "antrag.txt" not in names and not any("onerror" in name for name in names)
    assert not list((data / "tmp").glob("upload-*"))


def test_the_same_file_again_is_a_duplicate(app: Flask, as_user: Login) -> None:
    anna = as_user("anna")
    token = csrf_token(anna, "/hochladen")
    ids = []
    for _ in range(2):
        response = anna.post(
            "/hochladen",
            data={
                "csrf_token": token,
                "orgunit": "32",
                "files": _files((b"Rechnung 0815", "r.txt")),
            },
            headers={"X-Requested-With": "XMLHttpRequest"},  # as upload.js sends it
            content_type="multipart/form-data",
        )
        fragment = response.get_data(as_text=True)
        assert response.status_code == 200 and fragment.lstrip().startswith("<li")
        ids += _job_ids(fragment)
        _wait(app)
    second = anna.get(f"/hochladen/status/{ids[1]}").get_data(as_text=True)
    assert "status-duplicate" in second and "Duplikat" in second


def test_deposit_permission_is_checked(app: Flask, as_user: Login, uploads: Records) -> None:
    anna, hans = as_user("anna"), as_user("hans")
    token = csrf_token(hans, "/hochladen")
    response = hans.post(
        "/hochladen",
        data={"csrf_token": token, "orgunit": "32", "files": _files((b"x" * 10, "a.txt"))},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert not list(uploads.settings.resolved_processing_dir.glob("*/job.json"))
    response = anna.post(
        "/hochladen",
        data={
            "csrf_token": csrf_token(anna, "/hochladen"),
            "orgunit": "32",
            "files": _files((LETTER.format(n=3).encode(), "b.txt")),
        },
        content_type="multipart/form-data",
    )
    job = _job_ids(response.get_data(as_text=True))[0]
    _wait(app)
    assert hans.get(f"/hochladen/status/{job}").status_code == 404  # another department's
    assert hans.get("/hochladen/status/../../etc").status_code == 404
    no_token = anna.post(
        "/hochladen",
        data={"orgunit": "32", "files": _files((b"y", "c.txt"))},
        content_type="multipart/form-data",
    )
    assert no_token.status_code == 400
