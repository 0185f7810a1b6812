"""The sample files of tests/fixtures/ (see the README there for where each came from)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eakte.ingest._validate import Limits

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture(scope="session")
def resources() -> Path:
    return FIXTURES


@pytest.fixture
def limits() -> Limits:
    """The embedded default limits (500 MiB, 1000 pages, 200 million pixels, ratio 100)."""
    return Limits(
        max_bytes=500 * 1024 * 1024, max_pages=1000, max_image_pixels=200_000_000, max_zip_ratio=100
    )


def copy_as(source: Path, target: Path) -> Path:
    """Copy a fixture under another name (the name must never decide anything)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target
