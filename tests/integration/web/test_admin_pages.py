"""Verwaltung: admin-only pages and forms, CSV import, users and roles (audited),
API tokens, workflow definitions, system status and the retry of a failed file."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from eakte.ingest import Inbox, Pipeline, run_job
from eakte.ingest._retry import HISTORY
from eakte.records import (
    SYSTEM,
    Records,
    create_token,
    create_user,
    grant_role,
    list_plan_items,
    list_tokens,
    query_audit,
)
from tests.integration.web import admin_support
from tests.integration.web.admin_support import PASSWORD, XSS
from tests.integration.web.test_web import csrf_token, login

settings, people, app, clients = (  # the shared fixtures
    admin_support.settings,
    admin_support.people,
    admin_support.app,
    admin_support.clients,
)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FILE_XSS = "<img src=x onerror=alert(1)>"  # a file name cannot hold the "/" of </script>
GOOD_CSV = (
    "\ufeffcode;title;retention_years;disposition\n"
    "6.4;Denkmalförderung;10;A\n6.4.1;Zuschüsse;;V\n1.2;Schon da;6;V\n"
)
BAD_CSV = "code,title,retention_years,disposition\n6.5,Gut,10,B\n6.6,Schlecht,zehn,B\n"


def _csv(text: str | bytes) -> tuple[io.BytesIO, str]:
    return io.BytesIO(text.encode() if isinstance(text, str) else text), "plan.csv"


def _post(client: FlaskClient, url: str, **data: object) -> object:
    return client.post(url, data={"csrf_token": csrf_token(client, "/passwort"), **data})


def test_a_clerk_gets_403_on_every_administration_page_and_form(
    records: Records, clients: dict[str, FlaskClient]
) -> None:
    clerk = clients["sb32"]
    token = create_token(records, SYSTEM, username="admin", name="Fachverfahren").info.id
    for url in (
        "/verwaltung",
        "/verwaltung/benutzer",
        "/verwaltung/benutzer/admin",
        "/verwaltung/organisationseinheiten",
        "/verwaltung/aktenplan",
        "/verwaltung/workflows",
        "/verwaltung/system",
        "/verwaltung/tokens",
    ):
        assert clerk.get(url).status_code == 403, url
    csv = _csv(GOOD_CSV)
    for url, data in (
        ("/verwaltung/benutzer", {"username": "neu", "password": PASSWORD}),
        ("/verwaltung/benutzer/sb32/aktiv", {"active": "0"}),
        (
            "/verwaltung/benutzer/admin/passwort",
            {"password": PASSWORD, "repeat_password": PASSWORD},
        ),
        ("/verwaltung/benutzer/admin/passwort", {"password": PASSWORD, "repeat_password": "x"}),
        ("/verwaltung/benutzer/sb32/rollen", {"orgunit": "VW", "role": "admin"}),
        ("/verwaltung/benutzer/admin/rollen/entziehen", {"orgunit": "VW", "role": "admin"}),
        ("/verwaltung/organisationseinheiten", {"code": "99", "name": "Neu"}),
        ("/verwaltung/aktenplan", {"code": "6.9", "title": "Neu"}),
        ("/verwaltung/aktenplan/import", {"file": csv}),
        ("/verwaltung/workflows/laden", {}),
        ("/verwaltung/system/fehlgeschlagen/0123456789abcdef0123/wiederholen", {}),
        ("/verwaltung/tokens", {"username": "sb32", "name": "Meins"}),
        (f"/verwaltung/tokens/{token}/widerrufen", {}),
    ):
        assert _post(clerk, url, **data).status_code == 403, url
    # nothing changed
    assert "6.4" not in {i.code for i in list_plan_items(records)}
    events = query_audit(records, SYSTEM, actor="sb32", limit=10).entries
    assert events == []


def test_forms_need_the_csrf_token(clients: dict[str, FlaskClient]) -> None:
    response = clients["chef"].post("/verwaltung/organisationseinheiten", data={"code": "99"})
    assert response.status_code == 400


def test_the_admin_sees_every_section_in_german(clients: dict[str, FlaskClient]) -> None:
    admin = clients["chef"]
    for url in (
        "/verwaltung",
        "/verwaltung/benutzer",
        "/verwaltung/benutzer/sb32",
        "/verwaltung/organisationseinheiten",
        "/verwaltung/aktenplan",
        "/verwaltung/workflows",
        "/verwaltung/system",
        "/verwaltung/tokens",
    ):
        page = admin.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert 'aria-label="Verwaltung"' in html, url
    html = admin.get("/verwaltung/benutzer").get_data(as_text=True)
    assert "Benutzerkonten" in html and "sb32" in html and "32: sachbearbeitung" in html


def test_csv_import_with_a_bad_row_imports_nothing(
    records: Records, clients: dict[str, FlaskClient]
) -> None:
    admin = clients["chef"]
    response = _post(admin, "/verwaltung/aktenplan/import", file=_csv(BAD_CSV))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Zeile 3:" in html and "zehn" in html and "Es wurde nichts importiert" in html
    assert not {"6.5", "6.6"} & {i.code for i in list_plan_items(records)}


def test_csv_import_of_a_good_file_reports_existing_codes(
    records: Records, clients: dict[str, FlaskClient]
) -> None:
    admin = clients["chef"]
    response = _post(admin, "/verwaltung/aktenplan/import", file=_csv(GOOD_CSV))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "2 Aktenplaneinheiten importiert, 1 gab es schon" in html
    items = {i.code: i for i in list_plan_items(records)}
    assert items["6.4.1"].retention_years is None and items["6.4.1"].disposition == "V"
    assert items["1.2"].title == "Sondernutzung öffentlicher Flächen"  # not overwritten
    created = query_audit(records, SYSTEM, action="fileplan.item_created", actor="chef", limit=10)
    assert {e.details["code"] for e in created.entries} == {"6.4", "6.4.1"}


def test_user_create_grant_revoke_and_deactivate_are_audited(
    records: Records, app: object, clients: dict[str, FlaskClient]
) -> None:
    admin = clients["chef"]
    response = _post(
        admin, "/verwaltung/benutzer", username="neu", display_name="Neue", password=PASSWORD
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/verwaltung/benutzer/neu"
    assert (
        _post(admin, "/verwaltung/benutzer/neu/rollen", orgunit="33", role="leitung").status_code
        == 302
    )
    html = admin.get("/verwaltung/benutzer/neu").get_data(as_text=True)
    assert "Rolle vergeben." in html and "33 Bürgerbüro" in html
    revoke = _post(admin, "/verwaltung/benutzer/neu/rollen/entziehen", orgunit="33", role="leitung")
    assert revoke.status_code == 302
    assert _post(admin, "/verwaltung/benutzer/neu/aktiv", active="0").status_code == 302
    actions = [e.action for e in query_audit(records, SYSTEM, actor="chef", limit=20).entries]
    assert actions == ["user.deactivated", "role.revoked", "role.granted", "user.created"]
    fresh = app.test_client()  # type: ignore[attr-defined]
    assert login(fresh, "neu", PASSWORD) == 401


def test_an_admin_cannot_lock_himself_out(clients: dict[str, FlaskClient]) -> None:
    admin = clients["chef"]
    response = _post(admin, "/verwaltung/benutzer/chef/aktiv", active="0")
    assert response.status_code == 422
    assert "yourself" in response.get_data(as_text=True)
    response = _post(
        admin, "/verwaltung/benutzer/chef/rollen/entziehen", orgunit="VW", role="admin"
    )
    assert response.status_code == 422


def test_user_input_is_escaped(clients: dict[str, FlaskClient]) -> None:
    admin = clients["chef"]
    assert (
        _post(admin, "/verwaltung/organisationseinheiten", code="98", name=XSS).status_code == 302
    )
    csv = f"code;title\n6.7;{XSS}\n".encode()
    assert _post(admin, "/verwaltung/aktenplan/import", file=_csv(csv)).status_code == 200
    csv = f"code;title\n6.8;{XSS};x\n".encode()
    bad = _post(admin, "/verwaltung/aktenplan/import", file=_csv(csv)).get_data(as_text=True)
    for html in (
        admin.get("/verwaltung/organisationseinheiten").get_data(as_text=True),
        admin.get("/verwaltung/aktenplan").get_data(as_text=True),
        bad,
    ):
        assert XSS not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_token_is_shown_once_listed_by_prefix_and_revoked(
    records: Records, clients: dict[str, FlaskClient]
) -> None:
    admin = clients["chef"]
    html = _post(admin, "/verwaltung/tokens", username="sb32", name="Fachverfahren").get_data(
        as_text=True
    )
    assert "nur dieses eine Mal" in html
    secret = html.split('id="new-token" class="token" value="', 1)[1].split('"', 1)[0]
    assert secret.startswith("eakte_")
    listing = admin.get("/verwaltung/tokens").get_data(as_text=True)
    assert secret not in listing and f"{secret[:12]}…" in listing
    (token,) = list_tokens(records, SYSTEM)
    response = _post(admin, f"/verwaltung/tokens/{token.id}/widerrufen")
    assert response.status_code == 302
    assert "widerrufen" in admin.get("/verwaltung/tokens").get_data(as_text=True)
    actions = [e.action for e in query_audit(records, SYSTEM, object_id=token.id, limit=5).entries]
    assert actions == ["token.revoked", "token.created"]


def test_workflow_definitions_are_listed_and_loaded(clients: dict[str, FlaskClient]) -> None:
    admin = clients["chef"]
    html = admin.get("/verwaltung/workflows").get_data(as_text=True)
    assert "antrag.yaml" in html and "Noch keine Definitionen geladen." in html
    response = _post(admin, "/verwaltung/workflows/laden")
    assert response.status_code == 302
    html = admin.get("/verwaltung/workflows").get_data(as_text=True)
    assert "chef" in html and "Noch keine Definitionen geladen." not in html


def test_a_failed_inbox_file_is_retried(records: Records, clients: dict[str, FlaskClient]) -> None:
    config = records.settings
    inbox = Inbox(config)
    inbox.ensure()
    (config.inbox_dir / "32").mkdir()
    dropped = config.inbox_dir / "32" / f"Scan {FILE_XSS}.bin"
    shutil.copy(FIXTURES / "zero.bin", dropped)
    job = inbox.claim(dropped)
    assert job is not None
    result = run_job(Pipeline(records), inbox, job)
    assert result is not None and result.outcome.status == "failed"

    admin = clients["chef"]
    html = admin.get("/verwaltung/system").get_data(as_text=True)
    assert FILE_XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "empty" in html.lower() or "leer" in html.lower()
    item_id = html.split("/verwaltung/system/fehlgeschlagen/", 1)[1].split("/", 1)[0]
    response = _post(admin, f"/verwaltung/system/fehlgeschlagen/{item_id}/wiederholen")
    assert response.status_code == 302
    (back,) = (config.inbox_dir / "32").iterdir()  # back where it came in
    assert back.read_bytes() == b""
    assert inbox.failed_files() == []
    kept = list((config.resolved_failed_dir / HISTORY / "32").iterdir())
    assert len(kept) == 1 and kept[0].name.endswith(".retried.txt")  # the reason is kept
    assert "Grund (empty-file)" in kept[0].read_text(encoding="utf-8")
    (event,) = query_audit(records, SYSTEM, action="ingest.retried", limit=5).entries
    assert event.actor == "user:chef" and event.details["reason"]
    # the id was used up: a second retry finds nothing
    again = _post(admin, f"/verwaltung/system/fehlgeschlagen/{item_id}/wiederholen")
    assert again.status_code == 404


@pytest.mark.parametrize("item_id", ["..%2F..%2Fetc%2Fpasswd", "x" * 20])
def test_retry_takes_no_paths(clients: dict[str, FlaskClient], item_id: str) -> None:
    response = _post(clients["chef"], f"/verwaltung/system/fehlgeschlagen/{item_id}/wiederholen")
    assert response.status_code == 404


def test_system_status_shows_storage_index_and_key(clients: dict[str, FlaskClient]) -> None:
    html = clients["chef"].get("/verwaltung/system").get_data(as_text=True)
    assert "FsObjectStore" in html and "Signaturschlüssel" in html
    assert "Keine fehlgeschlagenen Dateien." in html


def test_the_registratur_manages_the_file_plan_only(records: Records, app: Flask) -> None:
    create_user(records, SYSTEM, username="reg", display_name="Reg", password=PASSWORD)
    grant_role(records, SYSTEM, username="reg", orgunit="VW", role="registratur")
    client = app.test_client()
    assert login(client, "reg", PASSWORD) == 302
    overview = client.get("/verwaltung").get_data(as_text=True)
    assert 'href="/verwaltung/aktenplan"' in overview
    assert "Konten, Rollen je Organisationseinheit" not in overview
    assert client.get("/verwaltung/aktenplan").status_code == 200
    assert _post(client, "/verwaltung/aktenplan", code="6.9", title="Neu").status_code == 302
    for url in ("/verwaltung/benutzer", "/verwaltung/system", "/verwaltung/tokens"):
        assert client.get(url).status_code == 403, url
