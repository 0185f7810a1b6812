"""Two real threads acting at the same moment: on one task exactly one wins
and the other gets WorkflowConflict; co-signers and timer jobs running side
by side lose nothing and double nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from eakte import records as svc
from eakte import workflow as wf
from eakte.exceptions import WorkflowConflict, WorkflowError
from eakte.models import WorkflowHistory, WorkflowTask
from tests.integration.workflow.conftest import World

ROUNDS = 10


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as e:  # noqa: BLE001 - handed to the test
            results[index] = e

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()
    return results


def test_two_people_take_the_same_task_exactly_one_wins(world: World) -> None:
    r = world.records
    anna, bernd = world.who("anna"), world.who("bernd")
    for _ in range(ROUNDS):
        started = wf.start_workflow(r, anna, "beschwerde", case=world.case)
        task = world.task("anna")
        results = at_once(
            lambda p=anna, t=task: wf.take(
                r, p, t, "beantworten", fields={"antwort_am": "1.12.2026"}
            ),
            lambda p=bernd, t=task: wf.take(
                r, p, t, "beantworten", fields={"antwort_am": "2.12.2026"}
            ),
        )
        won = [x for x in results if isinstance(x, wf.Outcome)]
        lost = [x for x in results if isinstance(x, WorkflowConflict)]
        assert (len(won), len(lost)) == (1, 1), results
        assert won[0].status == "completed"
        view = wf.get_instance(r, anna, started.instance_id)
        assert [h.transition for h in view.history if h.transition] == ["beantworten"]
    assert svc.verify_store(r).ok


def test_two_cosigners_at_once_both_count(world: World) -> None:
    r = world.records
    bernd, carla = world.who("bernd"), world.who("carla")
    spec = wf.CirculationSpec((wf.Participant("bernd"), wf.Participant("carla")), "parallel")
    started = wf.start_workflow(r, world.who("anna"), "antrag", case=world.case)
    for _ in range(ROUNDS // 2):
        wf.take(r, world.who("anna"), world.task("anna"), "zur_mitzeichnung", circulation=spec)
        b, c = world.task("bernd", "cosign"), world.task("carla", "cosign")
        results = at_once(lambda b=b: wf.cosign(r, bernd, b), lambda c=c: wf.cosign(r, carla, c))
        assert sorted(results) == ["completed", "running"], results
        assert wf.get_instance(r, bernd, started.instance_id).state == "freigabe"
        wf.take(r, world.who("chefin"), world.task("chefin"), "zurueckweisen", comment="nochmal")
    assert svc.verify_store(r).ok


def test_two_timer_jobs_at_once_escalate_and_resubmit_once(world: World) -> None:
    r = world.records
    started = wf.start_workflow(r, world.who("anna"), "beschwerde", case=world.case)
    wf.start_workflow(r, world.who("anna"), "rechnungseingang", document_id=world.document_id)
    resubmission = wf.set_resubmission(r, world.who("anna"), world.case, wf.today())
    late = max(t.due_date for t in world.tasks("anna") if t.due_date) + timedelta(days=1)

    reports = at_once(lambda: wf.tick(r, late), lambda: wf.tick(r, late))
    assert all(isinstance(x, wf.TickReport) for x in reports), reports
    assert sorted(len(x.escalated) for x in reports) in ([0, 2], [1, 1])
    assert [i for x in reports for i in x.resubmissions] == [resubmission]
    with r.reading() as session:
        escalations = session.scalar(
            select(func.count()).where(WorkflowHistory.action == "escalated")
        )
        resubmission_tasks = session.scalar(
            select(func.count()).where(WorkflowTask.resubmission_id == resubmission)
        )
    assert (escalations, resubmission_tasks) == (2, 1)
    assert (
        len(
            [
                h
                for h in wf.get_instance(r, world.who("anna"), started.instance_id).history
                if h.action == "escalated"
            ]
        )
        == 1
    )
    assert svc.verify_store(r).ok


def test_a_timer_job_and_a_clerk_on_the_same_task(world: World) -> None:
    r = world.records
    anna = world.who("anna")
    for _ in range(ROUNDS // 2):
        wf.start_workflow(r, anna, "beschwerde", case=world.case)
        (task,) = world.tasks("anna")
        assert task.due_date is not None and task.id is not None
        late = task.due_date + timedelta(days=1)
        tid = task.id
        report, taken = at_once(
            lambda day=late: wf.tick(r, day),
            lambda t=tid: wf.take(r, anna, t, "beantworten", fields={"antwort_am": "1.12.2026"}),
        )
        assert isinstance(report, wf.TickReport), report
        if isinstance(taken, wf.Outcome):  # the clerk was first, or the timer
            assert taken.status == "completed"  # reassigned after she had finished
        else:  # the timer was first: the task is the Leitung's now
            assert report.escalated == [tid], (report, taken)
            wf.take(r, world.who("chefin"), tid, "beantworten", fields={"antwort_am": "1.12.2026"})
    assert svc.verify_store(r).ok


def test_two_people_start_a_workflow_on_one_case_at_once(world: World) -> None:
    r = world.records
    anna, bernd = world.who("anna"), world.who("bernd")
    for _ in range(ROUNDS // 2):
        results = at_once(
            lambda: wf.start_workflow(r, anna, "beschwerde", case=world.case),
            lambda: wf.start_workflow(r, bernd, "beschwerde", case=world.case),
        )
        won = [x for x in results if isinstance(x, wf.Outcome)]
        assert len(won) == 1, results
        assert any(isinstance(x, WorkflowError) and "already running" in str(x) for x in results)
        wf.take(r, anna, world.task("anna"), "beantworten", fields={"antwort_am": "1.12.2026"})
