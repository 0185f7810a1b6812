"""Which images take the single-page path, and how its text layer is placed on the page."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from eakte.ocr._images import Frame
from eakte.ocr._single import applies, layer_matrix

SCAN = Frame(2480, 3508, (300.0, 300.0), mirrored=False, orientation=1, mode="L", transparent=False)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"mode": "1"},
        {"mode": "RGB"},
        {"dpi": None},
        {"dpi": (199.9996, 200.0)},
        {"orientation": 6},
        {"orientation": 3},
    ],
)
def test_the_common_scans_take_it(changes: dict[str, Any]) -> None:
    assert applies([replace(SCAN, **changes)], {"deskew": False})


@pytest.mark.parametrize(
    "changes",
    [
        {"mode": "P"},
        {"mode": "I;16"},
        {"mode": "CMYK"},
        {"mode": "LA", "transparent": True},
        {"transparent": True},  # a PNG with a transparent colour
        {"orientation": 2, "mirrored": True},
        {"dpi": (204.0, 98.0)},  # fax resolution
    ],
)
def test_other_frames_go_through_ocrmypdf(changes: dict[str, Any]) -> None:
    assert not applies([replace(SCAN, **changes)], {"deskew": False})


def test_several_frames_or_deskew_go_through_ocrmypdf() -> None:
    assert not applies([SCAN, SCAN], {"deskew": False})
    assert not applies([SCAN], {"deskew": True})
    assert not applies([], {"deskew": False})


def corners(matrix: Any, width: float, height: float) -> set[tuple[float, float]]:
    points = [matrix.transform(p) for p in ((0, 0), (width, 0), (0, height), (width, height))]
    return {(round(x, 6) + 0.0, round(y, 6) + 0.0) for x, y in points}


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_text_layer_covers_the_page(rotation: int) -> None:
    """Tesseract's page (of the upright image) onto img2pdf's page (of the stored one)."""
    layer = (0.0, 0.0, 100.0, 200.0)
    page = (0.0, 0.0, 200.0, 100.0) if rotation % 180 else (0.0, 0.0, 100.0, 200.0)
    matrix = layer_matrix(layer, page, rotation)
    assert corners(matrix, 100, 200) == {
        (page[0], page[1]),
        (page[2], page[1]),
        (page[0], page[3]),
        (page[2], page[3]),
    }


def test_text_layer_is_turned_clockwise_and_scaled() -> None:
    """A layer's bottom-left corner, turned 90° clockwise onto the page, lies at its top
    left; a slightly different resolution is scaled away."""
    matrix = layer_matrix((0.0, 0.0, 100.0, 200.0), (10.0, 20.0, 210.5, 120.5), 90)
    assert matrix.transform((0, 0)) == pytest.approx((10.0, 120.5))
    assert matrix.transform((100, 0)) == pytest.approx((10.0, 20.0))
