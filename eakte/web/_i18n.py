"""The UI's languages: German (default) and English, with Flask-Babel.

Message ids in templates and code are English; the German catalogue is
``translations/de/LC_MESSAGES/messages.po``. It is compiled to ``.mo`` when the
app starts (into the data directory), so the repository holds no binaries.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations
from flask import Flask, g, request, session
from flask_babel import Babel, get_translations

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
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def _translations() -> NullTranslations:
    """The request's catalogue, looked up once per request: Flask-Babel's own lookup
    costs about 40 µs, and a results page calls ``_()`` over a hundred times."""
    found: NullTranslations | None = g.get("eakte_translations")
    if found is None:
        found = g.eakte_translations = get_translations()
    return found
