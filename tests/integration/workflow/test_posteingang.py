"""Posteingangsbearbeitung: the Registratur of 10 assigns an incoming document
to 32 (it moves to 32's Posteingang), 32 forwards it to 10, 10 completes it;
an unsorted document is escalated to the Leitung."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eakte import records as svc
from eakte import workflow as wf
from eakte.exceptions import PermissionDenied, WorkflowConflict, WorkflowError
from eakte.models import Document
from eakte.records import SYSTEM
from tests.integration.workflow.conftest import PASSWORD, World


def _document_unit(world: World, document_id: str) -> str:
    with world.records.reading() as session:
        document = session.get(Document, document_id)
        assert document is not None
        return document.orgunit.code


def test_assign_forward_and_complete(world: World) -> None:
    r = world.records
    letter = world.document_in("10", "Beschwerde über Lärm")
    started = wf.start_workflow(r, world.who("reg"), "posteingang", document_id=letter)
    assert started.state == "sichten"
    sichten = world.task("reg")
    assert world.tasks("anna") == [] and world.tasks("hans") == []

    with pytest.raises(PermissionDenied):  # only the Registratur sorts the post
        wf.take(r, world.who("hans"), sichten, "zuweisen", fields={"zustaendig": "32"})
    with pytest.raises(WorkflowError, match="required"):
        wf.take(r, world.who("reg"), sichten, "zuweisen")
    with pytest.raises(WorkflowError, match="no org unit '99'"):
        wf.take(r, world.who("reg"), sichten, "zuweisen", fields={"zustaendig": "99"})
    moved = wf.take(r, world.who("reg"), sichten, "zuweisen", fields={"zustaendig": "32"})
    assert moved.state == "bearbeiten"
    assert _document_unit(world, letter) == "32"  # now in 32's Posteingang
    assert svc.get_document(r, world.who("anna"), letter).id == letter  # anna may read it

    # the pool task of Sachbearbeitung 32: anna, bernd, carla and doppel see it, the Leitung not
    bearbeiten = world.task("anna")
    assert [t.id for t in world.tasks("bernd")] == [bearbeiten]
    assert world.tasks("chefin") == [] and world.tasks("reg") == []
    assert {name for name, _ in world.tasks("anna")[0].transitions} == {
        "weiterleiten",
        "erledigen",
    }
    with pytest.raises(WorkflowError, match="needs a comment"):
        wf.take(r, world.who("anna"), bearbeiten, "weiterleiten", fields={"zustaendig": "10"})
    forwarded = wf.take(
        r,
        world.who("anna"),
        bearbeiten,
        "weiterleiten",
        comment="Zuständig ist das Hauptamt",
        fields={"zustaendig": "10"},
    )
    assert forwarded.state == "bearbeiten"
    assert _document_unit(world, letter) == "10"
    assert world.tasks("anna") == []
    with pytest.raises(WorkflowConflict):  # anna's task is gone with the document
        wf.take(r, world.who("bernd"), bearbeiten, "erledigen")
    with pytest.raises(PermissionDenied):  # 32 no longer sees the instance
        wf.get_instance(r, world.who("anna"), started.instance_id)

    done = wf.take(r, world.who("hans"), world.task("hans"), "erledigen")
    assert (done.state, done.status) == ("erledigt", "completed")
    view = wf.get_instance(r, world.who("hans"), started.instance_id)
    assert [(h.action, h.transition, h.actor) for h in view.history] == [
        ("started", None, "user:reg"),
        ("transition", "zuweisen", "user:reg"),
        ("handed_over", None, "system"),
        ("transition", "weiterleiten", "user:anna"),
        ("handed_over", None, "system"),
        ("transition", "erledigen", "user:hans"),
    ]
    assert view.history[3].comment == "Zuständig ist das Hauptamt"
    assert view.history[1].fields == {"zustaendig": "32"}


def test_unsorted_post_is_reported_to_the_leitung_once(world: World) -> None:
    r = world.records
    svc.create_user(r, SYSTEM, username="lena", display_name="Lena", password=PASSWORD)
    svc.grant_role(r, SYSTEM, username="lena", orgunit="10", role="leitung")
    wf.start_workflow(r, world.who("reg"), "posteingang", document_id=world.document_in("10"))
    (sichten,) = world.tasks("reg")
    assert sichten.due_date == wf.add_working_days(wf.today(), 1, r.settings.holiday_state)
    assert wf.tick(r, sichten.due_date).escalated == []  # due today is not overdue yet
    later = sichten.due_date + timedelta(days=1)
    assert wf.tick(r, later).escalated == [sichten.id]
    assert wf.tick(r, later).escalated == []  # once
    # notify: the task stays with the Registratur, the Leitung of 10 gets a notice
    assert [t.id for t in world.tasks("reg")] == [sichten.id]
    (notice,) = world.tasks("lena", "notice")
    assert notice.title.startswith("Frist überschritten")
    assert world.tasks("chefin", "notice") == []  # Leitung of 32
    with pytest.raises(PermissionDenied):
        wf.complete_task(r, world.who("reg"), notice.id or "")
    wf.complete_task(r, world.who("lena"), notice.id or "")
    assert world.tasks("lena", "notice") == []
    with pytest.raises(WorkflowConflict, match="lena has completed this task already"):
        wf.complete_task(r, world.who("lena"), notice.id or "")
