"""The whole way of a letter, in the browser: scanned into the inbox folder of the
Ordnungsamt, read by OCR, filed in a new Vorgang, Antrag workflow with Mitzeichnung
and Vier-Augen-Freigabe by several people, found by another inflection, new version."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser import harness
from tests.browser.conftest import App
from tests.browser.test_accessibility import describe, serious_violations

LETTER = harness.LETTER
CASE_TITLE = "Antrag Blumenstand Musterfrau"


def reload_until(page: Any, url: str, found: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        if found():
            return
        if time.monotonic() > deadline:
            links = page.eval_on_selector_all(
                "main a", "els => els.map(e => e.getAttribute('href'))"
            )
            text = page.locator("main").inner_text() + "\n" + "\n".join(map(str, links))
            raise AssertionError(f"{url}: not there after {timeout:.0f} s; the page:\n{text}")
        time.sleep(1)


def open_task(page: Any, label: str, case: str) -> None:
    """Open the task of this step on Vorgang ``case`` from the start page's task list."""
    page.goto("/")
    tasks = page.locator("section[aria-labelledby=tasks-h] .task-list > li").filter(has_text=label)
    links = [tasks.nth(i).locator("a").first.get_attribute("href") for i in range(tasks.count())]
    for href in links:
        page.goto(href)
        if page.locator(f"dd a[href='/akten/{case}']").count():
            expect(page.locator("h1")).to_contain_text(label)
            return
    raise AssertionError(f"no task {label!r} on {case} in the task list: {links}")


def drop_scan(app: App, tmp_path: Path) -> None:
    """Write the scan next to the inbox, then move it in whole (as a scanner's upload does)."""
    scan = harness.letter_image(tmp_path / "antrag-blumenstand.png", LETTER)
    shutil.move(scan, app.inbox / "32" / scan.name)


def test_letter_from_scanner_to_release(
    app: App, as_user: Callable[[str], Any], tmp_path: Path
) -> None:
    doppel = as_user("doppel")  # Sachbearbeitung who also holds Leitung in 32
    drop_scan(app, tmp_path)

    # the Posteingang shows it once OCR and filing are done
    title = doppel.locator("h2", has_text=re.compile("Sondernutzung|Blumenstand", re.I))
    letter = doppel.locator("article.inbox-item").filter(has=title)
    reload_until(doppel, "/posteingang", lambda: letter.count() == 1, timeout=90)
    link = letter.locator("h2 a")
    document_id = (link.get_attribute("href") or "").rsplit("/", 1)[-1]
    assert document_id
    expect(letter).to_contain_text("32")
    expect(letter.locator("img")).to_have_attribute("alt", re.compile("Vorschau"))
    assert not (found := serious_violations(doppel)), describe(found)  # with a real scan

    # file it in a new Vorgang of the Akte "Sondernutzungen Markt"
    letter.locator("summary").click()
    letter.get_by_label("Akte des neuen Vorgangs (Aktenzeichen)").fill(app.seed.akte)
    letter.get_by_label("Titel des neuen Vorgangs").fill(CASE_TITLE)
    letter.get_by_role("button", name="Vorgang anlegen und hier ablegen").click()
    doppel.wait_for_load_state()
    expect(doppel.get_by_role("status")).to_be_visible()
    expect(doppel.locator(f"article[aria-labelledby='doc-{document_id}']")).to_have_count(0)

    # start the Antrag workflow on the Vorgang
    doppel.goto(f"/akten/{app.seed.akte}")
    cases = doppel.locator("section[aria-labelledby=cases-h] tbody tr")
    cases.filter(has_text=CASE_TITLE).get_by_role("link").click()
    expect(doppel.locator("h1")).to_contain_text(CASE_TITLE)
    vorgang_url = doppel.url
    vorgang = vorgang_url.split("/akten/", 1)[1]
    filed = doppel.locator(f"section[aria-labelledby=docs-h] a[href='/dokumente/{document_id}']")
    expect(filed).to_have_count(1)
    doppel.get_by_label("Geschäftsgang", exact=True).select_option("antrag")
    doppel.get_by_role("button", name="Geschäftsgang starten").click()
    expect(doppel.locator("main")).to_contain_text("Antrag prüfen")

    # Antrag prüfen -> Mitzeichnung by bernd
    open_task(doppel, "Antrag prüfen", vorgang)
    form = doppel.locator("form").filter(has=doppel.locator("input[value=zur_mitzeichnung]"))
    form.locator("select[name=cosigner]").first.select_option("user:bernd")
    form.get_by_role("button", name="Entwurf zur Mitzeichnung geben").click()
    expect(doppel.locator("main")).to_contain_text("Mitzeichnung")

    bernd = as_user("bernd")
    open_task(bernd, "Mitzeichnung", vorgang)
    bernd.get_by_role("button", name="Mitzeichnen", exact=True).click()
    expect(bernd.locator("main")).to_contain_text("Freigabe durch die Leitung")

    # Vier-Augen: doppel drafted, so doppel may not release, although in Leitung
    open_task(doppel, "Freigabe durch die Leitung", vorgang)
    doppel.get_by_role("button", name="Freigeben", exact=True).click()
    expect(doppel.get_by_role("alert")).to_contain_text("Vier-Augen")

    chefin = as_user("chefin")
    open_task(chefin, "Freigabe durch die Leitung", vorgang)
    chefin.get_by_role("button", name="Freigeben", exact=True).click()
    expect(chefin.get_by_role("alert")).to_have_count(0)
    expect(chefin.locator("main")).to_contain_text("Bescheid versenden")
    doppel.goto(vorgang_url)
    expect(doppel.locator("main")).to_contain_text("Bescheid versenden")

    # found by another inflection: the letter says "Blumenstandes"
    hit = doppel.locator(f"ol.hits a[href='/dokumente/{document_id}']")
    item = doppel.locator("ol.hits > li").filter(
        has=doppel.locator(f"a[href='/dokumente/{document_id}']")
    )
    filed_hit = lambda: hit.count() == 1 and "Abgelegt in einer Akte" in item.inner_text()  # noqa: E731
    reload_until(doppel, "/suche?q=Blumenstand", filed_hit, timeout=60)
    expect(doppel.locator("ol.hits")).to_contain_text("Blumenstand")
    hit.click()

    # a new version on the document page; both signatures are checked live and valid
    expect(doppel.locator("h1")).to_be_visible()
    new = harness.letter_image(tmp_path / "antrag-blumenstand-v2.png", [*LETTER, "", "Anlage"])
    doppel.get_by_label("Datei der neuen Version").set_input_files(new)
    doppel.get_by_role("button", name="Neue Version hochladen").click()
    expect(doppel.get_by_role("status")).to_contain_text("Version 2")
    versions = doppel.locator("section[aria-labelledby=versions-h] tbody tr")
    expect(versions).to_have_count(2)
    expect(doppel.locator(".signature-valid")).to_have_count(2)
    expect(doppel.locator(".signature-invalid")).to_have_count(0)
    assert not (found := serious_violations(doppel)), describe(found)  # previews, 2 versions
