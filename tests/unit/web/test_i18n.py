"""Every text of the web UI has its German translation (the UI's default language)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[3]
CATALOGUE = ROOT / "eakte/web/translations/de/LC_MESSAGES/messages.po"
METHODS = [("eakte/web/**.py", "python"), ("eakte/web/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def _ids_in_code() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_ui_text_has_a_german_translation() -> None:
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f, locale="de")
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalogue
        if m.id
        and "fuzzy" not in m.flags
        and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(_ids_in_code() - translated)
    assert not missing, f"untranslated (run scripts/i18n, then translate): {missing}"
    assert len(_ids_in_code()) > 40  # the extraction itself works
