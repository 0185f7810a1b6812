"""Antrag mit Mitzeichnung und Freigabe: Umlauf one after another and all at
once (people and an org unit), refusal, Vier-Augen, return by the Leitung,
dispatch with zdA and the retention clock, rejection."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from eakte import workflow as wf
from eakte.exceptions import PermissionDenied, WorkflowConflict, WorkflowError
from eakte.models import Case, TaskStatus, WorkflowTask
from tests.integration.workflow.conftest import World

P = wf.Participant


def spec(*names: str, parallel: bool = False) -> wf.CirculationSpec:
    return wf.CirculationSpec(
        tuple(P.parse(n) for n in names), "parallel" if parallel else "sequential"
    )


def _case(world: World, reference: str) -> Case:
    with world.records.reading() as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        return case


def _task_status(world: World, task_id: str) -> str:
    with world.records.reading() as session:
        task = session.get(WorkflowTask, task_id)
        assert task is not None
        return task.status


def test_sequential_umlauf_then_freigabe_dispatch_and_zda(world: World) -> None:
    r = world.records
    started = wf.start_workflow(r, world.who("anna"), "antrag", case=world.case)
    assert started.state == "pruefen"
    (pruefen,) = world.tasks("anna")  # the case owner's task, with a deadline
    assert pruefen.assignee == "anna"
    assert pruefen.due_date == wf.add_working_days(wf.today(), 10, r.settings.holiday_state)
    assert world.tasks("bernd") == []

    with pytest.raises(WorkflowError, match="Umlauf"):  # nobody named to co-sign
        wf.take(r, world.who("anna"), world.task("anna"), "zur_mitzeichnung")
    assert world.task("anna") == pruefen.id  # nothing changed

    outcome = wf.take(
        r,
        world.who("anna"),
        world.task("anna"),
        "zur_mitzeichnung",
        circulation=spec("bernd", "oe:32"),
    )
    assert outcome.state == "mitzeichnung"
    assert world.tasks("anna") == []  # the step waits for the Umlauf
    assert world.tasks("carla", "cosign") == []  # sequential: the org unit comes second
    assert wf.cosign(r, world.who("bernd"), world.task("bernd", "cosign"), "einverstanden") == (
        "running"
    )
    oe_task = world.task("carla", "cosign")  # a pool task for every editor of 32
    assert [t.id for t in world.tasks("doppel", "cosign")] == [oe_task]
    with pytest.raises(PermissionDenied):
        wf.cosign(r, world.who("hans"), oe_task)
    assert wf.cosign(r, world.who("carla"), oe_task) == "completed"

    freigabe = world.task("chefin")
    assert world.tasks("doppel") != []  # the Leitung pool
    wf.take(r, world.who("chefin"), freigabe, "freigeben")
    versenden = world.task("anna")  # back to who drafted it
    with pytest.raises(PermissionDenied):
        wf.take(r, world.who("bernd"), versenden, "versandt", fields={"versanddatum": "1.12.2026"})
    with pytest.raises(WorkflowError, match="required"):
        wf.take(r, world.who("anna"), versenden, "versandt")
    done = wf.take(
        r, world.who("anna"), versenden, "versandt", fields={"versanddatum": "01.12.2026"}
    )
    assert (done.state, done.status) == ("abgeschlossen", "completed")

    case = _case(world, world.case)
    assert case.closed_at is not None
    assert case.retention_until == date(wf.today().year + 6, 12, 31)  # plan 1.2: 6 years
    view = wf.get_instance(r, world.who("anna"), done.instance_id)
    assert [h.action for h in view.history] == [
        "started",
        "transition",
        "circulation_started",
        "cosigned",
        "cosigned",
        "transition",
        "transition",
        "transition",
        "zda",
    ]
    assert [h.transition for h in view.history if h.transition] == [
        "zur_mitzeichnung",
        "mitgezeichnet",
        "freigeben",
        "versandt",
    ]
    assert view.history[3].comment == "einverstanden"
    assert view.history[-2].fields == {"versanddatum": "2026-12-01"}
    assert view.open_tasks == ()
    with pytest.raises(WorkflowError, match="closed"):
        wf.start_workflow(r, world.who("anna"), "antrag", case=world.case)


def test_a_refusal_withdraws_the_other_cosigners_and_returns_the_draft(world: World) -> None:
    r = world.records
    wf.start_workflow(r, world.who("anna"), "antrag", case=world.case)
    wf.take(
        r,
        world.who("anna"),
        world.task("anna"),
        "zur_mitzeichnung",
        circulation=spec("bernd", "carla", "chefin", parallel=True),
    )
    bernd, carla, chefin = (world.task(n, "cosign") for n in ("bernd", "carla", "chefin"))
    assert wf.cosign(r, world.who("bernd"), bernd) == "running"
    with pytest.raises(WorkflowError, match="comment"):
        wf.refuse(r, world.who("carla"), carla, "  ")
    assert wf.refuse(r, world.who("carla"), carla, "Die Gebühr fehlt.") == "refused"

    assert _task_status(world, chefin) == TaskStatus.CANCELLED.value  # withdrawn
    assert world.tasks("chefin", "cosign") == []
    with pytest.raises(WorkflowConflict):
        wf.cosign(r, world.who("chefin"), chefin)
    (step,) = world.tasks("anna")
    assert step.title.endswith("Entwurf überarbeiten")
    assert world.tasks("bernd") == []

    # revised and circulated again, then returned by the Leitung with a reason
    wf.take(
        r, world.who("anna"), step.id, "zur_mitzeichnung", circulation=spec("carla", parallel=True)
    )
    assert wf.cosign(r, world.who("carla"), world.task("carla", "cosign")) == "completed"
    freigabe = world.task("chefin")
    with pytest.raises(WorkflowError, match="needs a comment"):
        wf.take(r, world.who("chefin"), freigabe, "zurueckweisen", comment=" ")
    back = wf.take(r, world.who("chefin"), freigabe, "zurueckweisen", comment="Frist ergänzen")
    assert back.state == "ueberarbeiten"
    assert world.tasks("anna")[0].title.endswith("Entwurf überarbeiten")

    view = wf.instances_of(r, world.who("anna"), case=world.case)[0]
    refused = next(h for h in view.history if h.action == "refused")
    assert (refused.actor, refused.comment) == ("user:carla", "Die Gebühr fehlt.")
    assert [h.transition for h in view.history if h.transition] == [
        "zur_mitzeichnung",
        "nicht_mitgezeichnet",
        "zur_mitzeichnung",
        "mitgezeichnet",
        "zurueckweisen",
    ]
    assert view.history[-1].comment == "Frist ergänzen"


def test_who_drafted_may_not_release_vier_augen(world: World) -> None:
    r = world.records
    case = world.case_by("doppel", "Antrag Würstchenbude")  # doppel owns the case
    wf.start_workflow(r, world.who("doppel"), "antrag", case=case)
    wf.take(
        r, world.who("doppel"), world.task("doppel"), "zur_mitzeichnung", circulation=spec("anna")
    )
    wf.cosign(r, world.who("anna"), world.task("anna", "cosign"))
    freigabe = world.task("doppel")  # doppel is in the Leitung pool ...
    with pytest.raises(WorkflowError, match="Vier-Augen"):  # ... but drafted it
        wf.take(r, world.who("doppel"), freigabe, "freigeben")
    with pytest.raises(PermissionDenied):  # no Leitung role
        wf.take(r, world.who("anna"), freigabe, "freigeben")
    assert wf.take(r, world.who("chefin"), freigabe, "freigeben").state == "versenden"
    assert world.tasks("doppel")[0].assignee == "doppel"


def test_a_rejected_application_is_closed_too(world: World) -> None:
    r = world.records
    wf.start_workflow(r, world.who("anna"), "antrag", case=world.case)
    task = world.task("anna")
    with pytest.raises(WorkflowError, match="needs a comment"):
        wf.take(r, world.who("anna"), task, "ablehnen")
    with pytest.raises(PermissionDenied):  # not her task
        wf.take(r, world.who("bernd"), task, "ablehnen", comment="unzulässig")
    done = wf.take(r, world.who("anna"), task, "ablehnen", comment="Fläche ist vergeben")
    assert (done.state, done.status) == ("abgelehnt", "completed")
    case = _case(world, world.case)
    assert case.closed_at is not None
    assert case.retention_until == date(wf.today().year + 6, 12, 31)
