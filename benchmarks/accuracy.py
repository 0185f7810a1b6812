"""OCR and metadata accuracy on generated German letters (prints figures; not a test).

Generates N letters (benchmarks/letters.py) in four scan qualities, OCRs every
page as ingest does (``eakte.ocr.ocr_document``: OCRmyPDF, tesseract with the
default of ``EAKTE_OCR_LANGUAGES`` or each of ``--languages``, one
thread per page, pages in parallel, the page text in reading order; ``--plain``:
pytesseract's ``image_to_string`` on the PNG instead, which lets tesseract guess
the resolution the file does not state) and runs
``eakte.extract.analyse`` on the ground-truth text and on the OCR text. Prints
per quality: character error rate (edit distance / reference length, with
whitespace normalised; and by line: each printed line looked up wherever OCR put
it, so that reading a side-by-side block first or last is no character error),
precision/recall of Aktenzeichen (exactly, and by ``reference_key``, which folds
what OCR confuses: I/l/1, O/0) and of the document date,
plus sender and document-type accuracy, and two word figures: of the printed
words with ä, ö, ü or ß, the share OCR read exactly (and how many it read with
the letter's dots or ß lost, "Fläche" as "Flache"), and the same share for the
English words some letters have.

    .venv/bin/python benchmarks/accuracy.py [--count 20] [--seed 1] [--keep DIR] [--plain]
        [--diff LEVEL] [--languages deu+eng deu]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.letters import LEVELS, generate  # noqa: E402
from eakte.config import Settings  # noqa: E402
from eakte.extract import Facts, analyse, load_rules, reference_key  # noqa: E402

os.environ["OMP_THREAD_LIMIT"] = "1"  # one tesseract thread per page; inherited by workers


def _myers(pattern: str, text: str, *, search: bool) -> int:
    """Myers' bit-parallel edit distance (Hyyrö's form) on Python's big ints.

    ``search=False``: distance between ``pattern`` and ``text``; ``search=True``:
    fewest edits that turn ``pattern`` into some part of ``text``.
    """
    peq: dict[str, int] = {}
    for i, char in enumerate(pattern):
        peq[char] = peq.get(char, 0) | (1 << i)
    mask, high = (1 << len(pattern)) - 1, 1 << (len(pattern) - 1)
    pv, mv, distance = mask, 0, len(pattern)
    best = distance
    carry = 0 if search else 1  # searching: a match may start anywhere in the text
    for char in text:
        eq = peq.get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | ~(xh | pv)
        mh = pv & xh
        if ph & high:
            distance += 1
        elif mh & high:
            distance -= 1
        ph = ((ph << 1) | carry) & mask
        mh = (mh << 1) & mask
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv
        best = min(best, distance)
    return best if search else distance


def levenshtein(a: str, b: str) -> int:
    """Edit distance between two texts."""
    if len(a) < len(b):
        a, b = b, a
    return _myers(b, a, search=False) if b else len(a)


def normalised(text: str) -> str:
    return " ".join(text.split())


def search_distance(pattern: str, text: str) -> int:
    """Fewest edits that turn ``pattern`` into some part of ``text``."""
    return _myers(pattern, text, search=True) if pattern else 0


def line_errors(lines: list[str], text: str) -> int:
    """Character errors of each printed line, looked up wherever OCR put it: a side column
    read before or after the main one (info block, stamp) costs nothing."""
    flat = normalised(text)
    return sum(search_distance(normalised(line), flat) for line in lines if line.strip())


_PUNCTUATION = ".,;:!?()[]\"'„“”‚‘’«»·–-/&"
_UMLAUTS = set("äöüßÄÖÜ")
_DOTS_LOST = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U"})


def words(text: str) -> Counter[str]:
    """The text's words without the punctuation around them, as a multiset."""
    found = (word.strip(_PUNCTUATION) for word in text.split())
    return Counter(word for word in found if word)


class Words:
    """Printed words of one kind, and how many of them OCR read exactly.

    A word counts as read when the page's OCR text has it, as many times as it is
    printed (a multiset: no alignment, so a word read wrong in one place and right
    in another counts once)."""

    def __init__(self) -> None:
        self.printed = self.read = self.dots_lost = 0

    def add(self, wanted: Counter[str], ocr_words: Counter[str]) -> None:
        read = wanted & ocr_words
        self.printed += wanted.total()
        self.read += read.total()
        for word, missed in (wanted - read).items():
            folded = word.translate(_DOTS_LOST).replace("ß", "ss")
            alternatives = {folded, word.translate(_DOTS_LOST), word.replace("ß", "B")}
            self.dots_lost += min(missed, sum(ocr_words[w] for w in alternatives - {word}))

    def share(self) -> str:
        return f"{self.read / max(self.printed, 1):6.1%} of {self.printed:4}"


def ocr(page: Path, languages: str) -> str:
    """The page's text as ingest gets it (one page, one tesseract thread)."""
    from eakte.ocr import ocr_document

    with tempfile.TemporaryDirectory() as workdir:
        return ocr_document(page, "image", Path(workdir), languages=languages, jobs=1).text


def ocr_plain(page: Path, languages: str) -> str:
    import pytesseract
    from PIL import Image

    with Image.open(page) as image:
        return str(pytesseract.image_to_string(image, lang=languages))


