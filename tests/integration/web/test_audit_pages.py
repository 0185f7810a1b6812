"""Protokoll: one object's trail and the query form; who sees which events."""

from __future__ import annotations

from flask.testing import FlaskClient

from eakte.records import Records
from tests.integration.web import admin_support
from tests.integration.web.admin_support import XSS, document_in

settings, people, app, clients = (  # the shared fixtures
    admin_support.settings,
    admin_support.people,
    admin_support.app,
    admin_support.clients,
)


def test_a_document_trail_shows_time_actor_and_action_in_german(
    records: Records, clients: dict[str, FlaskClient]
) -> None:
    doc = document_in(records, "32", f"Antrag {XSS}")
    page = clients["sb32"].get(f"/protokoll/document/{doc}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Dokument angelegt" in html and "Ereignisse dieses Objekts" in html
    assert '<th scope="col">Zeit</th>' in html
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'href="/dokumente/{doc}"' in html


def test_times_are_shown_in_berlin_time(records: Records, clients: dict[str, FlaskClient]) -> None:
    doc = document_in(records, "32", "Zeitprobe")
    html = clients["sb32"].get(f"/protokoll/document/{doc}").get_data(as_text=True)
    stamp = html.split('<time datetime="', 1)[1].split('"', 1)[0]
    shown = html.split('<time datetime="', 1)[1].split(">", 1)[1].split("<", 1)[0]
    from datetime import datetime
    from zoneinfo import ZoneInfo

    local = datetime.fromisoformat(stamp).astimezone(ZoneInfo("Europe/Berlin"))
    assert shown == local.strftime("%d.%m.%Y %H:%M:%S")


def test_a_user_of_10_cannot_see_the_events_of_a_32_document(
    records: Records, clients: dict[str, FlaskClient]
) -> None:
    doc = document_in(records, "32", "Sondernutzung Marktplatz")
    other = clients["sb10"]
    assert other.get(f"/protokoll/document/{doc}").status_code == 404
    html = other.get("/protokoll", query_string={"object_id": doc}).get_data(as_text=True)
    assert "Keine Ereignisse gefunden." in html and "Sondernutzung" not in html
    html = other.get("/protokoll").get_data(as_text=True)
    assert doc[:8] not in html
    # the org unit's own clerk, the auditor and the admin see them
    for name in ("sb32", "pruefer", "chef"):
        assert clients[name].get(f"/protokoll/document/{doc}").status_code == 200, name


def test_clerks_do_not_see_administration_events(
    records: Records, clients: dict[str, FlaskClient]
) -> None:
    html = clients["sb32"].get("/protokoll", query_string={"action": "user"}).get_data(as_text=True)
    assert "Benutzer angelegt" not in html.split("<table", 1)[1]
    html = (
        clients["pruefer"].get("/protokoll", query_string={"action": "user"}).get_data(as_text=True)
    )
    assert "Benutzer angelegt" in html.split("<table", 1)[1]


def test_the_query_filters_by_actor_action_and_time_and_pages(
    records: Records, clients: dict[str, FlaskClient]
) -> None:
    auditor = clients["pruefer"]
    for n in range(3):
        document_in(records, "33", f"Meldung {n}")
    html = auditor.get(
        "/protokoll", query_string={"action": "document.created", "actor": "system"}
    ).get_data(as_text=True)
    table = html.split("<tbody>", 1)[1]
    assert table.count("Dokument angelegt") == 3
    html = auditor.get(
        "/protokoll", query_string={"von": "2000-01-01", "bis": "2000-01-31"}
    ).get_data(as_text=True)
    assert "Keine Ereignisse gefunden." in html
    bad = auditor.get("/protokoll", query_string={"von": "gestern"})
    assert bad.status_code == 400 and "JJJJ-MM-TT" in bad.get_data(as_text=True)
    first = auditor.get("/protokoll").get_data(as_text=True)
    assert "Ältere Ereignisse" in first  # the demo alone writes more than one page
    second = auditor.get("/protokoll", query_string={"seite": "2"}).get_data(as_text=True)
    assert "Neuere Ereignisse" in second and "Seite 2" in second


def test_anonymous_visitors_are_sent_to_login(app: object) -> None:
    response = app.test_client().get("/protokoll")  # type: ignore[attr-defined]
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_workflow_events_follow_their_org_unit(
    records: Records, clients: dict[str, FlaskClient]
) -> None:
    from eakte.records import SYSTEM
    from eakte.workflow import start_workflow, sync_definitions

    sync_definitions(records, SYSTEM)
    doc = document_in(records, "32", "Eingang")
    instance = start_workflow(records, SYSTEM, "posteingang", document_id=doc).instance_id
    page = clients["sb32"].get(f"/protokoll/workflow/{instance}")
    assert page.status_code == 200 and "Geschäftsgang gestartet" in page.get_data(as_text=True)
    assert clients["sb10"].get(f"/protokoll/workflow/{instance}").status_code == 404
