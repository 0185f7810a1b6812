"""Versions: an edited definition becomes the next version for new instances,
running ones keep theirs; an invalid edit is not loaded."""

from __future__ import annotations

from pathlib import Path

from eakte import workflow as wf
from eakte.records import SYSTEM
from tests.integration.workflow.conftest import World

V1 = """\
name: pruefung
title: Prüfung
states:
  pruefen:
    type: start
    label: Prüfen
    assign:
      role: sachbearbeitung
  fertig:
    type: end
    label: Fertig
transitions:
  - name: erledigen
    label: Erledigt
    from: pruefen
    to: fertig
    allowed:
      - assignee: true
"""
# version 2: a new step for the Leitung between the two, and a new label
V2 = """\
name: pruefung
title: Prüfung
states:
  pruefen:
    type: start
    label: Sachlich prüfen
    assign:
      role: sachbearbeitung
  gegenzeichnen:
    label: Gegenzeichnen
    assign:
      role: leitung
  fertig:
    type: end
    label: Fertig
transitions:
  - name: erledigen
    label: Erledigt
    from: pruefen
    to: gegenzeichnen
    allowed:
      - assignee: true
  - name: gezeichnet
    label: Gegengezeichnet
    from: gegenzeichnen
    to: fertig
    allowed:
      - role: leitung
"""
BROKEN = V2.replace(
    "    to: fertig\n    allowed:\n      - role: leitung",
    "    to: archiv\n    allowed:\n      - role: leitung",
)


def test_running_instances_keep_their_version(world: World, tmp_path: Path) -> None:
    r = world.records
    folder = tmp_path / "workflows"
    folder.mkdir()
    source = folder / "pruefung.yaml"
    source.write_text(V1, encoding="utf-8")
    assert wf.sync_definitions(r, SYSTEM, folder).added == [("pruefung", 1)]
    assert wf.sync_definitions(r, SYSTEM, folder).unchanged == ["pruefung"]  # same text

    old = wf.start_workflow(r, world.who("anna"), "pruefung", case=world.case)
    old_task = world.task("anna")
    assert world.tasks("anna")[0].title == "Prüfung: Prüfen"

    source.write_text(V2, encoding="utf-8")
    report = wf.sync_definitions(r, SYSTEM, folder)
    assert (report.added, report.problems) == ([("pruefung", 2)], [])
    new = wf.start_workflow(r, world.who("bernd"), "pruefung", document_id=world.document_id)
    new_task = next(t for t in world.tasks("bernd") if t.id != old_task)
    assert new_task.title == "Prüfung: Sachlich prüfen"
    assert wf.get_instance(r, world.who("anna"), old.instance_id).version == 1
    assert wf.get_instance(r, world.who("anna"), new.instance_id).version == 2

    # the old instance follows version 1: "erledigen" ends it
    done = wf.take(r, world.who("anna"), old_task, "erledigen")
    assert (done.state, done.status) == ("fertig", "completed")
    view = wf.get_instance(r, world.who("anna"), old.instance_id)
    assert {h.definition_version for h in view.history} == {1}
    assert view.history[0].label == "Prüfung gestartet (Version 1)"

    # an invalid edit is reported with file and line and not loaded
    source.write_text(BROKEN, encoding="utf-8")
    report = wf.sync_definitions(r, SYSTEM, folder)
    assert report.added == []
    line = BROKEN.splitlines().index("  - name: gezeichnet") + 1
    assert ("pruefung.yaml", line, "transition 'gezeichnet' leads to unknown state 'archiv'") in (
        report.problems
    )
    with r.reading() as session:
        versions = [(d.name, d.version) for d in wf.list_definitions(session)]
    assert [v for v in versions if v[0] == "pruefung"] == [("pruefung", 2), ("pruefung", 1)]

    # the new instance follows version 2: "erledigen" leads to the Leitung
    moved = wf.take(r, world.who("bernd"), new_task.id or "", "erledigen")
    assert (moved.state, moved.status) == ("gegenzeichnen", "running")
    wf.take(r, world.who("chefin"), world.task("chefin"), "gezeichnet")
    view = wf.get_instance(r, world.who("bernd"), new.instance_id)
    assert {h.definition_version for h in view.history} == {2}
    assert [h.to_state for h in view.history if h.transition] == ["gegenzeichnen", "fertig"]

    # a third instance still gets version 2
    third = wf.start_workflow(r, world.who("anna"), "pruefung", case=world.case)
    assert wf.get_instance(r, world.who("anna"), third.instance_id).version == 2
