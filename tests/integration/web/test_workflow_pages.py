"""/aufgaben/<id>: workflows run through the web forms by several people, with the
engine's refusals (Vier-Augen, missing comment, conflicts) shown on the page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from flask.testing import FlaskClient

from eakte import workflow as wf
from tests.integration.web import fileplan_support as support
from tests.integration.web.fileplan_support import XSS, page, post
from tests.integration.workflow import conftest as workflow_world
from tests.integration.workflow.conftest import World

world, app, as_user = workflow_world.world, support.app, support.as_user  # fixtures
Login = Callable[[str], FlaskClient]


def _task(path_or_id: str) -> str:
    return path_or_id if path_or_id.startswith("/") else f"/aufgaben/{path_or_id}"


def _alert(html: str) -> str:
    found = re.search(r'<div class="error" role="alert">(.*?)</div>', html, re.S)
    assert found, html
    return found.group(1)


def test_an_invoice_signed_by_three_people(world: World, as_user: Login) -> None:
    """Rechnungseingang: sachlich (anna), rechnerisch (bernd), Anordnung (chefin); anna may
    not sign twice (Vier-Augen); of two leaders acting at once the second meets a conflict."""
    wf.start_workflow(
        world.records, world.who("anna"), "rechnungseingang", document_id=world.document_id
    )
    anna = as_user("anna")
    task = _task(world.task("anna"))
    html = page(anna, task)
    assert 'value="sachlich_richtig"' in html and 'name="field-betrag"' in html
    assert 'inputmode="decimal"' in html and "Rechnung 4711" in html
    status, html = post(
        anna, task, {"action": "take", "transition": "sachlich_richtig", "field-betrag": "1.234,50"}
    )
    assert status == 200 and "Rechnerisch prüfen" in html and "betrag: 1234.50" in html

    second = _task(world.task("bernd"))
    status, html = post(anna, second, {"action": "take", "transition": "rechnerisch_richtig"})
    assert status == 409 and "Vier-Augen-Prinzip: Sie haben einen früheren Schritt" in _alert(html)
    status, html = post(
        as_user("bernd"), second, {"action": "take", "transition": "rechnerisch_richtig"}
    )
    assert status == 200

    third = _task(world.task("chefin"))
    chefin, doppel = as_user("chefin"), as_user("doppel")
    token_chefin = support.csrf_token(chefin, third)
    token_doppel = support.csrf_token(doppel, third)  # both have the page open
    form = {"action": "take", "transition": "anordnen", "field-haushaltsstelle": "1.2.3"}
    first = chefin.post(third, data={"csrf_token": token_chefin, **form})
    assert first.status_code == 302
    late = doppel.post(third, data={"csrf_token": token_doppel, **form})
    html = late.get_data(as_text=True)
    assert late.status_code == 409 and "chefin has completed this task already" in _alert(html)
    assert "Jemand anderes war schneller" in _alert(html)
    assert "Zahlung angeordnet" in html  # the page shows where the workflow stands now
    view = wf.instances_of(world.records, world.who("chefin"), document_id=world.document_id)[0]
    assert (view.state, view.status) == ("angeordnet", "completed")
    assert [h.actor for h in view.history if h.transition] == [
        "user:anna",
        "user:bernd",
        "user:chefin",
    ]


def test_an_application_with_umlauf_refusal_and_release(world: World, as_user: Login) -> None:
    anna, bernd, carla = as_user("anna"), as_user("bernd"), as_user("carla")
    status, html = post(
        anna, f"/akten/{world.case}", {"action": "start_workflow", "workflow": "antrag"}
    )
    assert status == 200
    task = _task(world.task("anna"))
    html = page(anna, task)
    assert 'name="cosigner"' in html and 'value="user:bernd"' in html and 'value="oe:32"' in html

    # an Umlauf without co-signers is refused, with the comment kept
    status, html = post(
        anna,
        task,
        {
            "action": "take",
            "transition": "zur_mitzeichnung",
            "comment": "Bitte prüfen",
            "umlauf": "1",
        },
    )
    assert status == 409 and "at least one co-signer" in _alert(html)
    assert "Bitte prüfen</textarea>" in html

    status, html = post(
        anna,
        task,
        {
            "action": "take",
            "transition": "zur_mitzeichnung",
            "umlauf": "1",
            "cosigner": ["user:bernd", "user:carla"],
            "mode": "parallel",
            "umlauf_due": (date.today() + timedelta(days=5)).isoformat(),
        },
    )
    assert status == 200 and "Umlauf zur Mitzeichnung (gleichzeitig): bernd, carla" in html

    cosign_bernd = _task(world.task("bernd", "cosign"))
    html = page(bernd, cosign_bernd)
    assert 'value="cosign"' in html and 'value="refuse"' in html and "Mitzeichnen" in html
    # carla may see bernd's Mitzeichnung, but not answer it
    status, html = post(carla, cosign_bernd, {"action": "cosign"})
    assert status == 403 and "not asked to co-sign" in _alert(html)
    status, _ = post(bernd, cosign_bernd, {"action": "cosign"})
    assert status == 200

    cosign_carla = _task(world.task("carla", "cosign"))
    status, html = post(carla, cosign_carla, {"action": "refuse"})
    assert status == 409 and "comment is required" in _alert(html)
    status, html = post(carla, cosign_carla, {"action": "refuse", "comment": "Gebühr fehlt"})
    assert status == 200 and "Gebühr fehlt" in html and "Entwurf überarbeiten" in html

    # anna revises and circulates again (to bernd alone), then the Leitung releases
    task = _task(world.task("anna"))
    status, html = post(
        anna,
        task,
        {
            "action": "take",
            "transition": "zur_mitzeichnung",
            "umlauf": "1",
            "cosigner": "user:bernd",
        },
    )
    assert status == 200
    status, _ = post(bernd, _task(world.task("bernd", "cosign")), {"action": "cosign"})
    assert status == 200
    release = _task(world.task("chefin"))
    status, html = post(
        as_user("chefin"), release, {"action": "take", "transition": "zurueckweisen"}
    )
    assert status == 409 and "needs a comment" in _alert(html)
    status, _ = post(as_user("chefin"), release, {"action": "take", "transition": "freigeben"})
    assert status == 200
    send = _task(world.task("anna"))
    html = page(anna, send)
    assert 'type="date"' in html and 'name="field-versanddatum"' in html
    status, html = post(
        anna,
        send,
        {
            "action": "take",
            "transition": "versandt",
            "field-versanddatum": date.today().isoformat(),
        },
    )
    assert status == 200 and "Abgeschlossen" in html
    html = page(anna, f"/akten/{world.case}")
    assert "zu den Akten" in html and "31.12." in html  # zdA and the end of retention


def test_ad_hoc_umlauf_and_wiedervorlage_done(world: World, as_user: Login) -> None:
    anna = as_user("anna")
    wf.start_workflow(world.records, world.who("anna"), "antrag", case=world.case)
    task = _task(world.task("anna"))
    status, html = post(
        anna, task, {"action": "umlauf", "cosigner": ["oe:10", "user:bernd"], "mode": "sequential"}
    )
    assert status == 200 and "nacheinander" in html
    assert world.tasks("anna") == []  # the step waits for the Umlauf
    status, _ = post(as_user("hans"), _task(world.task("hans", "cosign")), {"action": "cosign"})
    assert status == 200
    status, _ = post(as_user("bernd"), _task(world.task("bernd", "cosign")), {"action": "cosign"})
    assert status == 200
    assert len(world.tasks("anna")) == 1  # the step came back

    wf.set_resubmission(world.records, world.who("anna"), world.case, date.today(), "Frist")
    wf.tick(world.records)
    wv = _task(world.task("anna", "resubmission"))
    assert 'value="done"' in page(anna, wv)
    status, html = post(anna, wv, {"action": "done"})
    assert status == 200 and 'value="done"' not in html
    status, html = post(anna, wv, {"action": "done"})
    assert status == 409 and 'role="alert"' in html


def test_other_departments_cannot_see_or_act(world: World, as_user: Login) -> None:
    wf.start_workflow(world.records, world.who("anna"), "antrag", case=world.case)
    task_id = world.task("anna")
    hans = as_user("hans")  # Sachbearbeitung in 10
    response = hans.get(f"/aufgaben/{task_id}")
    assert response.status_code == 403
    assert "Antrag Eiscafé" not in response.get_data(as_text=True)
    token = support.csrf_token(hans, "/aktenplan")
    for action in ("take", "umlauf", "cosign", "refuse", "done"):
        response = hans.post(
            f"/aufgaben/{task_id}",
            data={
                "csrf_token": token,
                "action": action,
                "transition": "ablehnen",
                "comment": "x",
                "cosigner": "user:hans",
            },
        )
        assert response.status_code in (403, 404), action
        assert "Antrag Eiscafé" not in response.get_data(as_text=True)
    assert len(world.tasks("anna")) == 1  # nothing happened
    assert hans.get("/aufgaben/00000000-0000-4000-8000-000000000000").status_code == 404
    # bernd works in 32: he may read the task, but it is anna's to take
    status, html = post(
        as_user("bernd"),
        f"/aufgaben/{task_id}",
        {"action": "take", "transition": "ablehnen", "comment": "x"},
    )
    assert status == 403 and 'role="alert"' in html


def test_comments_are_escaped(world: World, as_user: Login) -> None:
    wf.start_workflow(world.records, world.who("anna"), "antrag", case=world.case)
    anna = as_user("anna")
    task = _task(world.task("anna"))
    status, after = post(anna, task, {"action": "take", "transition": "ablehnen", "comment": XSS})
    assert status == 200
    for html in (after, page(anna, f"/akten/{world.case}")):
        assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
