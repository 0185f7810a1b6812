"""A rule that names a person, when there is no person: the task goes to the
Sachbearbeitung of the workflow's org unit instead of to nobody."""

from __future__ import annotations

from eakte import records as svc
from eakte import workflow as wf
from eakte.records import SYSTEM
from tests.integration.workflow.conftest import World


def test_case_owner_of_a_vorgang_opened_by_the_system_is_the_sachbearbeitung(
    world: World,
) -> None:
    r = world.records
    akte = svc.create_case_file(r, SYSTEM, plan_code="1.2", title="Importiert", orgunit="32")
    case = svc.create_case(r, SYSTEM, case_file_reference=akte.reference, title="Altfall")
    wf.start_workflow(r, world.who("anna"), "antrag", case=case.reference)
    pool = [t for t in wf.tasks_for(r, world.who("bernd")) if t.kind == "step"]
    assert [t.title for t in pool] == ["Antrag mit Mitzeichnung und Freigabe: Antrag prüfen"]
    assert pool[0].assignee is None  # a pool task, which bernd (Sachbearbeitung 32) sees


def test_previous_actor_after_a_start_by_the_system_is_the_sachbearbeitung(
    world: World, tmp_path: object
) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path)) / "wf"
    folder.mkdir()
    (folder / "kurz.yaml").write_text(
        "name: kurz\ntitle: Kurz\nstates:\n  a:\n    type: start\n    label: A\n"
        "    assign:\n      previous_actor: true\n  z:\n    type: end\n    label: Z\n"
        "transitions:\n  - name: fertig\n    label: Fertig\n    from: a\n    to: z\n"
        "    allowed:\n      - assignee: true\n",
        encoding="utf-8",
    )
    wf.sync_definitions(world.records, SYSTEM, folder)
    wf.start_workflow(world.records, SYSTEM, "kurz", document_id=world.document_id)
    task = world.task("carla")
    wf.take(world.records, world.who("carla"), task, "fertig")
