"""The timer job handles every other task when one cannot be escalated."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from eakte import workflow as wf
from eakte.records import SYSTEM
from tests.integration.workflow.conftest import World

# valid as a file, but the user it escalates to does not exist in this installation
BROKEN_ESCALATION = """\
name: meldung
title: Meldung
states:
  pruefen:
    type: start
    label: Prüfen
    assign:
      role: sachbearbeitung
    deadline:
      working_days: 1
      escalate:
        reassign:
          user: niemand
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


def test_one_task_that_cannot_escalate_blocks_no_other(
    world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    r = world.records
    (tmp_path / "meldung.yaml").write_text(BROKEN_ESCALATION, encoding="utf-8")
    assert wf.sync_definitions(r, SYSTEM, tmp_path).added == [("meldung", 1)]
    wf.start_workflow(r, world.who("anna"), "meldung", document_id=world.document_id)
    wf.start_workflow(r, world.who("anna"), "beschwerde", case=world.case)
    tasks = {t.title: t for t in world.tasks("anna")}
    broken, fine = tasks["Meldung: Prüfen"], tasks["Beschwerdemanagement: Beschwerde bearbeiten"]
    assert fine.due_date is not None
    late = fine.due_date + timedelta(days=1)

    with caplog.at_level(logging.WARNING, logger="eakte.workflow"):
        assert wf.tick(r, late).escalated == [fine.id]
    assert "niemand" in caplog.text
    assert world.tasks("chefin")[0].id == fine.id
    assert broken.id in {t.id for t in world.tasks("anna")}  # untouched, tried again next time
