"""Shared set-up for the file plan, workflow and upload page tests: the workflow
tests' world (people in 10 and 32, an Akte with a Vorgang, the shipped
workflows) and one logged-in test client per person."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from eakte.web import create_app
from tests.integration.web.test_web import csrf_token, login
from tests.integration.workflow.conftest import PASSWORD, World

XSS = "<script>alert(1)</script>"


@pytest.fixture
def app(world: World) -> Flask:
    return create_app(world.records.settings, world.records)


@pytest.fixture
def as_user(app: Flask) -> Callable[[str], FlaskClient]:
    """A new client, logged in as ``username``."""

    def make(username: str) -> FlaskClient:
        client = app.test_client()
        assert login(client, username, PASSWORD) == 302
        return client

    return make


def post(client: FlaskClient, path: str, data: dict[str, object]) -> tuple[int, str]:
    """POST a form of the page at ``path`` with its CSRF token; (status, page after redirects)."""
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, **data}, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)
