"""The fixture folder stays documented, small and reproducible from its generator."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from eakte.exceptions import InputRejected
from eakte.ingest._detect import detect_type
from eakte.ingest._validate import Limits, validate_file
from tests.unit.ingest.conftest import FIXTURES

EXACT = (".eml", ".html", ".txt", ".json")  # no image or zip library in between


def fixture_files() -> list[str]:
    return sorted(
        p.name for p in FIXTURES.iterdir() if p.is_file() and p.suffix not in (".py", ".md", ".pyc")
    )


def test_every_fixture_is_listed_in_the_readme() -> None:
    listed = set(re.findall(r"^\| `([^`]+)` \|", (FIXTURES / "README.md").read_text(), re.M))
    assert listed == set(fixture_files())


@pytest.mark.parametrize("name", fixture_files())
def test_fixtures_are_small(name: str) -> None:
    assert (FIXTURES / name).stat().st_size < 50 * 1024


def outcome(path: Path, limits: Limits) -> object:
    try:
        file_type = detect_type(path)
        return file_type, validate_file(path, file_type, limits)
    except InputRejected as exc:
        return exc.code


def test_generator_makes_the_same_fixtures(tmp_path: Path, limits: Limits) -> None:
    """Same bytes for text; for binary formats (whose bytes depend on the versions of zlib,
    libtiff, libjpeg) the same type and the same validation result."""
    subprocess.run(
        [sys.executable, str(FIXTURES / "make_fixtures.py"), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    made = {p.name for p in tmp_path.iterdir()}
    assert made >= set(fixture_files()) - {"encrypted.docx"}  # needs msoffcrypto-tool
    for name in sorted(made):
        new, old = tmp_path / name, FIXTURES / name
        if name.endswith(EXACT):
            assert new.read_bytes() == old.read_bytes(), name
        else:
            assert outcome(new, limits) == outcome(old, limits), name
