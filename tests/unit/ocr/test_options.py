"""The OCRmyPDF settings are valid for OCRmyPDF, and say what we decided."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ocrmypdf.api import create_options
from ocrmypdf.cli import ArgumentParser

from eakte.ocr._options import ocrmypdf_options, pdfa_fallback_options


def options(**changes: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "languages": ["deu", "eng"],
        "jobs": 2,
        "page_timeout": 180.0,
        "max_image_pixels": 200_000_000,
        "rotate_pages": True,
        "deskew": False,
    }
    return ocrmypdf_options(**{**settings, **changes})


def validated(kwargs: dict[str, Any], tmp_path: Path) -> Any:
    return create_options(
        input_file=tmp_path / "in.pdf",
        output_file=tmp_path / "out.pdf",
        parser=ArgumentParser(),
        **kwargs,
    )


@pytest.mark.parametrize("deskew", [False, True])
def test_ocrmypdf_accepts_them(tmp_path: Path, deskew: bool) -> None:
    checked = validated(options(deskew=deskew), tmp_path)
    assert checked.skip_text  # pages with text are not OCR'd nor rasterised
    assert checked.output_type == "pdf"  # the worker makes it PDF/A (_pdf.finish_pdfa)
    assert checked.languages == ["deu", "eng"]
    assert checked.deskew is deskew


def test_redo_mode_would_refuse_deskew(tmp_path: Path) -> None:
    """Why "skip" and not "redo": OCRmyPDF 17 refuses --redo-ocr with --deskew."""
    with pytest.raises(TypeError, match="not currently compatible"):
        validated({**options(deskew=True), "mode": "redo"}, tmp_path)


def test_orientation_is_found_by_the_engine_plugin_only_when_needed() -> None:
    assert "eakte.ocr._engine" in options()["plugins"]
    assert "eakte.ocr._engine" not in options(rotate_pages=False)["plugins"]
    assert "eakte.ocr._engine_as_lies" in options(rotate_pages=False)["plugins"]
    assert "eakte.ocr._raster" in options(rotate_pages=False)["plugins"]
    assert "rotate_pages" not in options()  # no separate OSD run per page
    assert "tesseract_pagesegmode" not in options()  # the plugin chooses per run


def test_limits_reach_ocrmypdf() -> None:
    settings = options(page_timeout=12.5, max_image_pixels=50_000_000, jobs=3)
    assert settings["tesseract_timeout"] == 12.5
    assert settings["max_image_mpixels"] == 50
    assert settings["jobs"] == 3


def test_the_ghostscript_fallback_makes_pdfa_without_ocr(tmp_path: Path) -> None:
    fallback = pdfa_fallback_options(options())
    checked = validated(fallback, tmp_path)
    assert checked.output_type == "pdfa-2"
    assert checked.pdfa_backend == "ghostscript"
    assert checked.ocr_engine == "none"
    assert checked.skip_text  # the OCR'd pages have their text layer
    assert fallback["plugins"] == []
