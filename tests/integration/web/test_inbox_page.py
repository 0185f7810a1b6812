"""/posteingang: the unfiled documents of one's org units with preview, metadata and
routing; filing into an Akte or Vorgang (existing or new), starting a workflow;
permissions (another department guessing URLs) and escaping."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from eakte import records as svc
from eakte import workflow as wf
from eakte.exceptions import NotFound, PermissionDenied
from eakte.records import SYSTEM
from tests.integration.web import fileplan_support as support
from tests.integration.web.documents_support import (
    XSS,
    akte_of,
    events,
    ingest,
    pdf_titled,
    png_size,
)
from tests.integration.web.fileplan_support import page
from tests.integration.workflow import conftest as workflow_world
from tests.integration.workflow.conftest import World

world, app, as_user = workflow_world.world, support.app, support.as_user  # fixtures

Login = Callable[[str], FlaskClient]


@pytest.fixture
def scanned(world: World, tmp_path: Path) -> str:
    """A scanned letter (PNG, OCR) delivered to the Posteingang of 32."""
    return ingest(world.records, tmp_path, "scan.png", "32")


def test_inbox_lists_documents_with_preview_metadata_and_routing(
    world: World, as_user: Login, scanned: str, tmp_path: Path
) -> None:
    note = ingest(world.records, tmp_path, "note.txt", "32")
    anna = as_user("anna")
    html = page(anna, "/posteingang")
    assert "Posteingang" in html
    assert f"/dokumente/{scanned}" in html and f"/dokumente/{note}" in html
    assert "Antrag auf Sondernutzung" in html  # the OCR'd letter's title
    assert "Eingangsordner 32" in html  # the routing decision
    assert f"/dokumente/{scanned}/vorschau.png" in html
    assert f"/dokumente/{note}/vorschau.png" not in html  # a text file has no pages
    assert html.index(note) < html.index(scanned)  # newest first
    thumb = anna.get(f"/dokumente/{scanned}/vorschau.png")
    assert thumb.status_code == 200 and thumb.mimetype == "image/png"
    width, height = png_size(thumb.data)
    assert 0 < width <= 160 and 0 < height <= 226
    # hans (Hauptamt) sees neither; his own Posteingang only
    assert scanned not in page(as_user("hans"), "/posteingang")


def test_assign_to_an_existing_akte_and_vorgang(
    world: World, as_user: Login, scanned: str, tmp_path: Path
) -> None:
    anna = as_user("anna")
    akte = akte_of(world)
    status, html = _post(anna, f"/posteingang/{scanned}/zuordnen", {"target": akte})
    assert status == 200
    assert "Das Dokument wurde abgelegt in" in html and akte in html
    report = svc.document_report(world.records, SYSTEM, scanned)
    assert report["case_file"] == akte and report["reference"] == akte
    assert scanned not in page(anna, "/posteingang")
    [filed] = events(world.records, "document.filed", scanned)
    assert filed["case_file"] == akte and filed["orgunit"] == "32" and filed["case"] is None
    # a second document straight into the Vorgang
    other = ingest(world.records, tmp_path, "note.txt", "32")
    status, html = _post(anna, f"/posteingang/{other}/zuordnen", {"target": world.case})
    assert status == 200
    assert svc.document_report(world.records, SYSTEM, other)["reference"] == world.case
    assert svc.verify_store(world.records).ok


def test_new_akte_and_new_vorgang(world: World, as_user: Login, tmp_path: Path) -> None:
    anna = as_user("anna")
    first = ingest(world.records, tmp_path, "note.txt", "32")
    status, html = _post(
        anna, f"/posteingang/{first}/neue-akte", {"plan": "1.2", "title": "Markt Nord"}
    )
    assert status == 200
    report = svc.document_report(world.records, SYSTEM, first)
    akte = report["case_file"]
    assert akte and akte.startswith("1.2-") and akte in html
    assert svc.get_case_file(world.records, SYSTEM, akte).title == "Markt Nord"
    second = ingest(world.records, tmp_path, "sample.pdf", "32")
    status, html = _post(
        anna, f"/posteingang/{second}/neuer-vorgang", {"case_file": akte, "title": "Stand 7"}
    )
    assert status == 200
    report = svc.document_report(world.records, SYSTEM, second)
    assert report["case_file"] == akte
    assert report["reference"].startswith(akte) and report["reference"] != akte  # the Vorgang
    assert report["reference"] in html
    assert svc.verify_store(world.records).ok


def test_errors_come_back_as_a_message(world: World, as_user: Login, scanned: str) -> None:
    anna = as_user("anna")
    status, html = _post(anna, f"/posteingang/{scanned}/neue-akte", {"plan": "1.2", "title": ""})
    assert status == 200 and 'role="status"' in html
    assert svc.document_report(world.records, SYSTEM, scanned)["case_file"] is None


def test_start_a_workflow_on_an_inbox_document(world: World, as_user: Login, scanned: str) -> None:
    anna = as_user("anna")
    html = page(anna, "/posteingang")
    assert 'value="posteingang"' in html and "Posteingangsbearbeitung" in html
    assert 'value="antrag"' not in html  # runs on a Vorgang only
    status, html = _post(anna, f"/posteingang/{scanned}/workflow", {"workflow": "posteingang"})
    assert status == 200
    [run] = wf.instances_of(world.records, SYSTEM, document_id=scanned)
    assert run.status == "running"
    assert f"Posteingangsbearbeitung: {run.state_label}" in html


def test_target_suggestions(world: World, as_user: Login) -> None:
    anna, hans = as_user("anna"), as_user("hans")
    akte = akte_of(world)
    options = anna.get("/posteingang/ziele?target=Sondernutzungen", headers={"HX-Request": "true"})
    text = options.get_data(as_text=True)
    assert options.status_code == 200 and f'<option value="{akte}">' in text
    assert "<html" not in text  # a fragment for htmx
    assert world.case in page(anna, "/posteingang/ziele?q=Eiscaf")  # the Vorgang by title
    assert akte not in page(hans, "/posteingang/ziele?q=Sondernutzungen")  # not his to write


def test_paging(world: World, as_user: Login) -> None:
    for number in range(23):
        world.document_in("32", f"Schreiben {number}")
    anna = as_user("anna")
    first = page(anna, "/posteingang")
    assert "Seite 1 von 2" in first and "?seite=2" in first
    second = page(anna, "/posteingang?seite=2")
    assert "Seite 2 von 2" in second
    assert "Schreiben 0<" in second and "Schreiben 22<" in first


def test_another_department_cannot_see_or_file(
    world: World, as_user: Login, scanned: str, tmp_path: Path
) -> None:
    hans = as_user("hans")
    akte = akte_of(world)
    for path in (f"/dokumente/{scanned}/vorschau.png", f"/dokumente/{scanned}/seiten/1.png"):
        response = hans.get(path)
        assert response.status_code in (403, 404) and response.mimetype == "text/html"
    token = _token(hans)
    for path, data in (
        (f"/posteingang/{scanned}/zuordnen", {"target": akte}),
        (f"/posteingang/{scanned}/neue-akte", {"plan": "1.2", "title": "x"}),
        (f"/posteingang/{scanned}/neuer-vorgang", {"case_file": akte, "title": "x"}),
        (f"/posteingang/{scanned}/workflow", {"workflow": "posteingang"}),
    ):
        response = hans.post(path, data={"csrf_token": token, **data})
        assert response.status_code in (403, 404), (path, response.status_code)
        assert "Antrag auf Sondernutzung" not in response.get_data(as_text=True)
    assert svc.document_report(world.records, SYSTEM, scanned)["case_file"] is None
    assert wf.instances_of(world.records, SYSTEM, document_id=scanned) == []
    # his own document into 32's Akte: the Akte is not his to write (and stays unnamed)
    own = ingest(world.records, tmp_path, "note.txt", "10")
    response = hans.post(f"/posteingang/{own}/zuordnen", data={"csrf_token": token, "target": akte})
    assert response.status_code == 404
    assert svc.document_report(world.records, SYSTEM, own)["case_file"] is None
    # without CSRF token nothing happens
    anna = as_user("anna")
    response = anna.post(f"/posteingang/{scanned}/zuordnen", data={"target": akte})
    assert response.status_code == 400


def test_filing_service_checks_both_sides(world: World, tmp_path: Path) -> None:
    document = ingest(world.records, tmp_path, "note.txt", "10")
    akte = akte_of(world)
    with pytest.raises(PermissionDenied):  # anna may not change a document of 10
        svc.file_document(world.records, world.who("anna"), document, case_file=akte)
    with pytest.raises(NotFound):  # hans may not write into 32's Akte
        svc.file_document(world.records, world.who("hans"), document, case_file=akte)
    moved = svc.file_document(
        world.records, world.who("doppel"), world.document_id, case=world.case
    )
    assert moved.case_id is not None
    assert svc.verify_store(world.records).ok


def test_filing_keeps_verify_clean_and_detects_a_forged_move(world: World, tmp_path: Path) -> None:
    from sqlalchemy import update

    from eakte.models import Document

    document = ingest(world.records, tmp_path, "note.txt", "10")
    hans = world.who("hans")
    akte = svc.create_case_file(world.records, hans, plan_code="0.1", title="Org", orgunit="10")
    svc.file_document(world.records, hans, document, case_file=akte.reference)
    report = svc.verify_store(world.records)
    assert report.ok, report.findings
    with world.records.transaction() as session:  # a move behind the audit log's back
        session.execute(update(Document).where(Document.id == document).values(case_file_id=None))
    codes = {f.code for f in svc.verify_store(world.records).findings}
    assert "document-row-altered" in codes


def test_titles_names_and_text_are_escaped(world: World, as_user: Login, tmp_path: Path) -> None:
    titled = ingest(world.records, tmp_path, None, "32", name=f"{XSS}.pdf", data=pdf_titled(XSS))
    texted = ingest(
        world.records,
        tmp_path,
        None,
        "32",
        name=f"{XSS}.txt",
        data=f"{XSS}\nSehr geehrte Damen und Herren".encode(),
    )
    html = page(as_user("anna"), "/posteingang")
    assert titled in html and texted in html
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _token(client: FlaskClient) -> str:
    from tests.integration.web.test_web import csrf_token

    return csrf_token(client, "/posteingang")


def _post(client: FlaskClient, path: str, data: dict[str, object]) -> tuple[int, str]:
    response = client.post(path, data={"csrf_token": _token(client), **data}, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def test_an_auditor_reads_the_inbox_but_gets_no_forms(world: World, as_user: Login) -> None:
    document = world.document_in("32", "Prüfbrief")
    svc.create_user(
        world.records,
        SYSTEM,
        username="pruef",
        display_name="Prüfer",
        password=workflow_world.PASSWORD,
    )
    svc.grant_role(world.records, SYSTEM, username="pruef", orgunit="32", role="auditor")
    pruef = as_user("pruef")
    html = page(pruef, "/posteingang")
    assert "Prüfbrief" in html and "/zuordnen" not in html and "csrf_token" in html  # logout
    response = pruef.post(
        f"/posteingang/{document}/zuordnen",
        data={"csrf_token": _token(pruef), "target": akte_of(world)},
    )
    assert response.status_code == 403
