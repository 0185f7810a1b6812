"""``eakte workflows`` on a real SQLite installation: checking and loading
definitions, a Rechnungseingang signed by three people, an Umlauf with a
refusal, Wiedervorlage and the timer job; the timer thread of ``eakte serve``."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner, Result

from eakte import records as svc
from eakte import workflow as wf
from eakte.cli import main
from eakte.commands import serve as serve_module
from eakte.config import load_settings
from eakte.exceptions import DatabaseError
from eakte.records import SYSTEM, Records, VersionInput, load_principal
from tests.conftest import TEST_PASSPHRASE

PASSWORD = "ein langes Testpasswort"
PEOPLE = {
    "anna": "sachbearbeitung",
    "bernd": "sachbearbeitung",
    "carla": "sachbearbeitung",
    "chefin": "leitung",
}

BROKEN = """\
name: kaputt
title: Kaputt
subject: case
states:
  a:
    type: start
    label: A
    assign:
      role: sachbearbeitung
  b:
    type: end
    label: B
transitions:
  - name: weiter
    label: Weiter
    from: a
    to: c
    allowed:
      - role: sachbearbeitung
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"EAKTE_DATA_DIR": str(tmp_path / "var"), "EAKTE_KEY_PASSPHRASE": TEST_PASSPHRASE}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def workflows(env: dict[str, str], line: str, *more: str) -> Result:
    """``eakte workflows LINE MORE...``: LINE is split at spaces, MORE is passed as it is."""
    return run(env, "workflows", *line.split(), *more)


def ok(env: dict[str, str], line: str, *more: str) -> str:
    result = workflows(env, line, *more)
    assert result.exit_code == 0, result.output
    return result.stdout


def data(env: dict[str, str], line: str, *more: str) -> Any:
    return json.loads(ok(env, line, *more, "--json"))


def fails(env: dict[str, str], code: int, line: str, *more: str) -> str:
    result = workflows(env, line, *more)
    assert result.exit_code == code, result.output
    return result.stderr


@dataclass
class Office:
    env: dict[str, str]
    document_id: str  # an inbox document of org unit 32
    case: str  # a Vorgang in 32, opened by anna (its owner)


@pytest.fixture
def office(env: dict[str, str]) -> Office:
    for command in ("db upgrade", "keys init", "demo"):
        assert run(env, *command.split()).exit_code == 0
    for user, role in PEOPLE.items():
        added = run(env, "users", "add", user, "--password", PASSWORD, "--role", f"32:{role}")
        assert added.exit_code == 0, added.output
    settings = load_settings(data_dir=Path(env["EAKTE_DATA_DIR"]), key_passphrase=TEST_PASSPHRASE)
    records = Records(settings)
    try:
        version = svc.create_document(
            records,
            SYSTEM,
            title="Rechnung 4711",
            orgunit="32",
            content=b"Rechnung Nr. 4711",
            version=VersionInput(filename="rechnung.txt", media_type="text/plain"),
        )
        with records.reading() as session:
            anna = load_principal(session, "anna")
        akte = svc.create_case_file(records, anna, plan_code="1.2", title="Markt", orgunit="32")
        case = svc.create_case(records, anna, case_file_reference=akte.reference, title="Eiscafé")
    finally:
        records.close()
    return Office(env, version.document_id, case.reference)


def only_task(env: dict[str, str], user: str, kind: str = "step") -> dict[str, Any]:
    tasks = [t for t in data(env, f"tasks --as {user}") if t["kind"] == kind]
    assert len(tasks) == 1, tasks
    task: dict[str, Any] = tasks[0]
    return task


def folder_with(tmp_path: Path, *shipped: str, edited: str = "") -> Path:
    """A definitions folder: copies of shipped examples (``edited`` changed), and a broken file."""
    folder = tmp_path / "workflows"
    folder.mkdir()
    for name in shipped:
        text = (wf.shipped_examples() / name).read_text(encoding="utf-8")
        (folder / name).write_text(text + ("# geändert\n" if name == edited else ""))
    (folder / "kaputt.yaml").write_text(BROKEN, encoding="utf-8")
    return folder


# -- definitions ----------------------------------------------------------------------------


def test_check_names_file_and_line_without_a_database(env: dict[str, str], tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "rechnung.yaml")
    result = workflows(env, "check", str(folder))
    assert result.exit_code == 11, result.output
    assert "kaputt.yaml, line 14: transition 'weiter' leads to unknown state 'c'" in result.stdout
    assert "problem(s) in 1 file(s), 1 valid definition." in result.stdout

    report = json.loads(workflows(env, "check --json", str(folder)).stdout)
    assert report["ok"] is False and report["valid"] == ["rechnungseingang"]
    assert {
        "file": "kaputt.yaml",
        "line": 14,
        "problem": "transition 'weiter' leads to unknown state 'c'",
    } in report["problems"]

    shipped = ok(env, "check")  # the configured folder does not exist: the shipped examples
    assert "4 valid definitions (antrag, beschwerde, posteingang, rechnungseingang)" in shipped
    assert not Path(env["EAKTE_DATA_DIR"]).exists()  # neither database nor data dir needed
    missing = workflows(env, "check", str(tmp_path / "nowhere"))
    assert missing.exit_code == 11 and "nowhere: folder does not exist" in missing.stdout


