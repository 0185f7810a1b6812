"""The web UI's first pages: login with CSRF, security headers, redirects."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from eakte.records import Records
from eakte.records._demo import DemoResult
from eakte.web import create_app


@pytest.fixture
def client(records: Records, demo: DemoResult) -> FlaskClient:
    app = create_app(records.settings, records)
    return app.test_client()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def login(client: FlaskClient, username: str, password: str) -> int:
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
    )
    return response.status_code


def test_anonymous_visitors_are_sent_to_login(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_login_needs_csrf_token(client: FlaskClient, demo: DemoResult) -> None:
    assert demo.admin_password
    response = client.post("/login", data={"username": "admin", "password": demo.admin_password})
    assert response.status_code == 400


def test_login_shows_the_start_page(client: FlaskClient, demo: DemoResult) -> None:
    assert demo.admin_password
    assert login(client, "admin", "wrong password") == 401
    assert login(client, "admin", demo.admin_password) == 302
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Willkommen, admin" in html
    assert "VW Stadtverwaltung Musterstadt – admin" in html
    headers = page.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_wrong_login_message_is_generic(client: FlaskClient) -> None:
    assert login(client, "nobody", "whatever pw") == 401
    html = client.get("/login").get_data(as_text=True)
    assert "Benutzername" in html


@pytest.mark.parametrize(
    "target", ["//evil.example/", "/\\evil.example", "/\tevil", "https://evil.example/"]
)
def test_open_redirect_is_refused(client: FlaskClient, demo: DemoResult, target: str) -> None:
    assert demo.admin_password
    response = client.post(
        "/login",
        query_string={"next": target},
        data={
            "username": "admin",
            "password": demo.admin_password,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.headers["Location"] == "/"


def test_local_next_is_kept(client: FlaskClient, demo: DemoResult) -> None:
    assert demo.admin_password
    response = client.post(
        "/login",
        query_string={"next": "/akten?x=1"},
        data={
            "username": "admin",
            "password": demo.admin_password,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.headers["Location"] == "/akten?x=1"
