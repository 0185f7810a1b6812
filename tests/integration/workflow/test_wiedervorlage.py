"""Wiedervorlage: a Vorgang comes back to the clerk on the chosen day, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from eakte import workflow as wf
from eakte.exceptions import PermissionDenied, WorkflowError
from eakte.models import Resubmission, WorkflowTask
from eakte.records import SYSTEM
from tests.integration.workflow.conftest import World


def test_the_case_comes_back_on_the_day(world: World) -> None:
    r = world.records
    day = wf.today() + timedelta(days=5)
    resubmission = wf.set_resubmission(r, world.who("anna"), world.case, day, " Frist prüfen ")

    assert world.tasks("anna", "resubmission", day=day - timedelta(days=1)) == []
    (due,) = world.tasks("anna", "resubmission", day=day)  # shown before the timer ran
    assert due.id is None
    assert due.title.endswith(": Frist prüfen")
    assert world.tasks("bernd", "resubmission", day=day) == []  # anna's, not the unit's

    assert wf.tick(r, day - timedelta(days=1)).resubmissions == []
    assert wf.tick(r, day).resubmissions == [resubmission]
    assert wf.tick(r, day).resubmissions == []  # idempotent
    assert wf.tick(r, day + timedelta(days=1)).resubmissions == []
    (task,) = world.tasks("anna", "resubmission", day=day)
    assert task.id is not None and task.due_date == day
    with r.reading() as session:
        assert len(session.scalars(select(WorkflowTask.id)).all()) == 1

    with pytest.raises(PermissionDenied):
        wf.complete_task(r, world.who("bernd"), task.id)
    wf.complete_task(r, world.who("anna"), task.id)
    assert world.tasks("anna", "resubmission", day=day) == []
    with r.reading() as session:
        row = session.get(Resubmission, resubmission)
        assert row is not None and row.status == "done"


def test_a_day_in_the_past_or_someone_elses_case_is_refused(world: World) -> None:
    r = world.records
    with pytest.raises(WorkflowError, match="has passed"):
        wf.set_resubmission(r, world.who("anna"), world.case, wf.today() - timedelta(days=1))
    with pytest.raises(WorkflowError, match="for a person"):
        wf.set_resubmission(r, SYSTEM, world.case, wf.today())
    with pytest.raises(PermissionDenied):  # Hauptamt, not Ordnungsamt
        wf.set_resubmission(r, world.who("hans"), world.case, wf.today())
    today = wf.set_resubmission(r, world.who("anna"), world.case, wf.today())
    assert wf.tick(r).resubmissions == [today]
