"""Beschwerdemanagement: an answer within 10 working days (NRW holidays), the
overdue task moves to the Leitung exactly once, the Leitung's statement."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from eakte import workflow as wf
from eakte.exceptions import PermissionDenied, WorkflowError
from tests.integration.workflow.conftest import World


def test_working_days_skip_weekends_and_the_holidays_of_the_land() -> None:
    # Fronleichnam (4.6.2026) is a holiday in NRW, not in Berlin
    assert wf.add_working_days(date(2026, 6, 1), 10, "NW") == date(2026, 6, 16)
    assert wf.add_working_days(date(2026, 6, 1), 10, "BE") == date(2026, 6, 15)
    # Karfreitag and Ostermontag 2026 are holidays everywhere
    assert wf.add_working_days(date(2026, 4, 2), 1, "NW") == date(2026, 4, 7)
    assert not wf.is_working_day(date(2026, 11, 1), "NW")  # Allerheiligen (a Sunday anyway)
    assert not wf.is_working_day(date(2027, 11, 1), "NW")  # Allerheiligen, a Monday
    assert wf.is_working_day(date(2027, 11, 1), "BE")


def test_overdue_complaint_goes_to_the_leitung_once(world: World) -> None:
    r = world.records
    assert r.settings.holiday_state == "NW"
    started = wf.start_workflow(r, world.who("anna"), "beschwerde", case=world.case)
    (task,) = world.tasks("anna")
    assert task.due_date == wf.add_working_days(wf.today(), 10, "NW")
    assert task.assignee is None  # the pool of Sachbearbeitung 32
    assert [t.id for t in world.tasks("bernd")] == [task.id]
    assert world.tasks("chefin") == []

    assert wf.tick(r, task.due_date).escalated == []  # on the due day it is not late yet
    late = task.due_date + timedelta(days=1)
    assert wf.tick(r, late).escalated == [task.id]
    assert wf.tick(r, late).escalated == []  # idempotent
    assert wf.tick(r, late + timedelta(days=7)).escalated == []

    assert world.tasks("anna") == []
    (escalated,) = world.tasks("chefin", day=late)
    assert (escalated.id, escalated.overdue) == (task.id, True)
    with pytest.raises(PermissionDenied):  # no longer hers
        wf.take(r, world.who("anna"), task.id, "beantworten", fields={"antwort_am": "1.12.2026"})
    done = wf.take(
        r, world.who("chefin"), task.id, "beantworten", fields={"antwort_am": "2026-12-01"}
    )
    assert (done.state, done.status) == ("beantwortet", "completed")

    view = wf.get_instance(r, world.who("anna"), started.instance_id)
    escalations = [h for h in view.history if h.action == "escalated"]
    assert len(escalations) == 1
    assert escalations[0].actor == "system"
    assert "die Leitung" in escalations[0].label


def test_statement_of_the_leitung(world: World) -> None:
    r = world.records
    document = world.document_in("32", "Beschwerde Parkplatz")
    started = wf.start_workflow(r, world.who("anna"), "beschwerde", document_id=document)
    task = world.task("bernd")
    with pytest.raises(WorkflowError, match="needs a comment"):
        wf.take(r, world.who("bernd"), task, "stellungnahme_anfordern")
    asked = wf.take(
        r, world.who("bernd"), task, "stellungnahme_anfordern", comment="Bitte um Stellungnahme"
    )
    assert asked.state == "stellungnahme"
    assert world.tasks("bernd") == []
    (statement,) = world.tasks("chefin")
    assert statement.due_date == wf.add_working_days(wf.today(), 3, "NW")
    assert statement.id is not None
    with pytest.raises(PermissionDenied):
        wf.take(r, world.who("bernd"), statement.id, "stellungnahme_abgeben", comment="ok")
    back = wf.take(
        r, world.who("chefin"), statement.id, "stellungnahme_abgeben", comment="Zu Recht."
    )
    assert back.state == "bearbeiten"
    done = wf.take(
        r,
        world.who("carla"),
        world.task("carla"),
        "beantworten",
        fields={"antwort_am": "2.12.2026"},
    )
    assert done.status == "completed"
    view = wf.get_instance(r, world.who("chefin"), started.instance_id)
    assert [(h.transition, h.actor, h.comment) for h in view.history if h.transition] == [
        ("stellungnahme_anfordern", "user:bernd", "Bitte um Stellungnahme"),
        ("stellungnahme_abgeben", "user:chefin", "Zu Recht."),
        ("beantworten", "user:carla", None),
    ]