class Tally:
    """Counts for precision, recall and accuracy of one quality level."""

    def __init__(self) -> None:
        self.n: Counter[str] = Counter()

    def prf(self, name: str, found: set[str], truth: set[str]) -> None:
        self.n[f"{name}.tp"] += len(found & truth)
        self.n[f"{name}.fp"] += len(found - truth)
        self.n[f"{name}.fn"] += len(truth - found)

    def add(self, facts: Facts, truth: dict[str, Any]) -> None:
        self.prf("ref", set(facts.references), set(truth["references"]))
        keys = {reference_key(ref) for ref in facts.references}
        self.prf("key", keys, {reference_key(ref) for ref in truth["references"]})
        found = {facts.document_date.isoformat()} if facts.document_date else set()
        self.prf("date", found, {truth["document_date"]} if truth["document_date"] else set())
        self.n["letters"] += 1
        self.n["sender"] += facts.sender == truth["sender"]
        self.n["type"] += facts.document_type == truth["type"]

    def line(self, label: str) -> str:
        def pr(name: str) -> str:
            tp, fp, fn = (self.n[f"{name}.{k}"] for k in ("tp", "fp", "fn"))
            return f"P {tp / max(tp + fp, 1):6.1%} R {tp / max(tp + fn, 1):6.1%}"

        letters = max(self.n["letters"], 1)
        return (
            f"{label:<14} Az {pr('ref')} | Az key {pr('key')} | date {pr('date')} | "
            f"sender {self.n['sender'] / letters:6.1%} | type {self.n['type'] / letters:6.1%}"
        )


def _ocr_all(
    folder: Path, truths: list[dict[str, Any]], workers: int, plain: bool, languages: str
) -> dict[str, str]:
    pages = [page for truth in truths for level in LEVELS for page in truth["pages"][level]]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        read = ocr_plain if plain else ocr
        paths = [folder / p for p in pages]
        texts = dict(zip(pages, pool.map(read, paths, [languages] * len(paths)), strict=True))
    elapsed = time.perf_counter() - started
    print(f"OCR -l {languages}: {len(pages)} pages in {elapsed:.1f} s "
          f"({elapsed / len(pages):.2f} s/page)")  # fmt: skip
    return texts


def diff(truths: list[dict[str, Any]], texts: dict[str, str], level: str) -> None:
    """Per page: the strict and by-line errors, and a line diff against the ground truth."""
    import difflib

    for truth in truths:
        text = "\n".join(texts[page] for page in truth["pages"][level])
        strict = levenshtein(normalised(text), normalised(truth["text"]))
        print(f"== {truth['pages'][level][0]}: {strict} errors, "
              f"{line_errors(truth['lines'], text)} by line")  # fmt: skip
        ocr_lines = [line for line in text.splitlines() if line.strip()]
        truth_lines = [line for line in truth["text"].splitlines() if line.strip()]
        for line in difflib.unified_diff(truth_lines, ocr_lines, lineterm="", n=0):
            if not line.startswith(("---", "+++")):
                print("   ", line)


def report(folder: Path, truths: list[dict[str, Any]], texts: dict[str, str]) -> None:
    rules = load_rules()
    truth_tally = Tally()
    for truth in truths:
        truth_tally.add(analyse(truth["text"], rules), truth)
    print(truth_tally.line("ground truth"))
    for level in LEVELS:
        tally, ordered, loose, length = Tally(), 0, 0, 0
        umlaut, english = Words(), Words()
        for truth in truths:
            text = "\n".join(texts[page] for page in truth["pages"][level])
            ordered += levenshtein(normalised(text), normalised(truth["text"]))
            loose += line_errors(truth["lines"], text)
            length += len(normalised(truth["text"]))
            tally.add(analyse(text, rules), truth)
            printed, read = words(truth["text"]), words(text)
            umlaut.add(Counter({w: n for w, n in printed.items() if _UMLAUTS & set(w)}), read)
            english.add(Counter(truth.get("english", [])), read)
        cer = f"CER {ordered / max(length, 1):6.2%}, by line {loose / max(length, 1):6.2%}"
        print(f"{tally.line(f'OCR {level}')} | {cer}")
        print(f"{'':<14} words read exactly: with ä/ö/ü/ß {umlaut.share()} "
              f"({umlaut.dots_lost} with dots or ß lost) | English {english.share()}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20, help="letters per quality level")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write letters and OCR text here")
    parser.add_argument("--plain", action="store_true", help="pytesseract, not the product")
    parser.add_argument("--diff", choices=LEVELS, help="print each page's differences")
    parser.add_argument(
        "--languages",
        nargs="+",
        default=[Settings.model_fields["ocr_languages"].default],
        help="tesseract languages; several settings are measured on the same letters",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        truths = [json.loads(p.read_text("utf-8")) for p in generate(folder, args.count, args.seed)]
        for languages in args.languages:
            texts = _ocr_all(folder, truths, args.workers, args.plain, languages)
            if args.diff:
                diff(truths, texts, args.diff)
            if args.keep:
                for page, text in texts.items():
                    name = f"{Path(page).stem}.{languages}.txt"
                    (folder / name).write_text(text, encoding="utf-8")
            report(folder, truths, texts)


if __name__ == "__main__":
    main()
