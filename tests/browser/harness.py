"""The real application for browser tests and screenshots: a seeded data folder,
``eakte serve`` as a subprocess on a free loopback port, and Debian's Chromium.

Used by ``tests/browser/conftest.py`` and ``benchmarks/screenshots.py``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from eakte import db
from eakte import records as svc
from eakte import workflow as wf
from eakte.config import load_settings
from eakte.records import SYSTEM, Records, VersionInput, init_keys, load_principal
from eakte.records._demo import load_demo

PASSWORD = "ein langes Testpasswort"
PASSPHRASE = "correct horse battery staple"
# username -> (org unit, roles); "doppel" drafts and also holds Leitung (Vier-Augen)
PEOPLE = {
    "admin": ("VW", ["admin"]),
    "anna": ("32", ["sachbearbeitung"]),
    "bernd": ("32", ["sachbearbeitung"]),
    "chefin": ("32", ["leitung"]),
    "doppel": ("32", ["sachbearbeitung", "leitung"]),
    "hans": ("10", ["sachbearbeitung"]),
}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
XSS = "<script>alert(1)</script>"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # Debian fonts-dejavu-core
# a citizen's application, for the scanner inbox (the body says "Blumenstandes")
LETTER = [
    "Erika Musterfrau, Lindenweg 7, 12345 Musterstadt",
    "",
    "Stadt Musterstadt",
    "Ordnungsamt",
    "Am Markt 1",
    "12345 Musterstadt",
    "",
    "Musterstadt, 14.11.2026",
    "",
    "Antrag auf Sondernutzung des Marktplatzes",
    "",
    "Sehr geehrte Damen und Herren,",
    "",
    "hiermit beantrage ich die Erlaubnis zum Aufbau",
    "meines Blumenstandes auf dem Marktplatz an jedem",
    "Samstag von April bis Oktober. Die Fläche beträgt",
    "etwa zwölf Quadratmeter.",
    "",
    "Mit freundlichen Grüßen",
    "Erika Musterfrau",
]


@dataclass(frozen=True)
class Seed:
    """What exists before the server starts (references for the pages)."""

    akte: str  # Akte "Sondernutzungen Markt" of org unit 32
    vorgang: str  # a Vorgang in it with a document and a running Antrag workflow
    document_id: str  # the document in that Vorgang (title with an XSS payload)
    task_id: str  # anna's open workflow step on the Vorgang
    inbox_document_id: str  # a plain inbox document of 32 (for the keyboard test)
    hans_document_id: str  # an inbox document of 10 (Hauptamt), not anna's business


def seed(data_dir: Path, payload: str = XSS) -> Seed:
    """Migrate, load the demo, add people and a little content in ``data_dir``.

    ``payload`` goes into the title and file name of the Vorgang's document (the
    screenshots pass "" for a plain title)."""
    # a developer's own EAKTE_* settings (database, object store) must not be used here
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("EAKTE_")}
    try:
        settings = load_settings(data_dir=data_dir, key_passphrase=PASSPHRASE)
    finally:
        os.environ.update(saved)
    settings.ensure_data_dir()
    db.upgrade(settings)
    records = Records(settings)
    try:
        init_keys(records, SYSTEM)
        load_demo(records)
        svc.set_password(records, SYSTEM, username="admin", password=PASSWORD)
        for username, (unit, roles) in PEOPLE.items():
            if username != "admin":
                svc.create_user(
                    records,
                    SYSTEM,
                    username=username,
                    display_name=username.title(),
                    password=PASSWORD,
                )
            for role in roles:
                svc.grant_role(records, SYSTEM, username=username, orgunit=unit, role=role)
        wf.sync_definitions(records, SYSTEM, wf.shipped_examples())
        with records.reading() as session:
            anna = load_principal(session, "anna")
        akte = svc.create_case_file(
            records, anna, plan_code="1.2", title="Sondernutzungen Markt", orgunit="32"
        )
        vorgang = svc.create_case(
            records, anna, case_file_reference=akte.reference, title="Antrag Eiscafé Venezia"
        )
        document = svc.create_document(
            records,
            anna,
            title=f"Stellungnahme {payload}".strip(),
            orgunit="32",
            case=vorgang.reference,
            content="Stellungnahme zur Außenbestuhlung des Eiscafés am Marktplatz.".encode(),
            version=VersionInput(filename=f"stellungnahme{payload}.txt", media_type="text/plain"),
        )
        wf.start_workflow(records, anna, "antrag", case=vorgang.reference)
        tasks = [t for t in wf.tasks_for(records, anna) if t.kind == "step"]
        assert len(tasks) == 1 and tasks[0].id is not None, tasks
        inbox = svc.create_document(
            records,
            SYSTEM,
            title="Anfrage Parkausweis",
            orgunit="32",
            content="Anfrage zu einem Parkausweis für Anwohner.".encode(),
            version=VersionInput(filename="anfrage.txt", media_type="text/plain"),
        )
        hans = svc.create_document(
            records,
            SYSTEM,
            title="Personalsache Hauptamt",
            orgunit="10",
            content=b"Vertrauliche Personalsache des Hauptamts.",
            version=VersionInput(filename="personal.txt", media_type="text/plain"),
        )
        return Seed(
            akte.reference,
            vorgang.reference,
            document.document_id,
            tasks[0].id,
            inbox.document_id,
            hans.document_id,
        )
    finally:
        records.close()


def letter_image(path: Path, lines: list[str]) -> Path:
    """A scanned-looking German letter: A4 at 200 dpi, black text on white, 1-bit PNG."""
    width, height = 1654, 2339
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 36)
    y = 200
    for line in lines:
        draw.text((180, y), line, font=font, fill=0)
        y += 62
    image.convert("1").save(path, dpi=(200, 200))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``eakte serve`` (waitress, inbox watcher, search follower) in its own process group."""

    def __init__(self, data_dir: Path, inbox: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.inbox = inbox
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith("EAKTE_")}
        env.update(
            EAKTE_DATA_DIR=str(data_dir),
            EAKTE_KEY_PASSPHRASE=PASSPHRASE,
            EAKTE_INBOX_DIR=str(inbox),
            EAKTE_INBOX_SETTLE_SECONDS="0.5",
            EAKTE_INBOX_RESCAN_SECONDS="1",
            EAKTE_LOGIN_RATE_LIMIT="1000 per minute",
            EAKTE_LOG_LEVEL="INFO",
        )
        self._out = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "eakte",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends all of it
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"eakte serve ended early:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/login", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"eakte serve did not answer within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self._out.flush()
        return self.log.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        self._out.close()


def chromium() -> str | None:
    return shutil.which("chromium")


def launch(playwright: Any, home: Path) -> Any:
    """Debian's Chromium, headless, writing its profile under ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    return playwright.chromium.launch(
        executable_path=chromium(),
        headless=True,
        args=CHROMIUM_ARGS,
        env={**os.environ, "HOME": str(home)},
    )


def login(browser: Any, base_url: str, username: str) -> Any:
    """A new browser context (German, 1280×900) with ``username`` logged in; returns the page."""
    context = browser.new_context(
        base_url=base_url, locale="de-DE", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{base_url}/")
    return page
