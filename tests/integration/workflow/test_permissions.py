"""Permissions are checked in the service layer: a clerk of org unit 10 can
neither start, see, take nor co-sign anything of 32's."""

from __future__ import annotations

import pytest

from eakte import workflow as wf
from eakte.exceptions import PermissionDenied
from tests.integration.workflow.conftest import World


def test_another_org_unit_cannot_touch_the_workflow(world: World) -> None:
    r, hans = world.records, world.who("hans")
    with pytest.raises(PermissionDenied, match="org unit 32"):
        wf.start_workflow(r, hans, "beschwerde", case=world.case)
    with pytest.raises(PermissionDenied):
        wf.start_workflow(r, hans, "rechnungseingang", document_id=world.document_id)

    started = wf.start_workflow(r, world.who("anna"), "antrag", case=world.case)
    task = world.task("anna")
    assert world.tasks("hans") == []
    with pytest.raises(PermissionDenied):
        wf.take(
            r,
            hans,
            task,
            "zur_mitzeichnung",
            circulation=wf.CirculationSpec((wf.Participant("bernd"),)),
        )
    with pytest.raises(PermissionDenied):
        wf.get_instance(r, hans, started.instance_id)
    with pytest.raises(PermissionDenied):
        wf.instances_of(r, hans, case=world.case)
    with pytest.raises(PermissionDenied):
        wf.start_circulation(r, hans, task, wf.CirculationSpec((wf.Participant("hans"),)))

    wf.take(
        r,
        world.who("anna"),
        task,
        "zur_mitzeichnung",
        circulation=wf.CirculationSpec((wf.Participant(orgunit="32"),)),
    )
    cosign = world.task("bernd", "cosign")
    assert world.tasks("hans", "cosign") == []
    with pytest.raises(PermissionDenied):
        wf.cosign(r, hans, cosign)
    with pytest.raises(PermissionDenied):
        wf.refuse(r, hans, cosign, "nein")
    assert wf.get_instance(r, world.who("anna"), started.instance_id).state == "mitzeichnung"


def test_another_org_unit_learns_nothing_from_a_finished_task(world: World) -> None:
    r = world.records
    wf.start_workflow(r, world.who("anna"), "beschwerde", case=world.case)
    task = world.task("anna")
    wf.take(r, world.who("anna"), task, "beantworten", fields={"antwort_am": "1.12.2026"})
    with pytest.raises(PermissionDenied) as refused:
        wf.take(r, world.who("hans"), task, "beantworten", fields={"antwort_am": "1.12.2026"})
    assert "anna" not in str(refused.value)
