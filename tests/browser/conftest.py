"""One real ``eakte serve`` and one Debian Chromium for all browser tests (package scope:
both end when the browser tests are done, not at the end of the whole test run).

Without ``chromium`` on the PATH the tests are skipped locally and fail under CI=true.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser import harness


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@dataclass(frozen=True)
class App:
    url: str
    inbox: Path
    seed: harness.Seed
    server: harness.Server


@pytest.fixture(scope="package")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    if harness.chromium() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    root = tmp_path_factory.mktemp("browser-app")
    inbox = root / "scanner-inbox"
    (inbox / "32").mkdir(parents=True)
    seed = harness.seed(root / "var")
    server = harness.Server(root / "var", inbox, root / "serve.log")
    try:
        server.wait_ready()
        yield App(server.url, inbox, seed, server)
    finally:
        server.stop()


@pytest.fixture(scope="package")
def browser(app: App, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = harness.launch(playwright, tmp_path_factory.mktemp("chromium-home"))
        yield chromium
        chromium.close()


@pytest.fixture
def as_user(app: App, browser: Any) -> Iterator[Callable[[str], Any]]:
    """``as_user("anna")``: a page in a fresh, logged-in browser context."""
    contexts: list[Any] = []

    def open_as(username: str) -> Any:
        page = harness.login(browser, app.url, username)
        contexts.append(page.context)
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def anonymous(app: App, browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=app.url, locale="de-DE", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
