"""Real tesseract runs on scans generated at test time (small crops: fast to OCR)."""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import img2pdf
import pikepdf
import pikepdf.pdfa
import pytest
from PIL import Image

from tests.unit.ocr.scans import snippet

PAGE_ONE = ["Antrag auf Sondernutzung", "der Straße vor dem Rathaus"]
PAGE_TWO = ["Widerspruch gegen den", "Gebührenbescheid vom Mai"]


def assert_words(text: str, lines: list[str]) -> None:
    """Every word of ``lines`` is in ``text`` (case-insensitive; one OCR slip per word allowed)."""
    tokens = text.lower().split()
    for word in " ".join(lines).lower().split():
        if word in tokens:
            continue
        best = max((difflib.SequenceMatcher(None, word, t).ratio() for t in tokens), default=0)
        assert best >= 0.8, f"{word!r} not found in OCR text {text!r}"


def assert_pdfa(path: Path) -> None:
    with pikepdf.open(path) as pdf:
        assert pdf.open_metadata().get("pdfaid:part") == "2"
        intents = pdf.Root.get("/OutputIntents")
        assert isinstance(intents, pikepdf.Array)
        assert any(intent.get("/S") == "/GTS_PDFA1" for intent in intents)
    assert pikepdf.pdfa.validate_written(path, "2b").passed


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ocr-samples")


@pytest.fixture(scope="session")
def page_one() -> Image.Image:
    return snippet(PAGE_ONE)


@pytest.fixture(scope="session")
def page_two() -> Image.Image:
    return snippet(PAGE_TWO)


@pytest.fixture(scope="session")
def png(samples: Path, page_one: Image.Image) -> Path:
    path = samples / "scan.png"
    page_one.save(path, dpi=(300, 300))
    return path


@pytest.fixture(scope="session")
def image_pdf(samples: Path, png: Path) -> Path:
    path = samples / "scan.pdf"
    path.write_bytes(img2pdf.convert(str(png)))
    return path


@pytest.fixture(scope="session")
def text_pdf(samples: Path, page_two: Image.Image) -> Path:
    """A page with a real text layer (tesseract's own PDF output, fonts embedded)."""
    image = samples / "typed.png"
    page_two.save(image, dpi=(300, 300))
    subprocess.run(
        ["tesseract", str(image), str(samples / "typed"), "-l", "deu", "pdf"],
        check=True,
        capture_output=True,
        env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
    )
    return samples / "typed.pdf"
