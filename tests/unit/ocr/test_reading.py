"""The page text in reading order, from tesseract's TSV (synthetic TSV, and real tesseract)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from eakte.ocr._reading import COLUMN_LINES, page_text
from tests.unit.ocr.scans import font_path

HEADER = "\t".join(
    [
        *("level", "page_num", "block_num", "par_num", "line_num", "word_num"),
        *("left", "top", "width", "height", "conf", "text"),
    ]
)
ADDRESS = ["Herrn", "Max Wagner", "Goethestraße 110", "24103 Kiel"]
INFO = ["Aktenzeichen: 10.3-0004/2025", "Ihre Nachricht vom: 21.01.2025", "Datum: 12.02.2025"]


def tsv(blocks: list[tuple[int, int, int, list[str]]]) -> str:
    """Blocks of (left, top, width, lines) as tesseract writes them, in this order;
    lines are 40 px high and 55 px apart, one word per 20 px of text."""
    rows = [HEADER]
    for number, (left, top, width, lines) in enumerate(blocks, start=1):
        for line_number, line in enumerate(lines, start=1):
            y = top + 55 * (line_number - 1)
            rows.append(f"4\t1\t{number}\t1\t{line_number}\t0\t{left}\t{y}\t{width}\t40\t-1\t")
            for word_number, word in enumerate(line.split(), start=1):
                x = left + 20 * word_number
                rows.append(
                    f"5\t1\t{number}\t1\t{line_number}\t{word_number}\t{x}\t{y}\t20\t40\t95\t{word}"
                )
    return "\n".join(rows) + "\n"


def rows_of(text: str | None) -> list[str]:
    assert text is not None
    return [line for line in text.splitlines() if line]


def test_side_by_side_blocks_are_read_row_by_row() -> None:
    """The info block read after the address field (as tesseract sometimes does)."""
    text = page_text(tsv([(300, 600, 700, ADDRESS), (1500, 600, 600, INFO)]))
    assert rows_of(text) == [
        "Herrn Aktenzeichen: 10.3-0004/2025",
        "Max Wagner Ihre Nachricht vom: 21.01.2025",
        "Goethestraße 110 Datum: 12.02.2025",
        "24103 Kiel",
    ]


def test_a_block_higher_up_is_read_first() -> None:
    """A receipt stamp beside the letterhead, read by tesseract after the address."""
    text = page_text(
        tsv(
            [
                (300, 150, 900, ["Stadtwerke Kiel GmbH"]),
                (300, 600, 700, ADDRESS),
                (1600, 150, 400, ["EINGEGANGEN"]),
            ]
        )  # fmt: skip
    )
    assert rows_of(text)[:2] == ["Stadtwerke Kiel GmbH EINGEGANGEN", "Herrn"]


def test_one_block_reads_as_tesseract_read_it_with_paragraph_breaks() -> None:
    page = (
        HEADER + "\n"
        "4\t1\t1\t1\t1\t0\t300\t100\t900\t40\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t300\t100\t200\t40\t96\tSehr\n"
        "5\t1\t1\t1\t1\t2\t520\t100\t300\t40\t96\tgeehrte\n"
        "4\t1\t1\t2\t1\t0\t300\t200\t900\t40\t-1\t\n"
        "5\t1\t1\t2\t1\t1\t300\t200\t300\t40\t96\twir\n"
    )
    assert page_text(page) == "Sehr geehrte\n\nwir\n"


def test_columns_of_running_text_keep_tesseracts_order() -> None:
    column = [f"Zeile {n} des Textes" for n in range(COLUMN_LINES)]
    assert page_text(tsv([(200, 400, 1000, column), (1300, 400, 1000, column)])) is None


def test_nothing_to_order() -> None:
    assert page_text(HEADER + "\n") is None
    assert page_text("") is None


def test_a_page_read_sideways_keeps_tesseracts_order() -> None:
    rows = [HEADER]
    for number in range(1, 4):  # vertical lines: taller than wide
        rows.append(f"4\t1\t1\t1\t{number}\t0\t{100 * number}\t100\t40\t900\t-1\t")
        rows.append(f"5\t1\t1\t1\t{number}\t1\t{100 * number}\t100\t40\t900\t90\tWort")
    assert page_text("\n".join(rows) + "\n") is None


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_real_tesseract_letter_head(tmp_path: Path) -> None:
    """Address field and information block side by side (DIN 5008), read by tesseract."""
    page = Image.new("L", (2480, 900), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(font_path()), 42)
    for column, lines in ((300, ADDRESS), (1480, INFO)):
        for number, line in enumerate(lines):
            draw.text((column, 300 + 65 * number), line, font=font, fill=0)
    source = tmp_path / "head.png"
    page.save(source, dpi=(300, 300))
    subprocess.run(
        ["tesseract", str(source), str(tmp_path / "head"), "-l", "deu", "--psm", "3", "tsv"],
        check=True,
        capture_output=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    rows = rows_of(page_text((tmp_path / "head.tsv").read_text(encoding="utf-8")))
    assert [row.split()[0] for row in rows] == ["Herrn", "Max", "Goethestraße", "24103"]
    assert [row.split()[-1] for row in rows[:3]] == ["10.3-0004/2025", "21.01.2025", "12.02.2025"]
