"""Rechnungseingang: sachlich richtig → rechnerisch richtig → Anordnung, by
three different people; refusal; Vier-Augen violations."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eakte import workflow as wf
from eakte.exceptions import (
    CommentRequired,
    FourEyesViolation,
    PermissionDenied,
    WorkflowConflict,
    WorkflowError,
)
from tests.integration.workflow.conftest import World


def _step(world: World, username: str) -> str:
    tasks = [t for t in wf.tasks_for(world.records, world.who(username)) if t.kind == "step"]
    assert len(tasks) == 1, tasks
    assert tasks[0].id is not None
    return tasks[0].id


def test_three_different_people_sign_an_invoice(world: World) -> None:
    r = world.records
    started = wf.start_workflow(
        r, world.who("anna"), "rechnungseingang", document_id=world.document_id
    )
    assert started.state == "sachlich_pruefen"
    task = _step(world, "anna")
    assert {name for name, _ in wf.tasks_for(r, world.who("anna"))[0].transitions} == {
        "sachlich_richtig",
        "zurueckweisen",
    }
    wf.take(r, world.who("anna"), task, "sachlich_richtig", fields={"betrag": "1.234,50"})

    task = _step(world, "bernd")
    with pytest.raises(WorkflowError, match="Vier-Augen"):
        wf.take(r, world.who("anna"), task, "rechnerisch_richtig")
    wf.take(r, world.who("bernd"), task, "rechnerisch_richtig")

    task = _step(world, "doppel")
    with pytest.raises(PermissionDenied):  # no Leitung role
        wf.take(r, world.who("carla"), task, "anordnen", fields={"haushaltsstelle": "1.2.3"})
    done = wf.take(r, world.who("chefin"), task, "anordnen", fields={"haushaltsstelle": "1.2.3"})
    assert (done.state, done.status) == ("angeordnet", "completed")
    with pytest.raises(WorkflowConflict):
        wf.take(r, world.who("doppel"), task, "anordnen", fields={"haushaltsstelle": "1.2.3"})

    view = wf.instances_of(r, world.who("chefin"), document_id=world.document_id)[0]
    assert [h.transition for h in view.history if h.transition] == [
        "sachlich_richtig",
        "rechnerisch_richtig",
        "anordnen",
    ]
    assert view.history[1].fields == {"betrag": "1234.50"}
    assert view.history[1].actor == "user:anna"


def test_the_leader_who_checked_the_sums_may_not_order_the_payment(world: World) -> None:
    r = world.records
    wf.start_workflow(r, world.who("anna"), "rechnungseingang", document_id=world.document_id)
    wf.take(r, world.who("anna"), _step(world, "anna"), "sachlich_richtig", fields={"betrag": "5"})
    wf.take(r, world.who("doppel"), _step(world, "bernd"), "rechnerisch_richtig")
    task = _step(world, "chefin")
    with pytest.raises(FourEyesViolation, match="Vier-Augen.*rechnerisch_richtig"):
        wf.take(r, world.who("doppel"), task, "anordnen", fields={"haushaltsstelle": "9"})
    with pytest.raises(CommentRequired, match="needs a comment"):
        wf.take(r, world.who("chefin"), task, "beanstanden")
    back = wf.take(r, world.who("chefin"), task, "beanstanden", comment="Skonto fehlt")
    assert back.state == "sachlich_pruefen"
    refused = wf.take(
        r, world.who("bernd"), _step(world, "bernd"), "zurueckweisen", comment="Keine Bestellung"
    )
    assert (refused.state, refused.status) == ("abgelehnt", "completed")


def test_an_unchecked_invoice_is_reported_to_the_leitung(world: World) -> None:
    r = world.records
    wf.start_workflow(r, world.who("anna"), "rechnungseingang", document_id=world.document_id)
    (task,) = [t for t in wf.tasks_for(r, world.who("anna")) if t.kind == "step"]
    assert task.id is not None and task.due_date is not None
    with pytest.raises(WorkflowError, match="must be a number"):
        wf.take(r, world.who("anna"), task.id, "sachlich_richtig", fields={"betrag": "zwölf"})
    with pytest.raises(WorkflowError, match="Unknown field 'skonto'"):
        wf.take(
            r, world.who("anna"), task.id, "sachlich_richtig", fields={"betrag": "1", "skonto": "2"}
        )
    late = task.due_date + timedelta(days=1)
    assert wf.tick(r, late).escalated == [task.id]
    assert wf.tick(r, late).escalated == []
    # notify: the Leitung gets a notice, the task stays with the Sachbearbeitung
    (notice,) = [t for t in wf.tasks_for(r, world.who("chefin")) if t.kind == "notice"]
    assert notice.title.startswith("Frist überschritten")
    assert _step(world, "bernd") == task.id
    wf.take(r, world.who("bernd"), task.id, "sachlich_richtig", fields={"betrag": "99,95"})
