"""Scans generated at test time: German text rendered with a TrueType font (Pillow).

Used by the OCR tests and by ``benchmarks/ocr.py``. Deterministic: the same
seed gives the same page.
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

A4_300DPI = (2480, 3508)
FONT_NAMES = ("DejaVuSerif.ttf", "DejaVuSans.ttf", "LiberationSerif-Regular.ttf")
_TEXT = """
    Antrag Sondernutzung Straße Gemeinde Bescheid Verwaltung Bürgerin Grundstück
    Genehmigung öffentlichen Verkehrsfläche gemäß Satzung Gebühr Frist Widerspruch
    Ordnungsamt Baugenehmigung Stellungnahme Anlage Schreiben Mitteilung Einwohner
    Landratsamt Hauptamt Haushalt Gewerbeanmeldung Bauordnung Zuständigkeit Mülltonne
    Parkplatz Bürgersteig Ausnahme erteilt beantragt vorgelegt geprüft innerhalb zwei
    Wochen nach Eingang dieses Schreibens für die Dauer der Arbeiten
"""
WORDS = tuple(_TEXT.split())


@cache
def font_path() -> Path:
    """A TrueType font under /usr/share/fonts (DejaVu on Debian)."""
    for name in FONT_NAMES:
        for path in sorted(Path("/usr/share/fonts").rglob(name)):
            return path
    raise FileNotFoundError(
        "no TrueType font under /usr/share/fonts (apt-get install fonts-dejavu)"
    )


def letter_lines(seed: int, count: int, words_per_line: int = 9) -> list[str]:
    rng = random.Random(seed)
    title = f"Seite {seed}: Antrag auf Sondernutzung der Straße"
    body = [" ".join(rng.choice(WORDS) for _ in range(words_per_line)) for _ in range(count)]
    return [title, *body]


def render(
    lines: list[str],
    size: tuple[int, int],
    *,
    font_size: int = 42,
    line_height: int = 64,
    margin: int = 200,
) -> Image.Image:
    """Black text on white, 8-bit grey, like a scanner's text mode."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_path()), font_size)
    for number, line in enumerate(lines):
        draw.text((margin, margin + number * line_height), line, font=font, fill=0)
    return image


def a4_page(seed: int) -> Image.Image:
    """A full A4 page at 300 dpi, about 50 lines of German text."""
    lines_fit = (A4_300DPI[1] - 2 * 200) // 64 - 1
    return render(letter_lines(seed, lines_fit), A4_300DPI)


def snippet(lines: list[str]) -> Image.Image:
    """A small crop at 300 dpi: fast to OCR, large enough to read."""
    return render(lines, (1500, 140 + 110 * len(lines)), font_size=48, line_height=110, margin=70)
