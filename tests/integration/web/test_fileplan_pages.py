"""/aktenplan and /akten/<reference>: the tree, the Akte and Vorgang pages and their
forms (new Vorgang, start a workflow, Wiedervorlage), permissions and escaping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from eakte import records as svc
from eakte.models import Case
from eakte.records import SYSTEM, VersionInput
from tests.integration.web import fileplan_support as support
from tests.integration.web.fileplan_support import XSS, page, post
from tests.integration.web.test_web import csrf_token
from tests.integration.workflow import conftest as workflow_world
from tests.integration.workflow.conftest import PASSWORD, World

world, app, as_user = workflow_world.world, support.app, support.as_user  # fixtures

Login = Callable[[str], FlaskClient]


def _akte_of(world: World) -> str:
    with world.records.reading() as session:
        case = session.scalar(select(Case).where(Case.reference == world.case))
        assert case is not None
        return case.case_file.reference


def test_the_tree_shows_retention_and_only_readable_case_files(
    world: World, as_user: Login
) -> None:
    akte = _akte_of(world)
    html = page(as_user("anna"), "/aktenplan")
    assert "<details" in html and "<summary>" in html
    assert "Sondernutzung öffentlicher Flächen" in html and "vernichten (V)" in html
    assert f'href="/akten/{akte}"' in html
    assert "Sondernutzungen Markt" in html
    # hans works in 10: he sees the plan, but not the Akte of 32
    other = page(as_user("hans"), "/aktenplan")
    assert "Sondernutzung öffentlicher Flächen" in other
    assert "Sondernutzungen Markt" not in other and akte not in other


def test_the_akte_page_shows_metadata_cases_and_documents(world: World, as_user: Login) -> None:
    akte = _akte_of(world)
    svc.create_document(
        world.records,
        SYSTEM,
        title="Lageplan Eiscafé",
        orgunit="32",
        content=b"Lageplan",
        version=VersionInput(filename="lageplan.txt", media_type="text/plain"),
        case_file=akte,
        case=world.case,
    )
    client = as_user("anna")
    html = page(client, f"/akten/{akte}")
    assert f"{akte}" in html and "Sondernutzungen Markt" in html
    assert "1.2 Sondernutzung öffentlicher Flächen" in html
    assert "32 Ordnungsamt" in html
    assert world.case in html and "Antrag Eiscafé Venezia" in html and "Neuer Vorgang" in html
    assert "Lageplan Eiscafé" in html and 'href="/dokumente/' in html
    # and the Vorgang's own page, remembered as recently viewed
    html = page(client, f"/akten/{world.case}")
    assert "Antrag Eiscafé Venezia" in html and "Lageplan Eiscafé" in html
    assert "Federführung" in html and "anna" in html  # the owner
    assert "Ende der Aufbewahrungsfrist" in html and "läuft ab zdA" in html
    with client.session_transaction() as session:
        assert session["recent"][0][1] == world.case


def test_new_case_workflow_and_resubmission_through_the_forms(world: World, as_user: Login) -> None:
    akte = _akte_of(world)
    client = as_user("anna")
    status, html = post(
        client, f"/akten/{akte}", {"action": "new_case", "title": "Antrag Pizzeria"}
    )
    assert status == 200 and "Antrag Pizzeria" in html
    case = f"{akte}-2" if f"{akte}-2" in html else None
    assert case is not None, html

    status, html = post(
        client, f"/akten/{case}", {"action": "start_workflow", "workflow": "antrag"}
    )
    assert status == 200
    assert "Antrag prüfen" in html and 'href="/aufgaben/' in html
    # a Vorgang has one running workflow at a time: the message is shown, not a crash
    status, html = post(
        client, f"/akten/{case}", {"action": "start_workflow", "workflow": "antrag"}
    )
    assert status == 409 and 'role="alert"' in html and "already running" in html

    due = (date.today() + timedelta(days=7)).isoformat()
    status, html = post(
        client, f"/akten/{case}", {"action": "resubmission", "due": due, "note": "Nachfragen"}
    )
    assert status == 200 and "Nachfragen" in html
    status, html = post(
        client, f"/akten/{case}", {"action": "resubmission", "due": "2000-01-01", "note": "x"}
    )
    assert status == 409 and 'role="alert"' in html
    assert 'value="x"' in html  # the form keeps what was entered


def test_empty_title_is_refused_with_a_message(world: World, as_user: Login) -> None:
    status, html = post(
        as_user("anna"), f"/akten/{_akte_of(world)}", {"action": "new_case", "title": " "}
    )
    assert status == 400 and 'role="alert"' in html and "needs a title" in html


def test_other_departments_get_404_never_data(world: World, as_user: Login) -> None:
    akte = _akte_of(world)
    hans = as_user("hans")  # Sachbearbeitung in 10
    for path in (f"/akten/{akte}", f"/akten/{world.case}", "/akten/1.2-9999/2026"):
        response = hans.get(path)
        assert response.status_code == 404
        assert "Sondernutzungen Markt" not in response.get_data(as_text=True)
    response = hans.post(
        f"/akten/{akte}",
        data={"csrf_token": _token(hans), "action": "new_case", "title": "eingeschmuggelt"},
    )
    assert response.status_code == 404
    with world.records.reading() as session:
        assert session.scalar(select(Case).where(Case.title == "eingeschmuggelt")) is None


def test_readers_see_but_get_no_forms(world: World, as_user: Login) -> None:
    svc.create_user(
        world.records, SYSTEM, username="pruef", display_name="Prüfer", password=PASSWORD
    )
    svc.grant_role(world.records, SYSTEM, username="pruef", orgunit="32", role="auditor")
    client = as_user("pruef")
    html = page(client, f"/akten/{_akte_of(world)}")
    assert "Sondernutzungen Markt" in html and 'value="new_case"' not in html
    response = client.post(
        f"/akten/{_akte_of(world)}",
        data={"csrf_token": _token(client), "action": "new_case", "title": "Prüfervorgang"},
    )
    assert response.status_code == 404  # write permission is checked in the service


def test_titles_are_escaped(world: World, as_user: Login) -> None:
    anna = world.who("anna")
    akte = svc.create_case_file(world.records, anna, plan_code="1.2", title=XSS, orgunit="32")
    case = svc.create_case(world.records, anna, case_file_reference=akte.reference, title=XSS)
    svc.create_document(
        world.records,
        SYSTEM,
        title=XSS,
        orgunit="32",
        content=b"xss",
        version=VersionInput(filename=f"{XSS}.txt", media_type="text/plain"),
        case_file=akte.reference,
        case=case.reference,
    )
    client = as_user("anna")
    for path in ("/aktenplan", f"/akten/{akte.reference}", f"/akten/{case.reference}"):
        html = page(client, path)
        assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _token(client: FlaskClient) -> str:
    return csrf_token(client, "/aktenplan")
