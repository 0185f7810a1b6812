"""Guessing URLs in the browser: another department gets 403 or 404 and no data;
a visitor who is not logged in lands on /login."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import App

ORDNUNGSAMT_PATHS = [
    "/dokumente/{document}",
    "/dokumente/{document}/versionen/1/original",
    "/dokumente/{document}/vorschau.png",
    "/akten/{akte}",
    "/akten/{vorgang}",
    "/aufgaben/{task}",
    "/protokoll/document/{document}",
]


def paths(app: App) -> list[str]:
    seed = app.seed
    return [
        p.format(document=seed.document_id, akte=seed.akte, vorgang=seed.vorgang, task=seed.task_id)
        for p in ORDNUNGSAMT_PATHS
    ]


def test_hauptamt_clerk_sees_nothing_of_the_ordnungsamt(
    app: App, as_user: Callable[[str], Any]
) -> None:
    hans = as_user("hans")
    for path in paths(app):
        response = hans.request.get(path, max_redirects=0)
        assert response.status in (403, 404), (path, response.status)
        body = response.text()
        assert "Stellungnahme" not in body and "Eiscafé" not in body, path


def test_ordnungsamt_clerk_sees_nothing_of_the_hauptamt(
    app: App, as_user: Callable[[str], Any]
) -> None:
    anna = as_user("anna")
    response = anna.goto(f"/dokumente/{app.seed.hans_document_id}")
    assert response is not None and response.status in (403, 404)
    assert "Personalsache" not in anna.content()


@pytest.mark.parametrize("index", range(len(ORDNUNGSAMT_PATHS)))
def test_anonymous_visitors_are_sent_to_login(app: App, anonymous: Any, index: int) -> None:
    anonymous.goto(paths(app)[index])
    assert anonymous.url.startswith(f"{app.url}/login")
    assert "Stellungnahme" not in anonymous.content()
