"""Every workflow change is in the signed audit chain (one event per history
entry, in the same transaction), a refused action leaves no trace, and the
chain still verifies afterwards."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eakte import records as svc
from eakte import workflow as wf
from eakte.exceptions import PermissionDenied, WorkflowError
from eakte.models import AuditEvent
from tests.integration.workflow.conftest import World


def _events(world: World, instance_id: str) -> list[AuditEvent]:
    with world.records.reading() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.object_id == instance_id, AuditEvent.action.like("workflow.%"))
                .order_by(AuditEvent.seq)
            )
        )


def _head(world: World) -> int:
    with world.records.reading() as session:
        return session.scalar(select(func.max(AuditEvent.seq))) or 0


def _count(world: World, action: str) -> int:
    with world.records.reading() as session:
        return session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


def test_every_change_is_audited_and_the_chain_verifies(world: World) -> None:
    r = world.records
    spec = wf.CirculationSpec((wf.Participant("bernd"), wf.Participant("carla")), "parallel")
    antrag = wf.start_workflow(r, world.who("anna"), "antrag", case=world.case)
    wf.take(r, world.who("anna"), world.task("anna"), "zur_mitzeichnung", circulation=spec)
    wf.refuse(r, world.who("bernd"), world.task("bernd", "cosign"), "So nicht.")
    wf.take(r, world.who("anna"), world.task("anna"), "zur_mitzeichnung", circulation=spec)
    wf.cosign(r, world.who("bernd"), world.task("bernd", "cosign"))
    wf.cosign(r, world.who("carla"), world.task("carla", "cosign"))
    freigabe = world.task("chefin")

    before = _head(world)
    with pytest.raises(WorkflowError, match="needs a comment"):
        wf.take(r, world.who("chefin"), freigabe, "zurueckweisen")
    with pytest.raises(PermissionDenied):
        wf.take(r, world.who("anna"), freigabe, "freigeben")
    assert _head(world) == before  # refused: no trace

    wf.take(r, world.who("chefin"), freigabe, "freigeben")
    wf.take(
        r, world.who("anna"), world.task("anna"), "versandt", fields={"versanddatum": "1.12.2026"}
    )

    post = wf.start_workflow(
        r, world.who("reg"), "posteingang", document_id=world.document_in("10")
    )
    (sichten,) = world.tasks("reg")
    assert sichten.due_date is not None and sichten.id is not None
    wf.tick(r, sichten.due_date + timedelta(days=1))
    wf.take(r, world.who("reg"), sichten.id, "zuweisen", fields={"zustaendig": "32"})
    wf.take(r, world.who("anna"), world.task("anna"), "erledigen")
    resubmission = wf.set_resubmission(r, world.who("anna"), world.case, wf.today())
    assert wf.tick(r).resubmissions == [resubmission]
    wf.complete_task(r, world.who("anna"), world.task("anna", "resubmission"))

    for outcome in (antrag, post):
        view = wf.get_instance(r, world.who("anna"), outcome.instance_id)
        events = _events(world, outcome.instance_id)
        assert [e.action for e in events] == [f"workflow.{h.action}" for h in view.history]
        assert [e.actor for e in events] == [h.actor for h in view.history]
        for event, entry in zip(events, view.history, strict=True):
            details = json.loads(event.details)
            assert details["label"] == entry.label
            assert details["version"] == entry.definition_version
            assert details.get("transition") == entry.transition
            assert details.get("comment") == entry.comment
    actions = {e.action for e in _events(world, antrag.instance_id)}
    assert {"workflow.refused", "workflow.cosigned", "workflow.zda"} <= actions
    actions = {e.action for e in _events(world, post.instance_id)}
    assert {"workflow.escalated", "workflow.handed_over"} <= actions
    for action in ("case.closed", "document.moved", "resubmission.set", "resubmission.due"):
        assert _count(world, action) == 1, action
    assert _count(world, "task.done") == 1
    assert _count(world, "workflow.definition.loaded") == 4  # the shipped examples

    report = svc.verify_store(r)
    assert report.ok, report.findings
