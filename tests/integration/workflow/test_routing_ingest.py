"""Routing rules in the real ingest pipeline (real Tika): the rule's org unit
and workflow, the decision recorded with the rule, an Aktenzeichen winning
over a rule, and a broken routing.yaml or workflow that loses no document."""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from eakte import records as svc
from eakte import workflow as wf
from eakte.config import Settings
from eakte.ingest import Inbox, Outcome, Pipeline, Source, run_job
from eakte.ingest import _pipeline as pipeline_module
from eakte.models import AuditEvent, IngestItem
from eakte.records import SYSTEM, Records, init_keys
from eakte.records._demo import load_demo
from tests.integration.ingest.conftest import make_settings

pytestmark = pytest.mark.integration

RULES = """\
rules:
  - name: rechnungen
    when:
      document_type: Rechnung
      keywords: [Zahlungsziel]
    then:
      orgunit: "70"
      workflow: rechnungseingang
"""
INVOICE = """\
Stadtwerke Musterstadt GmbH, Am Werk 1, 12345 Musterstadt

Rechnung Nr. 4711

Für die Lieferung von Strom im Oktober berechnen wir:
Rechnungsbetrag: 1.234,50 EUR zzgl. MwSt.
Zahlungsziel: 14 Tage, zahlbar bis 15.11.2024.
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "workflows"
    shutil.copytree(wf.shipped_examples(), target)
    (target / "routing.yaml").write_text(RULES, encoding="utf-8")
    return target


@pytest.fixture
def settings(tmp_path: Path, sqlite_template: Path, folder: Path) -> Settings:
    target = tmp_path / "eakte.sqlite3"
    shutil.copy(sqlite_template, target)
    return make_settings(tmp_path, f"sqlite:///{target}", workflows_dir=folder)


@pytest.fixture
def installation(settings: Settings) -> Iterator[Records]:
    settings.ensure_data_dir()
    records = Records(settings)
    init_keys(records, SYSTEM)
    load_demo(records)
    Inbox(settings).ensure()
    wf.sync_definitions(records, SYSTEM)
    yield records
    records.close()


def letter(settings: Settings, text: str, name: str = "rechnung.txt") -> Path:
    path = settings.tmp_dir / "letters" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ingest(pipeline: Pipeline, path: Path, orgunit: str | None = None) -> Outcome:
    inbox = Inbox(pipeline.settings)
    result = run_job(pipeline, inbox, inbox.submit_copy(path, orgunit))
    assert result is not None
    assert result.outcome.status == "stored", result.outcome
    return result.outcome


def events(records: Records, action: str, document_id: str) -> list[dict[str, object]]:
    with records.reading() as session:
        rows = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.object_id == document_id
            )
        )
        return [json.loads(row.details) for row in rows]


def routing_of_item(records: Records, document_id: str) -> str | None:
    with records.reading() as session:
        return session.scalar(
            select(IngestItem.routing).where(IngestItem.document_id == document_id)
        )


def test_an_invoice_goes_to_the_rules_org_unit_and_starts_its_workflow(
    installation: Records,
) -> None:
    pipeline = Pipeline(installation)
    outcome = ingest(pipeline, letter(installation.settings, INVOICE), "32")
    assert outcome.document_id is not None
    expected = "Regel rechnungen → 70, Workflow rechnungseingang"
    assert outcome.routing == expected
    report = svc.document_report(installation, SYSTEM, outcome.document_id)
    assert (report["orgunit"], report["document_type"]) == ("70", "Rechnung")
    assert report["routing"] == expected
    (instance,) = wf.instances_of(installation, SYSTEM, document_id=outcome.document_id)
    assert (instance.workflow, instance.state, instance.status) == (
        "rechnungseingang",
        "sachlich_pruefen",
        "running",
    )
    assert instance.history[0].comment == "Verteilregel rechnungen"
    assert instance.history[0].actor == SYSTEM.actor
    (stored,) = events(installation, "ingest.stored", outcome.document_id)
    assert (stored["rule"], stored["routing"]) == ("rechnungen", expected)
    assert routing_of_item(installation, outcome.document_id) == expected


def test_a_document_no_rule_matches_is_routed_as_before(installation: Records) -> None:
    outcome = ingest(Pipeline(installation), letter(installation.settings, "Ein Brief.\n"), "33")
    assert outcome.routing == "Eingangsordner 33"
    assert outcome.document_id is not None
    assert wf.instances_of(installation, SYSTEM, document_id=outcome.document_id) == []
    (stored,) = events(installation, "ingest.stored", outcome.document_id)
    assert "rule" not in stored


def test_an_aktenzeichen_of_an_existing_akte_wins_over_the_rule(installation: Records) -> None:
    akte = svc.create_case_file(
        installation,
        SYSTEM,
        plan_code="9.3",
        title="Energielieferungen",
        orgunit="32",
        year=2024,
        reference="9.3-0042/2024",
    )
    text = INVOICE + f"\nAz.: {akte.reference}\n"
    outcome = ingest(Pipeline(installation), letter(installation.settings, text))
    assert outcome.document_id is not None
    report = svc.document_report(installation, SYSTEM, outcome.document_id)
    assert (report["case_file"], report["orgunit"]) == ("9.3-0042/2024", "32")
    assert outcome.routing == (
        "Aktenzeichen 9.3-0042/2024 → Akte (genauer als Regel rechnungen → 70), "
        "Workflow rechnungseingang"
    )
    (instance,) = wf.instances_of(installation, SYSTEM, document_id=outcome.document_id)
    assert instance.workflow == "rechnungseingang"
    (stored,) = events(installation, "ingest.stored", outcome.document_id)
    assert stored["rule"] == "rechnungen"


def test_a_broken_routing_yaml_keeps_the_last_valid_rules(
    installation: Records, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline = Pipeline(installation)  # reads the valid rules
    broken = RULES.replace("orgunit:", "org_unit:")
    (folder / "routing.yaml").write_text(broken + "\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="eakte.ingest._routing"):
        outcome = ingest(pipeline, letter(installation.settings, INVOICE))
    assert "routing.yaml, line 7: unknown key 'org_unit'" in caplog.text
    assert "Rules still in use: rechnungen" in caplog.text
    assert outcome.routing == "Regel rechnungen → 70, Workflow rechnungseingang"

    (folder / "routing.yaml").write_text(RULES.replace('"70"', '"63"'), encoding="utf-8")
    fixed = ingest(pipeline, letter(installation.settings, INVOICE + "\nZweite.\n", "b.txt"))
    assert fixed.routing == "Regel rechnungen → 63, Workflow rechnungseingang"


def test_a_pipeline_started_with_a_broken_routing_yaml_stores_documents_without_rules(
    installation: Records, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (folder / "routing.yaml").write_text("rules:\n  - name: [kaputt\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="eakte.ingest._routing"):
        pipeline = Pipeline(installation)
    assert "routing.yaml, line 3: not valid YAML" in caplog.text
    assert "Rules still in use: none" in caplog.text
    outcome = ingest(pipeline, letter(installation.settings, INVOICE))
    assert outcome.routing == "Standard-Posteingang 10"
    assert outcome.document_id is not None
    assert svc.document_report(installation, SYSTEM, outcome.document_id)["orgunit"] == "10"


def test_a_workflow_that_cannot_start_leaves_the_document_stored(
    installation: Records, folder: Path
) -> None:
    # the rule names a valid definition of the folder that was never loaded
    (folder / "rechnung.yaml").write_text(
        (folder / "rechnung.yaml")
        .read_text(encoding="utf-8")
        .replace("name: rechnungseingang", "name: rechnungen_neu"),
        encoding="utf-8",
    )
    (folder / "routing.yaml").write_text(
        RULES.replace("workflow: rechnungseingang", "workflow: rechnungen_neu"), encoding="utf-8"
    )
    outcome = ingest(Pipeline(installation), letter(installation.settings, INVOICE))
    assert outcome.document_id is not None
    assert outcome.routing is not None
    assert outcome.routing.startswith(
        "Regel rechnungen → 70, Workflow rechnungen_neu; Workflow rechnungen_neu nicht "
        "gestartet: There is no workflow 'rechnungen_neu'."
    )
    assert svc.document_report(installation, SYSTEM, outcome.document_id)["orgunit"] == "70"
    assert routing_of_item(installation, outcome.document_id) == outcome.routing
    (failed,) = events(installation, "ingest.workflow_failed", outcome.document_id)
    assert (failed["rule"], failed["workflow"]) == ("rechnungen", "rechnungen_neu")
    assert wf.instances_of(installation, SYSTEM, document_id=outcome.document_id) == []


def test_a_job_run_again_after_a_crash_starts_the_workflow_once(
    installation: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = Pipeline(installation)
    path = letter(installation.settings, INVOICE)
    source = Source(path=path, name=path.name, item_id=str(uuid.uuid4()), source="cli")
    with monkeypatch.context() as crash:  # stored, then the worker died before the start
        crash.setattr(pipeline_module, "start_routed_workflow", lambda records, outcome: outcome)
        first = pipeline.ingest(source)
    assert first.document_id is not None
    assert wf.instances_of(installation, SYSTEM, document_id=first.document_id) == []
    for _ in range(2):
        again = pipeline.ingest(source)
        assert (again.status, again.document_id) == ("stored", first.document_id)
    (instance,) = wf.instances_of(installation, SYSTEM, document_id=first.document_id)
    assert instance.workflow == "rechnungseingang"
