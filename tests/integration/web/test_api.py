"""The JSON API: bearer tokens, search, document metadata and versions, JSON errors,
and every answer checked against the schemas in docs/openapi.yaml."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from eakte.records import SYSTEM, Records, create_token, revoke_token, set_user_active
from eakte.records._tokens import authenticate_token
from eakte.search import SearchIndexer
from tests.integration.web import admin_support
from tests.integration.web.admin_support import XSS, document_in

settings, people, app = admin_support.settings, admin_support.people, admin_support.app
SPEC = yaml.safe_load((Path(__file__).resolve().parents[3] / "docs" / "openapi.yaml").read_text())


def check(response: Any, path: str) -> Any:
    """The body validates against the schema the spec gives for this path and status."""
    answer = SPEC["paths"][path]["get"]["responses"][str(response.status_code)]
    if "$ref" in answer:
        answer = SPEC["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
    schema = answer["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": SPEC["components"]})
    body = response.get_json()
    validator.validate(body)
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return body


def test_the_spec_describes_every_api_route(app: Flask) -> None:
    assert SPEC["openapi"].startswith("3.1")
    for schema in SPEC["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == set(SPEC["paths"])


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    return app.test_client()


def bearer(records: Records, username: str) -> dict[str, str]:
    token = create_token(records, SYSTEM, username=username, name="Test")
    return {"Authorization": f"Bearer {token.secret}"}


def test_without_or_with_a_wrong_token_the_answer_is_401(
    records: Records, api: FlaskClient, people: dict[str, str]
) -> None:
    for headers in (
        {},
        {"Authorization": "Basic YWRtaW46eA=="},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer eakte_not-a-real-token"},
    ):
        response = api.get("/api/v1/search", query_string={"q": "x"}, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        check(response, "/search")


def test_a_session_cookie_is_not_enough(records: Records, app: Flask) -> None:
    client = app.test_client()
    from tests.integration.web.test_web import login

    assert login(client, "chef", admin_support.PASSWORD) == 302
    assert client.get("/api/v1/search", query_string={"q": "x"}).status_code == 401


def test_revoked_expired_and_deactivated_tokens_are_refused(
    records: Records, api: FlaskClient, people: dict[str, str]
) -> None:
    doc = document_in(records, "32", "Antrag")
    token = create_token(records, SYSTEM, username="sb32", name="Fachverfahren")
    headers = {"Authorization": f"Bearer {token.secret}"}
    assert api.get(f"/api/v1/documents/{doc}", headers=headers).status_code == 200
    set_user_active(records, SYSTEM, username="sb32", active=False)
    assert api.get(f"/api/v1/documents/{doc}", headers=headers).status_code == 401
    set_user_active(records, SYSTEM, username="sb32", active=True)
    revoke_token(records, SYSTEM, token.info.id)
    assert api.get(f"/api/v1/documents/{doc}", headers=headers).status_code == 401
    soon = create_token(
        records,
        SYSTEM,
        username="sb32",
        name="Kurz",
        expires_at=token.info.created_at + timedelta(days=3650),
    )
    assert authenticate_token(records, soon.secret).name == "sb32"


def test_last_use_is_written_at_most_once_a_minute(
    records: Records, api: FlaskClient, people: dict[str, str]
) -> None:
    from eakte.records import list_tokens

    headers = bearer(records, "sb32")
    doc = document_in(records, "32", "Antrag")
    api.get(f"/api/v1/documents/{doc}", headers=headers)
    (first,) = list_tokens(records, SYSTEM)
    api.get(f"/api/v1/documents/{doc}", headers=headers)
    (second,) = list_tokens(records, SYSTEM)
    assert first.last_used_at is not None and first.last_used_at == second.last_used_at


def test_document_metadata_and_versions(
    records: Records, api: FlaskClient, people: dict[str, str]
) -> None:
    doc = document_in(records, "32", f"Antrag {XSS}", text="Sondernutzung Marktplatz")
    headers = bearer(records, "sb32")
    body = check(api.get(f"/api/v1/documents/{doc}", headers=headers), "/documents/{document_id}")
    assert body["title"] == f"Antrag {XSS}" and body["orgunit"] == "32"
    assert body["version_count"] == 1 and body["sender"] == "Stadtwerke"
    response = api.get(f"/api/v1/documents/{doc}/versions", headers=headers)
    body = check(response, "/documents/{document_id}/versions")
    (version,) = body["versions"]
    assert version["signature_valid"] is True and version["filename"].endswith(".txt")


def test_other_departments_and_unknown_documents(
    records: Records, api: FlaskClient, people: dict[str, str]
) -> None:
    doc = document_in(records, "32", "Antrag")
    headers = bearer(records, "sb10")
    response = api.get(f"/api/v1/documents/{doc}", headers=headers)
    assert response.status_code in (403, 404)
    body = check(response, "/documents/{document_id}")
    assert "Antrag" not in str(body)
    versions = api.get(f"/api/v1/documents/{doc}/versions", headers=headers)
    assert versions.status_code in (403, 404)
    check(versions, "/documents/{document_id}/versions")
    missing = api.get("/api/v1/documents/00000000-0000-0000-0000-000000000000", headers=headers)
    assert missing.status_code == 404
    check(missing, "/documents/{document_id}")


def test_search_finds_only_readable_documents(
    records: Records, api: FlaskClient, people: dict[str, str]
) -> None:
    mine = document_in(records, "32", "Sondernutzung Marktplatz", text="Marktstände Wochenmarkt")
    document_in(records, "10", "Personalakte Wochenmarkt", text="Wochenmarkt Aushilfe")
    indexer = SearchIndexer(records)
    indexer.sync()
    indexer.close()
    response = api.get(
        "/api/v1/search", query_string={"q": "Wochenmarkt"}, headers=bearer(records, "sb32")
    )
    body = check(response, "/search")
    assert body["total"] == 1 and [h["document_id"] for h in body["hits"]] == [mine]
    assert "Wochenmarkt" in body["hits"][0]["snippet"]
    auditor = api.get(
        "/api/v1/search", query_string={"q": "Wochenmarkt"}, headers=bearer(records, "pruefer")
    )
    assert check(auditor, "/search")["total"] == 2
    for query in ({"q": ""}, {"q": "x", "page": "0"}, {"q": "x", "page": "zwei"}):
        bad = api.get("/api/v1/search", query_string=query, headers=bearer(records, "sb32"))
        assert bad.status_code == 400
        check(bad, "/search")


def test_only_get_is_answered(records: Records, api: FlaskClient, people: dict[str, str]) -> None:
    response = api.post("/api/v1/search", query_string={"q": "x"}, headers=bearer(records, "sb32"))
    assert response.status_code == 405
