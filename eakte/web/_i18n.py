"""The UI's languages: German (default) and English, with Flask-Babel.

Message ids in templates and code are English; the German catalogue is
``translations/de/LC_MESSAGES/messages.po``. It is compiled to ``.mo`` when the
app starts (into the data directory), so the repository holds no binaries.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel

LANGUAGES = ("de", "en")
DEFAULT = "de"
SOURCE = Path(__file__).parent / "translations"


def compile_catalogues(target: Path) -> Path:
    """Compile every ``.po`` below :data:`SOURCE` into ``target`` when it changed."""
    for po in SOURCE.glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(SOURCE).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parts[-3])
        partial = mo.with_suffix(".tmp")
        with partial.open("wb") as out:
            write_mo(out, catalog)
        partial.replace(mo)  # never a half-written catalogue for another process
    return target


def select_locale() -> str:
    """``?lang=en`` switches and is remembered in the session; German otherwise."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT


def init_i18n(app: Flask, cache_dir: Path) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Berlin"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compile_catalogues(cache_dir))
    Babel(app, locale_selector=select_locale)
