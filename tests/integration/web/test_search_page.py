"""The search page /suche on SQLite and PostgreSQL: German word forms, snippets,
facets and filters, sorting, pages, the Aktenzeichen jump, errors, escaping, and
that a user of another department never sees a document of 32."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from eakte import workflow as wf
from eakte.records import (
    SYSTEM,
    DocumentDetails,
    Records,
    VersionInput,
    create_document,
    update_metadata,
)
from eakte.search import SearchIndexer, _location
from eakte.web import create_app
from tests.integration.web.test_web import login
from tests.integration.workflow.conftest import PASSWORD, World, world  # noqa: F401

XSS = "<script>alert(1)</script>"


def add(records: Records, orgunit: str, title: str, text: str, **kwargs: object) -> str:
    case = kwargs.pop("case", None)
    version = create_document(
        records,
        SYSTEM,
        title=title,
        orgunit=orgunit,
        content=text.encode(),
        version=VersionInput(filename="brief.txt", media_type="text/plain", source="test"),
        case=case,  # type: ignore[arg-type]
        details=DocumentDetails(text=text, **kwargs),  # type: ignore[arg-type]
    )
    return version.document_id


def sync(records: Records) -> None:
    indexer = SearchIndexer(records)
    try:
        indexer.sync()
    finally:
        indexer.close()


@pytest.fixture
def docs(world: World) -> dict[str, str]:  # noqa: F811
    r = world.records
    ids = {
        "genehmigung": add(
            r,
            "32",
            "Genehmigung Sondernutzung Eiscafé",
            "Die Genehmigung für die Außengastronomie wird erteilt.",
            document_type="Bescheid",
            document_date=date(2024, 5, 3),
            case=world.case,
        ),
        "antrag": add(
            r,
            "32",
            "Antrag Gerüst Lindenallee",
            "Antrag auf Aufstellung eines Gerüsts. Genehmigung erbeten.",
            document_type="Antrag",
            document_date=date(2025, 2, 1),
        ),
        "xss": add(
            r,
            "32",
            f"Brief {XSS}",
            f"Genehmigung {XSS} <b>fett</b>",
            document_type="Antrag",
            document_date=date(2025, 3, 1),
        ),
        "hauptamt": add(
            r,
            "10",
            "Genehmigung Dienstreise",
            "Die Genehmigung der Dienstreise nach Berlin.",
            document_type="Antrag",
            document_date=date(2023, 1, 9),
        ),
    }
    wf.start_workflow(r, world.who("anna"), "antrag", case=world.case)
    sync(r)
    return ids


@pytest.fixture
def app_client(world: World) -> FlaskClient:  # noqa: F811
    return create_app(world.records.settings, world.records).test_client()


def as_user(client: FlaskClient, username: str) -> FlaskClient:
    assert login(client, username, PASSWORD) == 302
    return client


def page(client: FlaskClient, **params: str) -> tuple[int, str]:
    response = client.get("/suche", query_string=params)
    return response.status_code, response.get_data(as_text=True)


def hit_ids(html: str) -> list[str]:
    return re.findall(r'href="/dokumente/([^"]+)"', html)


def test_anonymous_is_sent_to_login(app_client: FlaskClient) -> None:
    response = app_client.get("/suche?q=Antrag")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_empty_page_has_a_labelled_search_box(app_client: FlaskClient) -> None:
    status, html = page(as_user(app_client, "anna"))
    assert status == 200
    assert '<label for="q">' in html and 'id="q" name="q"' in html
    assert '<label for="sortierung">' in html
    assert 'role="status"' not in html  # no count without a search


def test_other_word_forms_find_and_are_marked(
    app_client: FlaskClient, docs: dict[str, str]
) -> None:
    status, html = page(as_user(app_client, "anna"), q="Genehmigungen")
    assert status == 200
    assert set(hit_ids(html)) == {docs["genehmigung"], docs["antrag"], docs["xss"]}
    assert "<mark>Genehmigung</mark>" in html
    assert re.search(r'role="status"[^>]*>3 ', html)
    assert "1.2-" in html  # the Aktenzeichen of the Vorgang
    assert "03.05.2024" in html and "Bescheid" in html


def test_another_department_never_sees_32(app_client: FlaskClient, docs: dict[str, str]) -> None:
    status, html = page(as_user(app_client, "hans"), q="Genehmigung")
    assert status == 200
    assert hit_ids(html) == [docs["hauptamt"]]
    for secret in ("Eiscafé", "Gerüst", "Brief"):
        assert secret not in html
    facets = html.split('id="facets-h"')[1].split('id="hits-h"')[0]
    assert "oe:32" not in facets and "Ordnungsamt" not in facets
    assert "10 Hauptamt (1)" in facets
    # a filter for 32 typed by hand finds nothing either
    status, html = page(app_client, q="Genehmigung oe:32")
    assert status == 200 and hit_ids(html) == []


def test_facets_filter_by_adding_to_the_query(
    app_client: FlaskClient, docs: dict[str, str]
) -> None:
    client = as_user(app_client, "anna")
    _, html = page(client, q="Genehmigung")
    assert "32 Ordnungsamt (3)" in html
    assert "Antrag (2)" in html and "Bescheid (1)" in html  # facet values shown as words
    assert "Posteingang (2)" in html and "Abgelegt in einer Akte (1)" in html
    assert "2025 (2)" in html and "2024 (1)" in html
    assert "Antrag prüfen (1)" in html  # the workflow step of the Vorgang's document
    assert "q=Genehmigung+workflow:pruefen" in html
    link = re.search(r'href="/suche\?q=Genehmigung\+typ:antrag&amp;sortierung=relevanz"', html)
    assert link, html
    _, filtered = page(client, q="Genehmigung typ:antrag")
    assert set(hit_ids(filtered)) == {docs["antrag"], docs["xss"]}
    assert "entfernen" in filtered  # the active filter can be removed
    _, by_step = page(client, q="workflow:pruefen")
    assert hit_ids(by_step) == [docs["genehmigung"]]


def test_sorting_by_date(app_client: FlaskClient, docs: dict[str, str]) -> None:
    client = as_user(app_client, "anna")
    _, newest = page(client, q="Genehmigung", sortierung="neueste")
    assert hit_ids(newest) == [docs["xss"], docs["antrag"], docs["genehmigung"]]
    _, oldest = page(client, q="Genehmigung", sortierung="aelteste")
    assert hit_ids(oldest) == [docs["genehmigung"], docs["antrag"], docs["xss"]]
    _, unknown = page(client, q="Genehmigung", sortierung="quer")  # falls back to relevance
    assert len(hit_ids(unknown)) == 3


def test_pages(app_client: FlaskClient, world: World) -> None:  # noqa: F811
    for n in range(23):
        add(
            world.records,
            "32",
            f"Mahnung {n:02d}",
            "Mahnung wegen Parkverstoß",
            document_date=date(2024, 1, n % 28 + 1),
        )
    sync(world.records)
    client = as_user(app_client, "anna")
    _, first = page(client, q="Mahnung")
    assert len(hit_ids(first)) == 20
    assert '<nav class="pagination" aria-label=' in first
    assert 'aria-current="page"' in first and "seite=2" in first
    _, second = page(client, q="Mahnung", seite="2")
    assert len(hit_ids(second)) == 3
    assert not set(hit_ids(first)) & set(hit_ids(second))
    assert 'start="21"' in second
    _, beyond = page(client, q="Mahnung", seite="x")
    assert len(hit_ids(beyond)) == 20


def test_exact_aktenzeichen_jumps_to_the_akte(
    app_client: FlaskClient,
    world: World,  # noqa: F811
    docs: dict[str, str],
) -> None:
    akte = world.case.rsplit("-", 1)[0]  # the Vorgang's pattern: <Akte>-<n>
    client = as_user(app_client, "anna")
    response = client.get("/suche", query_string={"q": " " + akte.replace("-", " - ")})
    assert response.status_code == 302  # written as on a letter: the same Aktenzeichen
    assert response.headers["Location"].endswith("/akten/" + akte)
    assert client.get(response.headers["Location"]).status_code == 200
    response = client.get("/suche", query_string={"q": world.case})  # a Vorgang: its page
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/akten/" + world.case)
    assert client.get(response.headers["Location"]).status_code == 200


def test_aktenzeichen_of_another_department_does_not_jump(
    app_client: FlaskClient,
    world: World,  # noqa: F811
    docs: dict[str, str],
) -> None:
    client = as_user(app_client, "hans")
    response = client.get("/suche", query_string={"q": world.case})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert hit_ids(html) == [] and "Eiscafé" not in html


def test_xss_in_title_and_text_is_escaped(app_client: FlaskClient, docs: dict[str, str]) -> None:
    _, html = page(as_user(app_client, "anna"), q="Brief")
    assert XSS not in html and "<b>fett</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;fett&lt;/b&gt;" in html
    _, html = page(app_client, q=XSS)  # the query itself, in the box and the title
    assert XSS not in html


def test_confidential_documents_show_no_text(
    app_client: FlaskClient,
    world: World,  # noqa: F811
    docs: dict[str, str],
) -> None:
    update_metadata(world.records, world.who("anna"), docs["antrag"], confidential=True)
    sync(world.records)
    _, html = page(as_user(app_client, "anna"), q="Gerüsts")
    assert hit_ids(html) == [docs["antrag"]]  # still found by its text
    assert "Antrag Gerüst Lindenallee" in html  # the title shows
    assert "Aufstellung" not in html and "<mark>" not in html  # the text does not


def test_unreadable_query_is_a_form_error(app_client: FlaskClient, docs: dict[str, str]) -> None:
    status, html = page(as_user(app_client, "anna"), q="farbe:rot")
    assert status == 422
    assert 'role="alert"' in html and "farbe:" in html
    assert 'aria-invalid="true"' in html and 'value="farbe:rot"' in html


def test_missing_index_says_what_to_do(app_client: FlaskClient, world: World) -> None:  # noqa: F811
    pointer = _location.engine_dir(world.records.settings) / _location.POINTER
    if pointer.exists():
        Path(pointer).unlink()
    status, html = page(as_user(app_client, "anna"), q="Genehmigung")
    assert status == 503
    assert "eakte search reindex" in html and 'role="alert"' in html


def test_german_texts(app_client: FlaskClient, docs: dict[str, str]) -> None:
    _, html = page(as_user(app_client, "anna"), q="Genehmigung")
    for text in (
        "3 Dokumente gefunden",
        "Ergebnisse eingrenzen",
        "Dokumentart",
        "Workflow-Schritt",
        "Sortieren nach",
        "Relevanz",
        "Neueste zuerst",
    ):
        assert text in html, text
    status, html = page(app_client, q="farbe:rot")
    assert "Diese Suche ist nicht lesbar:" in html