def test_load_then_list_keeps_the_last_valid_version(office: Office, tmp_path: Path) -> None:
    env = office.env
    assert data(env, "list") == []
    assert "loaded     rechnungseingang (version 1)" in ok(env, "load")
    assert "unchanged  rechnungseingang" in ok(env, "load")
    assert "may not administer" in fails(env, 9, "load --as anna")

    folder = folder_with(tmp_path, "rechnung.yaml", "antrag.yaml", edited="rechnung.yaml")
    result = workflows(env, "load", str(folder))
    assert result.exit_code == 11, result.output
    assert "loaded     rechnungseingang (version 2)" in result.stdout
    assert "unchanged  antrag" in result.stdout
    assert "invalid    kaputt.yaml, line 14: transition 'weiter'" in result.stdout

    assert [(d["name"], d["version"]) for d in data(env, "list")] == [
        ("antrag", 1),
        ("beschwerde", 1),
        ("posteingang", 1),
        ("rechnungseingang", 2),
        ("rechnungseingang", 1),
    ]
    assert "rechnungseingang     v2   Rechnungseingang" in ok(env, "list")


# -- running workflows ----------------------------------------------------------------------


def test_three_people_sign_an_invoice(office: Office) -> None:
    env = office.env
    ok(env, "load")
    started = data(env, f"start rechnungseingang --document {office.document_id} --as anna")
    assert started["state"] == "sachlich_pruefen"

    task = only_task(env, "anna")
    due = wf.add_working_days(wf.today(), 5, "NW")
    assert task["due_date"] == due.isoformat() and task["overdue"] is False
    assert [t["name"] for t in task["transitions"]] == ["sachlich_richtig", "zurueckweisen"]
    listing = ok(env, "tasks --as anna")
    assert f"due {due:%d.%m.%Y}" in listing and "sachlich_richtig (Sachlich richtig)" in listing
    take = f"take {task['id']} sachlich_richtig --field betrag=1.234,50 --as anna"
    ok(env, take, "--comment", "Lieferung vollständig")

    task = only_task(env, "bernd")
    refused = fails(env, 16, f"take {task['id']} rechnerisch_richtig --as anna")
    assert "Vier-Augen-Prinzip: anna took the step 'sachlich_richtig'" in refused
    moved = ok(env, f"take {task['id']} rechnerisch_richtig --as bernd")
    assert "Now at the step: Zahlung anordnen" in moved

    task = only_task(env, "chefin")
    take = f"take {task['id']} anordnen --field haushaltsstelle=1.2.3 --as chefin"
    done = data(env, take)
    assert (done["state"], done["status"]) == ("angeordnet", "completed")
    assert "chefin has completed this task already" in fails(env, 17, take)

    shown = ok(env, "show", started["instance"])
    assert "Rechnungseingang (rechnungseingang, version 1)" in shown
    assert "Status: completed; step: Zahlung angeordnet" in shown
    assert f"{wf.today():%d.%m.%Y}" in shown
    for line in (
        "anna         Sachlich richtig  (v1)",
        "betrag = 1234.50",
        "„Lieferung vollständig“",
        "bernd        Rechnerisch richtig",
        "chefin       Zahlung anordnen",
    ):
        assert line in shown
    history = data(env, "show", started["instance"])["history"]
    assert [h["actor"] for h in history] == ["user:anna", "user:anna", "user:bernd", "user:chefin"]
    assert {h["definition_version"] for h in history} == {1}


def test_umlauf_with_a_refusal_and_an_ad_hoc_umlauf(office: Office) -> None:
    env = office.env
    ok(env, "load")
    instance = data(env, f"start antrag --case {office.case} --as anna")["instance"]
    task = only_task(env, "anna")
    day = wf.add_working_days(wf.today(), 3, "NW")
    cosigners = f"--cosigner bernd --cosigner carla --mode parallel --due {day:%d.%m.%Y}"
    ok(env, f"take {task['id']} zur_mitzeichnung --as anna {cosigners}")
    signing = only_task(env, "bernd", "cosign")
    assert signing["due_date"] == day.isoformat()
    assert "still running" in ok(env, f"cosign {signing['id']} --as bernd")
    refusing = only_task(env, "carla", "cosign")
    fails(env, 2, f"refuse {refusing['id']} --as carla")  # the reason is missing
    refused = ok(env, f"refuse {refusing['id']} --as carla", "--comment", "Gebühr fehlt")
    assert "the workflow returns" in refused
    view = data(env, "show", instance)
    assert view["state"] == "ueberarbeiten"
    assert any(h["comment"] == "Gebühr fehlt" for h in view["history"])

    task = only_task(env, "anna")  # Entwurf überarbeiten, with an ad-hoc Umlauf
    assert "bernd (one after another)" in ok(env, f"umlauf {task['id']} --cosigner bernd --as anna")
    assert "Umlauf is running" in fails(env, 16, f"take {task['id']} zur_mitzeichnung --as anna")
    signed = ok(env, f"cosign {only_task(env, 'bernd', 'cosign')['id']} --as bernd")
    assert "All have co-signed" in signed
    assert only_task(env, "anna")["id"] == task["id"]  # back with its clerk


