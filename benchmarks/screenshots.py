"""Screenshots of the main pages (1280×900, German) for docs/screenshots/.

Starts the real ``eakte serve`` on demo data in a temp folder (the browser tests'
harness), scans a letter into the Ordnungsamt's inbox folder, sends an Antrag to
Mitzeichnung, and photographs each page in Debian's Chromium. PNGs are reduced to
256 colours to stay small.

    .venv/bin/python benchmarks/screenshots.py [OUT_DIR]   # default docs/screenshots
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser import harness  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def wait_for_scan(page: Any, timeout: float = 120) -> str:
    """The document id of the scanned letter, once it is in the Posteingang."""
    deadline = time.monotonic() + timeout
    title = page.locator("article.inbox-item h2 a", has_text=re.compile("Sondernutzung", re.I))
    while True:
        page.goto("/posteingang")
        if title.count():
            return (title.first.get_attribute("href") or "").rsplit("/", 1)[-1]
        if time.monotonic() > deadline:
            raise SystemExit(f"The scanned letter did not arrive within {timeout:.0f} s")
        time.sleep(1)


def wait_for_hit(page: Any, query: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        page.goto(f"/suche?q={query}")
        if page.locator("ol.hits li").count():
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"No search hit for {query!r} within {timeout:.0f} s")
        time.sleep(1)


def shoot(page: Any, path: str | None, target: Path) -> None:
    if path is not None:
        page.goto(path)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=target)
    with Image.open(target) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(target, optimize=True)
    print(f"  {target} ({target.stat().st_size // 1024} KB)")


def take(out: Path, work: Path) -> None:
    inbox = work / "scanner-inbox"
    (inbox / "32").mkdir(parents=True)
    seed = harness.seed(work / "var", payload="")
    server = harness.Server(work / "var", inbox, work / "serve.log")
    try:
        server.wait_ready()
        scan = harness.letter_image(work / "antrag-blumenstand.png", harness.LETTER)
        shutil.move(scan, inbox / "32" / scan.name)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = harness.launch(playwright, work / "home")
            try:
                shots(browser, server.url, seed, out)
            finally:
                browser.close()
    finally:
        server.stop()


def shots(browser: Any, url: str, seed: harness.Seed, out: Path) -> None:
    login = browser.new_context(
        base_url=url, locale="de-DE", viewport={"width": 1280, "height": 900}
    ).new_page()
    shoot(login, "/login", out / "login.png")
    login.context.close()

    anna = harness.login(browser, url, "anna")
    scan = wait_for_scan(anna)
    wait_for_hit(anna, "Blumenstand")
    shoot(anna, None, out / "suche.png")
    shoot(anna, "/posteingang", out / "posteingang.png")
    shoot(anna, f"/dokumente/{scan}", out / "dokument.png")
    shoot(anna, "/aktenplan", out / "aktenplan.png")
    shoot(anna, f"/akten/{seed.akte}", out / "akte.png")
    shoot(anna, f"/akten/{seed.vorgang}", out / "vorgang.png")
    shoot(anna, f"/aufgaben/{seed.task_id}", out / "aufgabe.png")
    shoot(anna, "/hochladen", out / "hochladen.png")
    shoot(anna, "/", out / "start.png")
    shoot(anna, f"/protokoll/document/{seed.document_id}", out / "protokoll.png")
    anna.context.close()

    admin = harness.login(browser, url, "admin")
    shoot(admin, "/verwaltung/benutzer", out / "verwaltung-benutzer.png")
    shoot(admin, "/verwaltung/system", out / "verwaltung-system.png")
    shoot(admin, "/verwaltung/workflows", out / "verwaltung-workflows.png")
    admin.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if harness.chromium() is None:
        raise SystemExit("Debian's chromium is needed: apt-get install chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"Writing screenshots to {args.out.resolve()}:")
    with tempfile.TemporaryDirectory(prefix="eakte-screenshots-") as work:
        take(args.out, Path(work))


if __name__ == "__main__":
    main()
