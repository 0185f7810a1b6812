"""Keyboard only (Tab, Enter, Space): log in, go to the Posteingang, file a document;
every element reached shows a visible focus indicator."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser import harness
from tests.browser.conftest import App

FOCUSED = """() => {
  const el = document.activeElement;
  // not :focus: the focus is in a browser-internal part (a date field's picker button)
  if (!el || el === document.body || !el.matches(':focus')) return null;
  const style = getComputedStyle(el);
  const label = el.getAttribute('aria-label') || el.textContent || '';
  return {
    tag: el.tagName.toLowerCase(), id: el.id, text: label.trim().replace(/\\s+/g, ' '),
    href: el.getAttribute('href'),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== 'none',
  };
}"""


def tab_to(page: Any, wanted: Any, limit: int = 120) -> dict[str, Any]:
    """Press Tab until ``wanted(focused)`` holds; each stop must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focused["outline"] or focused["shadow"], f"no visible focus on {focused}"
        if wanted(focused):
            return dict(focused)
    raise AssertionError(f"not reached with {limit} presses of Tab")


def test_login_and_filing_by_keyboard(app: App, anonymous: Any) -> None:
    page = anonymous
    page.goto("/login")
    # the user name field has the focus (autofocus)
    assert page.evaluate(FOCUSED)["id"] == "username"
    page.keyboard.type("anna")
    page.keyboard.press("Tab")
    page.keyboard.type(harness.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{app.url}/")

    tab_to(page, lambda f: f["tag"] == "a" and f["href"] == "/posteingang")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{app.url}/posteingang")

    document = app.seed.inbox_document_id
    item = page.locator(f"article[aria-labelledby='doc-{document}']")
    expect(item).to_have_count(1)
    tab_to(page, lambda f: f["tag"] == "summary" and "Anfrage Parkausweis" in f["text"])
    page.keyboard.press("Space")  # opens the actions
    expect(item.locator("details")).to_have_attribute("open", "")
    tab_to(page, lambda f: f["id"] == f"target-{document}")
    page.keyboard.type(app.seed.akte)
    page.keyboard.press("Escape")  # close the suggestions, if any
    page.keyboard.press("Enter")  # submits "File here"
    page.wait_for_url(f"{app.url}/posteingang")
    expect(page.get_by_role("status")).to_be_visible()
    expect(item).to_have_count(0)

    page.goto(f"/akten/{app.seed.akte}")
    documents = page.locator("section[aria-labelledby=docs-h]")
    expect(documents.locator(f"a[href='/dokumente/{document}']")).to_have_count(1)


def test_cosigning_by_keyboard(app: App, as_user: Any) -> None:
    """A workflow step by keyboard: anna sends her Antrag to Mitzeichnung, bernd co-signs."""
    anna = as_user("anna")
    anna.goto(f"/aufgaben/{app.seed.task_id}")
    tab_to(anna, lambda f: f["tag"] == "select" and f["id"] == "m-zur_mitzeichnung-cs-0")
    # a closed select: the arrow keys pick an option; choose bernd by typing his name
    anna.keyboard.type("Bernd")
    expect(anna.locator("#m-zur_mitzeichnung-cs-0")).to_have_value("user:bernd")
    tab_to(anna, lambda f: f["tag"] == "button" and f["text"] == "Entwurf zur Mitzeichnung geben")
    anna.keyboard.press("Enter")
    expect(anna.locator("main")).to_contain_text("Umlauf")
    expect(anna.get_by_role("alert")).to_have_count(0)

    bernd = as_user("bernd")
    bernd.goto("/")
    tab_to(bernd, lambda f: f["tag"] == "a" and (f["href"] or "").startswith("/aufgaben/"))
    bernd.keyboard.press("Enter")
    expect(bernd.locator("h1")).to_contain_text("Mitzeichnung")
    tab_to(bernd, lambda f: f["tag"] == "button" and f["text"] == "Mitzeichnen")
    bernd.keyboard.press("Space")
    expect(bernd.locator("main")).to_contain_text("Freigabe durch die Leitung")
