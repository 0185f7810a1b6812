"""An Umlauf started ad hoc in any step, and an overdue Mitzeichnung."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eakte import workflow as wf
from eakte.exceptions import PermissionDenied, WorkflowError
from tests.integration.workflow.conftest import World


def test_an_ad_hoc_umlauf_gives_the_step_back(world: World) -> None:
    r = world.records
    started = wf.start_workflow(r, world.who("anna"), "beschwerde", case=world.case)
    task = world.task("anna")
    spec = wf.CirculationSpec((wf.Participant.parse("user:bernd"), wf.Participant.parse("oe:32")))
    with pytest.raises(PermissionDenied):
        wf.start_circulation(r, world.who("chefin"), task, spec)  # not her task
    with pytest.raises(WorkflowError, match="no co-signer"):
        wf.Participant.parse("abteilung:32")
    wf.start_circulation(r, world.who("anna"), task, spec)
    assert world.tasks("anna") == []  # the step waits
    with pytest.raises(WorkflowError, match="Umlauf is running"):
        wf.take(r, world.who("anna"), task, "beantworten", fields={"antwort_am": "1.12.2026"})
    assert wf.cosign(r, world.who("bernd"), world.task("bernd", "cosign")) == "running"
    assert wf.refuse(r, world.who("carla"), world.task("carla", "cosign"), "Ton zu scharf") == (
        "refused"
    )
    assert world.task("anna") == task  # back to the step, still in the same state
    view = wf.get_instance(r, world.who("anna"), started.instance_id)
    assert (view.state, view.history[-1].action) == ("bearbeiten", "circulation_refused")

    wf.start_circulation(r, world.who("anna"), task, wf.CirculationSpec((wf.Participant("bernd"),)))
    assert wf.cosign(r, world.who("bernd"), world.task("bernd", "cosign")) == "completed"
    done = wf.take(r, world.who("anna"), task, "beantworten", fields={"antwort_am": "1.12.2026"})
    assert done.status == "completed"


def test_an_overdue_mitzeichnung_is_reported_to_who_started_the_umlauf(world: World) -> None:
    r = world.records
    due = wf.today() + timedelta(days=2)
    wf.start_workflow(r, world.who("anna"), "antrag", case=world.case)
    spec = wf.CirculationSpec((wf.Participant("bernd"),), "parallel", due)
    with pytest.raises(WorkflowError, match="named twice"):
        wf.take(
            r,
            world.who("anna"),
            world.task("anna"),
            "zur_mitzeichnung",
            circulation=wf.CirculationSpec((wf.Participant("bernd"), wf.Participant("bernd"))),
        )
    wf.take(r, world.who("anna"), world.task("anna"), "zur_mitzeichnung", circulation=spec)
    (cosign,) = world.tasks("bernd", "cosign")
    assert cosign.due_date == due
    assert wf.tick(r, due).escalated == []
    assert wf.tick(r, due + timedelta(days=1)).escalated == [cosign.id]
    assert wf.tick(r, due + timedelta(days=1)).escalated == []
    (notice,) = world.tasks("anna", "notice")
    assert notice.title.startswith("Mitzeichnung überfällig")
    assert [t.id for t in world.tasks("bernd", "cosign")] == [cosign.id]  # still his to answer
    assert cosign.id is not None
    assert wf.cosign(r, world.who("bernd"), cosign.id) == "completed"