def test_wiedervorlage_comes_back_with_the_timer_job(office: Office) -> None:
    env = office.env
    day = wf.today() + timedelta(days=10)
    put = ok(env, f"wiedervorlage {office.case} {day:%d.%m.%Y} --as anna", "--note", "Nachweis da?")
    assert f"comes back to anna on {day:%d.%m.%Y}" in put
    assert data(env, "tasks --as anna") == []
    assert "has passed" in fails(env, 16, f"wiedervorlage {office.case} 01.01.2020 --as anna")
    assert "is no date" in fails(env, 2, f"wiedervorlage {office.case} morgen --as anna")

    assert data(env, "tick")["resubmissions"] == []  # not due yet
    first = data(env, f"tick --day {day.isoformat()}")
    assert first == {"day": day.isoformat(), "escalated": [], "resubmissions": [1]}
    assert data(env, f"tick --day {day.isoformat()}")["resubmissions"] == []  # once only
    said = ok(env, f"tick --day {day:%d.%m.%Y}")
    assert f"Timer job for {day:%d.%m.%Y}: 0 overdue task(s) escalated" in said

    task = only_task(env, "anna", "resubmission")
    assert task["title"] == f"Wiedervorlage {office.case}: Nachweis da?"
    fails(env, 9, f"done {task['id']} --as bernd")
    assert "Erledigt" in ok(env, f"done {task['id']} --as anna")
    assert data(env, "tasks --as anna") == []


def test_tick_escalates_an_overdue_invoice_once(office: Office) -> None:
    env = office.env
    ok(env, "load")
    ok(env, f"start rechnungseingang --document {office.document_id} --as anna")
    later = wf.today() + timedelta(days=30)
    assert len(data(env, f"tick --day {later.isoformat()}")["escalated"]) == 1
    assert data(env, f"tick --day {later.isoformat()}")["escalated"] == []
    notice = only_task(env, "chefin", "notice")  # the Leitung is told
    assert notice["title"].startswith("Frist überschritten")


# -- the timer in eakte serve ---------------------------------------------------------------


def test_timer_thread_survives_a_failing_run_and_stops(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    runs = threading.Semaphore(0)
    calls: list[int] = []

    def tick(records: Any) -> wf.TickReport:
        calls.append(1)
        runs.release()
        if len(calls) == 1:
            raise DatabaseError("The database cannot be reached.")
        if len(calls) == 2:
            raise RuntimeError("a bug")
        return wf.TickReport(wf.today())

    monkeypatch.setattr(serve_module.wf, "tick", tick)
    with caplog.at_level(logging.WARNING, logger="eakte.commands.serve"):
        fake = cast(Records, object())  # only handed to the replaced job
        timer = serve_module.WorkflowTimer(fake, interval=0.01).start()
        for _ in range(3):
            assert runs.acquire(timeout=5)
        timer.stop()
    assert not timer.alive
    messages = [r.getMessage() for r in caplog.records]
    assert any("cannot be reached" in m for m in messages)
    assert any(r.exc_info for r in caplog.records)  # the bug is logged with its traceback


def test_serve_loads_the_definitions_and_runs_the_timer(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_waitress(app: Any, **options: Any) -> None:
        seen["timers"] = [t.name for t in threading.enumerate() if t.name == "workflow-timer"]

    monkeypatch.setattr("waitress.serve", fake_waitress)
    result = run(office.env, "serve", "--no-watch")
    assert result.exit_code == 0, result.output
    assert seen["timers"] == ["workflow-timer"]
    assert not any(t.name == "workflow-timer" for t in threading.enumerate())  # stopped
    assert len(data(office.env, "list")) == 4


def test_serve_starts_despite_an_invalid_definition(
    office: Office,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr("waitress.serve", lambda app, **options: None)
    env = {**office.env, "EAKTE_WORKFLOWS_DIR": str(folder_with(tmp_path, "rechnung.yaml"))}
    with caplog.at_level(logging.WARNING):
        result = run(env, "serve", "--no-watch")
    assert result.exit_code == 0, result.output
    assert [d["name"] for d in data(env, "list")] == ["rechnungseingang"]
    assert "kaputt.yaml, line 14: transition 'weiter' leads to unknown state 'c'" in caplog.text
