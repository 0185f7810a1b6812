"""PDF checks, and reading which way a page's text runs (no tesseract needed)."""

from __future__ import annotations

from pathlib import Path

import img2pdf
import pikepdf
import pikepdf.pdfa
import pytest

from eakte.exceptions import InputRejected
from eakte.ocr._pdf import (
    _text_directions,
    _upright_rotation,
    finish_pdfa,
    inspect_pdf,
    upright_pages,
)
from tests.unit.ocr.scans import snippet

TEXT = b"(Antrag auf Sondernutzung der Stra\\337e am Rathaus) Tj"


def text_page(pdf: pikepdf.Pdf, matrix: str, *, form_matrix: list[int] | None = None) -> None:
    """A page showing text with the text matrix ``matrix``, directly or through a form."""
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1)
    font.BaseFont = pikepdf.Name.Helvetica
    text = b"BT /F1 12 Tf " + matrix.encode() + b" Tm " + TEXT + b" ET"
    page = pdf.add_blank_page(page_size=(595, 842))
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    if form_matrix is None:
        page.Contents = pdf.make_stream(text)
        return
    form = pdf.make_stream(text)
    form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
    form.BBox, form.Matrix = [0, 0, 842, 842], form_matrix
    form.Resources = page.Resources
    page.Resources.XObject = pikepdf.Dictionary(OCR=form)
    page.Contents = pdf.make_stream(b"q /OCR Do Q")


def rotation_of(matrix: str, form_matrix: list[int] | None = None) -> int | None:
    with pikepdf.new() as pdf:
        text_page(pdf, matrix, form_matrix=form_matrix)
        return _upright_rotation(_text_directions(pdf.pages[0].obj, [1, 0, 0, 1, 0, 0]))


@pytest.mark.parametrize(
    ("matrix", "rotation"),
    [
        ("1 0 0 1 50 700", 0),
        ("0 1 -1 0 100 50", 90),  # text runs upwards: show the page turned 90° clockwise
        ("-1 0 0 -1 500 100", 180),
        ("0 -1 1 0 100 700", 270),
        ("0.998 0.05 -0.05 0.998 50 700", 0),  # slightly skewed is still upright
    ],
)
def test_direction_of_text(matrix: str, rotation: int) -> None:
    assert rotation_of(matrix) == rotation


def test_direction_inside_a_form_xobject_uses_its_matrix() -> None:
    """OCRmyPDF grafts the text layer as a form whose /Matrix undoes the page's rotation."""
    assert rotation_of("1 0 0 1 50 50", form_matrix=[0, 1, -1, 0, 842, 0]) == 90


def test_diagonal_text_gives_no_answer() -> None:
    assert rotation_of("0.7 0.7 -0.7 0.7 50 50") is None


def test_little_text_or_disagreement_gives_no_answer() -> None:
    assert _upright_rotation([(90.0, 10)]) is None  # too little to go by
    assert _upright_rotation([(0.0, 300), (90.0, 300)]) is None  # a sideways stamp, say
    assert _upright_rotation([(0.0, 30), (90.0, 300)]) == 90


def test_upright_pages_keeps_the_file_if_pdfa_would_break(tmp_path: Path) -> None:
    path = tmp_path / "sideways.pdf"
    with pikepdf.new() as pdf:
        text_page(pdf, "0 1 -1 0 100 50")  # Helvetica, not embedded: never PDF/A
        pdf.save(path)
    before = path.read_bytes()
    assert upright_pages(path, [0]) == []
    assert path.read_bytes() == before


def test_finish_pdfa_makes_a_valid_pdfa(tmp_path: Path) -> None:
    """(Turning pages is tested with real OCR text layers in tests/integration/ocr.)"""
    layered, target = tmp_path / "layered.pdf", tmp_path / "ocr.pdf"
    scan = tmp_path / "scan.png"
    snippet(["Antrag auf Sondernutzung"]).save(scan, dpi=(300, 300))
    layered.write_bytes(img2pdf.convert(str(scan)))
    assert finish_pdfa(layered, target, [0]) == []  # no text layer: nothing to turn
    assert pikepdf.pdfa.validate_written(target, "2b").passed
    with pikepdf.open(target) as pdf:
        assert pdf.open_metadata().get("pdfaid:part") == "2"


def test_finish_pdfa_leaves_what_needs_ghostscript(tmp_path: Path) -> None:
    layered, target = tmp_path / "layered.pdf", tmp_path / "ocr.pdf"
    with pikepdf.new() as pdf:
        text_page(pdf, "1 0 0 1 50 700")  # Helvetica, not embedded
        pdf.save(layered)
    assert finish_pdfa(layered, target, [0]) is None
    assert not target.exists()


def test_page_count(tmp_path: Path) -> None:
    path = tmp_path / "three.pdf"
    with pikepdf.new() as pdf:
        for _ in range(3):
            pdf.add_blank_page()
        pdf.save(path)
    assert inspect_pdf(path) == 3


@pytest.mark.parametrize("user", ["secret", ""])
def test_encrypted_pdf(tmp_path: Path, user: str) -> None:
    """Refused with a user password, and with only an owner password (restrictions) too."""
    path = tmp_path / "locked.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(path, encryption=pikepdf.Encryption(owner="owner", user=user))
    with pytest.raises(InputRejected) as caught:
        inspect_pdf(path)
    assert caught.value.code == "encrypted-pdf"
    assert "verschlüsselt" in caught.value.message_de


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7\n garbage", b"GIF89a not a pdf"])
def test_unreadable_pdf(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    with pytest.raises(InputRejected) as caught:
        inspect_pdf(path)
    assert caught.value.code == "corrupt-pdf"
    assert str(tmp_path) not in caught.value.message
