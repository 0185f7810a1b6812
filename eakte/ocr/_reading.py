"""A page's text in reading order, from tesseract's TSV output of the same run.

Tesseract reads a page block by block. Where short blocks stand side by side —
a letter's address field and its information block (DIN 5008), a letterhead
and a receipt stamp — it sometimes takes them as one block and reads them row
by row, and sometimes as two blocks and reads one after the other, so that the
same letter layout gives text in different orders (measured on generated
letters, ``benchmarks/accuracy.py``). Here the page is read one way every
time: lines that stand side by side, overlapping in height, are one row, read
left to right, and rows are read top to bottom. A page with columns of running
text (two side-by-side blocks of many lines each) keeps tesseract's order.

Paragraphs are separated by an empty line, as in tesseract's own text output,
where no paragraph of one row goes on in the next.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

#: A block of at least this many lines beside another such block is a column of text.
COLUMN_LINES = 6
#: Lines are side by side when their heights overlap by this share of the smaller one.
MIN_OVERLAP = 0.4
_LINE, _WORD = "4", "5"


@dataclass
class _Line:
    block: str
    paragraph: tuple[str, str]
    left: int
    top: int
    right: int
    bottom: int
    words: list[str] = field(default_factory=list)

    def overlap(self, other: _Line) -> float:
        """The share of the smaller height that the two lines have in common."""
        common = min(self.bottom, other.bottom) - max(self.top, other.top)
        return common / max(1, min(self.bottom - self.top, other.bottom - other.top))

    def beside(self, other: _Line) -> bool:
        return self.right <= other.left or other.right <= self.left


def _lines(tsv: str) -> list[_Line]:
    """The lines with words, in tesseract's order."""
    lines: dict[tuple[str, ...], _Line] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        level = row.get("level")
        if level not in (_LINE, _WORD):
            continue
        block, paragraph = row["block_num"], row["par_num"]
        key = (row["page_num"], block, paragraph, row["line_num"])
        if level == _LINE:
            left, top = int(row["left"]), int(row["top"])
            right, bottom = left + int(row["width"]), top + int(row["height"])
            lines[key] = _Line(block, (block, paragraph), left, top, right, bottom)
        elif (row.get("text") or "").strip() and key in lines:
            lines[key].words.append(row["text"].strip())
    return [line for line in lines.values() if line.words]


def _extent(name: str, lines: list[_Line]) -> _Line:
    """A block as one box."""
    return _Line(
        name,
        (name, ""),
        min(line.left for line in lines),
        min(line.top for line in lines),
        max(line.right for line in lines),
        max(line.bottom for line in lines),
    )


def _has_columns(lines: list[_Line]) -> bool:
    """Do two blocks of many lines stand side by side?"""
    blocks: dict[str, list[_Line]] = {}
    for line in lines:
        blocks.setdefault(line.block, []).append(line)
    tall = [_extent(name, group) for name, group in blocks.items() if len(group) >= COLUMN_LINES]
    return any(a.beside(b) and a.overlap(b) > 0 for i, a in enumerate(tall) for b in tall[i + 1 :])


def _rows(lines: Iterable[_Line]) -> list[list[_Line]]:
    """Each line joins the row it overlaps most in height, if it stands beside all of
    that row's lines and none of them is of its block; otherwise it starts a row."""
    rows: list[list[_Line]] = []
    for line in lines:
        best, best_overlap = None, MIN_OVERLAP
        for row in rows:
            if any(other.block == line.block or not other.beside(line) for other in row):
                continue
            overlap = max(line.overlap(other) for other in row)
            if overlap >= best_overlap:
                best, best_overlap = row, overlap
        if best is None:
            rows.append([line])
        else:
            best.append(line)
    rows.sort(key=lambda row: min(line.top for line in row))
    return [sorted(row, key=lambda line: line.left) for row in rows]


def _horizontal(lines: list[_Line]) -> bool:
    """Do the lines run across the page as it lies (not a page read turned 90°)?"""
    wide = sum(line.right - line.left > line.bottom - line.top for line in lines)
    return wide >= 0.9 * len(lines)


def page_text(tsv: str) -> str | None:
    """The text of a page read as it lies, in reading order; None to keep tesseract's
    (no words, columns of running text, or lines that do not run across the page)."""
    lines = _lines(tsv)
    if not lines or not _horizontal(lines) or _has_columns(lines):
        return None
    out: list[str] = []
    previous: set[tuple[str, str]] = set()
    for row in _rows(lines):
        paragraphs = {line.paragraph for line in row}
        if previous and not paragraphs & previous:  # no paragraph goes on: a new one starts
            out.append("")
        out.append(" ".join(word for line in row for word in line.words))
        previous = paragraphs
    return "\n".join(out) + "\n"
