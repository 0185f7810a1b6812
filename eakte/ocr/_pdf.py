"""PDF checks before OCR (pikepdf), and turning OCR'd pages upright afterwards."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import pikepdf
import pikepdf.pdfa

from . import _errors

log = logging.getLogger(__name__)

#: Text a page needs (bytes shown), and the share that must agree, before it is turned.
_MIN_TEXT = 40
_MIN_SHARE = 0.75
_TOLERANCE_DEGREES = 10.0


def inspect_pdf(source: Path) -> int:
    """The page count of ``source``; refuses encrypted and unreadable PDFs."""
    try:
        with pikepdf.open(source) as pdf:
            if pdf.is_encrypted:  # even with an empty user password: OCRmyPDF refuses it
                raise _errors.encrypted_pdf(source.name)
            return len(pdf.pages)
    except pikepdf.PasswordError as e:
        raise _errors.encrypted_pdf(source.name) from e
    except pikepdf.PdfError as e:
        raise _errors.corrupt_pdf(source.name, str(e).replace(f"{source}: ", "")) from e


def _multiply(m: list[float], n: list[float]) -> list[float]:
    """The product m·n of two PDF matrices [a b c d e f] (m applied first)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return [
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    ]


def _form_xobjects(container: pikepdf.Object) -> dict[str, pikepdf.Object]:
    resources = container.get("/Resources")
    if not isinstance(resources, pikepdf.Dictionary):
        return {}
    xobjects = resources.get("/XObject")
    if not isinstance(xobjects, pikepdf.Dictionary):
        return {}
    return {name: x for name, x in xobjects.items() if x.get("/Subtype") == "/Form"}


def _shown(operands: Iterable[pikepdf.Object]) -> int:
    """How much text a Tj/TJ shows (bytes of its strings)."""
    total = 0
    for operand in operands:
        if isinstance(operand, pikepdf.String):
            total += len(bytes(operand))
        elif isinstance(operand, pikepdf.Array):
            total += _shown(operand)
    return total


def _text_directions(
    container: pikepdf.Object, ctm: list[float], depth: int = 0
) -> Iterator[tuple[float, int]]:
    """(direction, amount) of the text shown: direction in degrees counter-clockwise in page
    space, amount in bytes. Tesseract sets the text matrix (Tm) once per block."""
    stack: list[list[float]] = []
    forms = _form_xobjects(container)
    angle = 0.0
    for instruction in pikepdf.parse_content_stream(container):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue  # inline image
        op, operands = str(instruction.operator), instruction.operands
        if op == "q":
            stack.append(ctm)
        elif op == "Q" and stack:
            ctm = stack.pop()
        elif op == "cm" and len(operands) == 6:
            ctm = _multiply([float(x) for x in operands], ctm)
        elif op == "Tm" and len(operands) == 6:
            a, b, *_ = _multiply([float(x) for x in operands], ctm)
            angle = math.degrees(math.atan2(b, a)) % 360
        elif op in ("Tj", "TJ", "'", '"'):
            yield angle, _shown(operands)
        elif op == "Do" and depth < 2 and operands and str(operands[0]) in forms:
            form = forms[str(operands[0])]
            matrix = [float(x) for x in form.get("/Matrix", [1, 0, 0, 1, 0, 0])]
            yield from _text_directions(form, _multiply(matrix, ctm), depth + 1)


def _upright_rotation(directions: Iterable[tuple[float, int]]) -> int | None:
    """The /Rotate that makes most text horizontal; None if the page is not clear."""
    votes: Counter[int] = Counter()
    total = 0
    for angle, amount in directions:
        total += amount
        nearest = round(angle / 90) * 90 % 360
        if abs((angle - nearest + 180) % 360 - 180) <= _TOLERANCE_DEGREES:
            votes[nearest] += amount
    if total < _MIN_TEXT or not votes:
        return None
    rotation, amount = votes.most_common(1)[0]
    return rotation if amount >= _MIN_SHARE * total else None


def _turn_upright(pdf: pikepdf.Pdf, pages: Iterable[int]) -> list[int]:
    """Turn the given pages (0-based) so that their OCR text reads left to right.

    Tesseract's orientation detection runs inside the OCR run (``--psm 1``, or
    ``--psm 3`` for a page turned 90° clockwise), so the text layer of a
    sideways or upside-down scan is right, but the page is still shown as
    scanned. Text direction d (counter-clockwise, in page space) reads
    horizontally when the page is shown turned by ``/Rotate = d`` (clockwise),
    whatever its rotation was. Returns the pages turned.
    """
    turned = []
    for index in pages:
        page = pdf.pages[index]
        rotation = _upright_rotation(_text_directions(page.obj, [1, 0, 0, 1, 0, 0]))
        if rotation is not None and rotation != int(page.obj.get("/Rotate", 0)) % 360:
            page.obj.Rotate = rotation
            turned.append(index)
    return turned


def finish_pdfa(layered: Path, target: Path, upright: Iterable[int] = ()) -> list[int] | None:
    """Write ``layered`` (OCRmyPDF's output as a plain PDF) to ``target`` as PDF/A-2b.

    See :func:`save_pdfa`; returns the pages turned, or None when the file
    cannot be PDF/A without Ghostscript.
    """
    with pikepdf.open(layered) as pdf:
        return save_pdfa(pdf, target, upright)


def save_pdfa(pdf: pikepdf.Pdf, target: Path, upright: Iterable[int] = ()) -> list[int] | None:
    """Save the OCR'd ``pdf`` to ``target`` as PDF/A-2b.

    The pages in ``upright`` (0-based, the OCR'd ones) are turned so that their
    text reads left to right first. ``pikepdf.pdfa.save`` adds what PDF/A needs
    (sRGB output intent, XMP declaration, print flags) — the same conversion as
    OCRmyPDF's "speculative" one — and validates the bytes it writes, once;
    ``target`` is written only if they pass. Returns the pages turned, or None
    when the file cannot be PDF/A without Ghostscript (fonts to embed, colours
    to convert), with ``target`` not written.
    """
    turned = _turn_upright(pdf, upright)
    try:
        pikepdf.pdfa.save(pdf, target, "2b", output_intent="sRGB")
    except pikepdf.pdfa.PdfaError as e:
        log.info("%s cannot be PDF/A-2b as it is: %s", pdf.filename, e)
        return None
    return turned


def upright_pages(path: Path, pages: Iterable[int]) -> list[int]:
    """Turn the given pages of the PDF/A ``path`` upright (see :func:`_turn_upright`).

    Rewrites ``path`` (as validated PDF/A-2b) only if a page changes; if that
    would break PDF/A, the file is kept as it is. Returns the pages turned.
    """
    staged = path.with_name(path.name + ".turned")
    with pikepdf.open(path) as pdf:
        turned = _turn_upright(pdf, pages)
        if not turned:
            return []
        try:
            pikepdf.pdfa.save(pdf, staged, "2b")  # validates what it wrote
        except pikepdf.pdfa.PdfaError as e:  # keep the valid rendition, sideways
            log.warning("%s: turning pages upright broke PDF/A, left as is: %s", path, e)
            staged.unlink(missing_ok=True)
            return []
    staged.replace(path)
    return turned
