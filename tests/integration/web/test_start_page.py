"""The start page on SQLite and PostgreSQL: my tasks with due dates and overdue
marked in words, the transitions as links, Wiedervorlagen on their day, the
Posteingang of my org units only, recently viewed records, escaping."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from eakte import workflow as wf
from eakte.models import WorkflowTask
from eakte.web import create_app
from tests.integration.web.test_search_page import XSS, add
from tests.integration.web.test_web import login
from tests.integration.workflow.conftest import PASSWORD, World, world  # noqa: F401


@pytest.fixture
def app_client(world: World) -> FlaskClient:  # noqa: F811
    return create_app(world.records.settings, world.records).test_client()


def start(client: FlaskClient, username: str) -> str:
    assert login(client, username, PASSWORD) == 302
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


def test_anonymous_is_sent_to_login(app_client: FlaskClient) -> None:
    response = app_client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_my_tasks_with_due_date_and_transitions(
    app_client: FlaskClient,
    world: World,  # noqa: F811
) -> None:
    wf.start_workflow(world.records, world.who("anna"), "antrag", case=world.case)
    (task,) = world.tasks("anna")
    html = start(app_client, "anna")
    tasks = section(html, "tasks-h")
    assert f'href="/aufgaben/{task.id}"' in tasks
    assert task.title in tasks
    assert task.due_date is not None and task.due_date.strftime("%d.%m.%Y") in tasks
    assert 'class="overdue"' not in tasks
    for _, label in task.transitions:
        assert f">{label}</a>" in tasks
    # headings in order, one h1
    assert html.count("<h1") == 1
    assert [int(h) for h in re.findall(r"<h([1-6])", html)][:2] == [1, 2]


def test_overdue_is_said_in_words_not_only_colour(
    app_client: FlaskClient,
    world: World,  # noqa: F811
) -> None:
    wf.start_workflow(world.records, world.who("anna"), "antrag", case=world.case)
    with world.records.transaction() as session:
        session.execute(update(WorkflowTask).values(due_date=wf.today() - timedelta(days=3)))
    tasks = section(start(app_client, "anna"), "tasks-h")
    assert 'class="overdue"' in tasks
    assert re.search(r"<strong>Überfällig:</strong>", tasks)


def test_other_people_do_not_see_my_task(
    app_client: FlaskClient,
    world: World,  # noqa: F811
) -> None:
    wf.start_workflow(world.records, world.who("anna"), "antrag", case=world.case)
    tasks = section(start(app_client, "hans"), "tasks-h")
    assert "/aufgaben/" not in tasks


def test_wiedervorlage_shows_on_its_day(
    app_client: FlaskClient,
    world: World,  # noqa: F811
) -> None:
    today = wf.today()
    wf.set_resubmission(world.records, world.who("anna"), world.case, today, "Nachfrage Eiscafé")
    wf.set_resubmission(
        world.records, world.who("anna"), world.case, today + timedelta(days=1), "Morgen erst"
    )
    resubmissions = section(start(app_client, "anna"), "resub-h")
    assert "Nachfrage Eiscafé" in resubmissions and world.case in resubmissions
    assert today.strftime("%d.%m.%Y") in resubmissions
    assert "Morgen erst" not in resubmissions
    assert "Nachfrage" not in section(
        start(app_client.application.test_client(), "bernd"), "resub-h"
    )


def test_posteingang_of_my_org_units_only(
    app_client: FlaskClient,
    world: World,  # noqa: F811
) -> None:
    ours = add(world.records, "32", f"Einwendung {XSS}", "Einwendung gegen den Bescheid")
    theirs = add(world.records, "10", "Dienstreiseantrag Hauptamt", "Dienstreise nach Bonn")
    inbox = section(start(app_client, "anna"), "inbox-h")
    assert f'href="/dokumente/{ours}"' in inbox
    assert f'href="/dokumente/{world.document_id}"' in inbox  # the fixture's Rechnung 4711
    assert theirs not in inbox and "Dienstreise" not in inbox
    assert "(2)" in inbox
    assert XSS not in inbox and "&lt;script&gt;" in inbox
    other = section(start(app_client.application.test_client(), "hans"), "inbox-h")
    assert theirs in other and ours not in other and "Einwendung" not in other


def test_recently_viewed(app_client: FlaskClient, world: World) -> None:  # noqa: F811
    html = start(app_client, "anna")
    assert 'id="recent-h"' in html
    assert app_client.get(f"/akten/{world.case}").status_code == 200
    recent = section(app_client.get("/").get_data(as_text=True), "recent-h")
    assert world.case in recent and f'href="/akten/{world.case}"' in recent


def test_start_page_is_fast(app_client: FlaskClient, world: World) -> None:  # noqa: F811
    for n in range(200):
        add(world.records, "32", f"Brief {n}", "Ein Brief an die Stadt")
    wf.start_workflow(world.records, world.who("anna"), "antrag", case=world.case)
    start(app_client, "anna")
    began = time.perf_counter()
    for _ in range(5):
        assert app_client.get("/").status_code == 200
    assert (time.perf_counter() - began) / 5 < 0.2


def test_german_texts(app_client: FlaskClient, world: World) -> None:  # noqa: F811
    wf.start_workflow(world.records, world.who("anna"), "antrag", case=world.case)
    html = start(app_client, "anna")
    for text in (
        "Meine Aufgaben (1)",
        "Fällige Wiedervorlagen",
        "Posteingang meiner Organisationseinheiten (1)",
        "1 Dokument wartet auf Zuordnung.",
        "Zuletzt angesehen",
        "fällig am",
    ):
        assert text in html, text


def test_many_tasks_show_the_most_urgent_first(
    app_client: FlaskClient,
    world: World,  # noqa: F811
) -> None:
    for n in range(31):
        case = world.case_by("anna", f"Antrag {n}")
        wf.start_workflow(world.records, world.who("anna"), "antrag", case=case)
    html = start(app_client, "anna")
    tasks = section(html, "tasks-h")
    assert "(31)" in tasks
    assert len(re.findall(r'<li>\n\s*<a href="/aufgaben/', tasks)) == 30
    assert 'href="/?aufgaben=alle"' in tasks
    everything = section(app_client.get("/?aufgaben=alle").get_data(as_text=True), "tasks-h")
    assert len(re.findall(r'<li>\n\s*<a href="/aufgaben/', everything)) == 31
