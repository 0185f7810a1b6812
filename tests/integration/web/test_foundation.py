"""The web UI's frame: languages, login rate limit, password change, error pages."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from eakte.records import Records
from eakte.records._demo import DemoResult
from eakte.web import create_app
from tests.integration.web.test_web import csrf_token, login


@pytest.fixture
def client(records: Records, demo: DemoResult) -> FlaskClient:
    return create_app(records.settings, records).test_client()


def test_german_by_default_english_on_request(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="de">' in page and "Benutzername" in page and "Anmelden" in page
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "User name" in page
    page = client.get("/login").get_data(as_text=True)  # remembered in the session
    assert "User name" in page


def test_logins_are_rate_limited_per_address(records: Records, demo: DemoResult) -> None:
    settings = records.settings.model_copy(update={"login_rate_limit": "3 per minute"})
    client = create_app(settings, records).test_client()
    assert [login(client, "admin", "falsch falsch") for _ in range(3)] == [401, 401, 401]
    assert login(client, "admin", demo.admin_password or "") == 429  # even the right one
    page = client.post("/login", data={"csrf_token": csrf_token(client)})
    assert "Zu viele Versuche" in page.get_data(as_text=True)


def test_change_password_needs_the_current_one(client: FlaskClient, demo: DemoResult) -> None:
    assert login(client, "admin", demo.admin_password or "") == 302
    token = csrf_token(client, "/passwort")
    form = {
        "csrf_token": token,
        "current_password": "falsch",
        "new_password": "ein neues langes",
        "repeat_password": "ein neues langes",
    }
    wrong = client.post("/passwort", data=form)
    assert wrong.status_code == 422 and "bisherige Passwort ist falsch" in wrong.get_data(True)
    form["current_password"] = demo.admin_password or ""
    form["repeat_password"] = "etwas anderes"
    assert "stimmen nicht überein" in client.post("/passwort", data=form).get_data(True)
    form["repeat_password"] = "ein neues langes"
    assert client.post("/passwort", data=form).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, "admin", demo.admin_password or "") == 401
    assert login(client, "admin", "ein neues langes") == 302


def test_unknown_page_is_a_german_404(client: FlaskClient, demo: DemoResult) -> None:
    login(client, "admin", demo.admin_password or "")
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    assert "Nicht gefunden" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
