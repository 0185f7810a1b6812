"""axe-core on every main page: no violation of impact serious or critical (BITV 2.0 /
WCAG 2.1 AA); and everything user-provided renders as text in the real browser."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

from tests.browser.conftest import App

# (who, path) with {akte}, {vorgang}, {document}, {task} from the seed
CLERK_PAGES = [
    "/",
    "/posteingang",
    "/suche?q=Stellungnahme",
    "/aktenplan",
    "/akten/{akte}",
    "/akten/{vorgang}",
    "/dokumente/{document}",
    "/aufgaben/{task}",
    "/hochladen",
    "/passwort",
    "/protokoll",
    "/protokoll/document/{document}",
]
ADMIN_PAGES = [
    "/verwaltung",
    "/verwaltung/benutzer",
    "/verwaltung/benutzer/anna",
    "/verwaltung/organisationseinheiten",
    "/verwaltung/aktenplan",
    "/verwaltung/workflows",
    "/verwaltung/system",
    "/verwaltung/tokens",
]
SERIOUS = {"serious", "critical"}


def serious_violations(page: Any) -> list[dict[str, Any]]:
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in SERIOUS]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} – {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:200]}")
            lines.append(f"      {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


def check(page: Any, path: str) -> list[str]:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    found = serious_violations(page)
    return [f"{path}\n{describe(found)}"] if found else []


def wait_for_index(page: Any, query: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while page.locator("ol.hits li").count() == 0:
        assert time.monotonic() < deadline, f"no hit for {query!r} after {timeout:.0f} s"
        time.sleep(1)
        page.goto(f"/suche?q={query}")


def test_login_page_has_no_serious_violations(anonymous: Any) -> None:
    assert check(anonymous, "/login") == []


def test_clerk_pages_have_no_serious_violations(app: App, as_user: Callable[[str], Any]) -> None:
    page = as_user("anna")
    wait_for_index(page, "Stellungnahme")  # the search page with a result
    seed = app.seed
    problems: list[str] = []
    for path in CLERK_PAGES:
        problems += check(
            page,
            path.format(
                akte=seed.akte, vorgang=seed.vorgang, document=seed.document_id, task=seed.task_id
            ),
        )
    assert not problems, "\n\n".join(problems)


def test_admin_pages_have_no_serious_violations(as_user: Callable[[str], Any]) -> None:
    page = as_user("admin")
    problems: list[str] = []
    for path in ADMIN_PAGES:
        problems += check(page, path)
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize(
    "path", ["/dokumente/{document}", "/akten/{vorgang}", "/suche?q=Stellungnahme"]
)
def test_payloads_render_as_text(app: App, as_user: Callable[[str], Any], path: str) -> None:
    """The seeded document's title and file name carry <script>alert(1)</script>."""
    page = as_user("anna")
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.format(document=app.seed.document_id, vorgang=app.seed.vorgang))
    if "suche" in path:
        wait_for_index(page, "Stellungnahme")
    assert "<script>alert(1)</script>" in page.locator("main").inner_text()
    assert page.locator("main script").count() == 0
    assert dialogs == []
