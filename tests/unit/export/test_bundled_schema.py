"""The bundled xdomea schema files are the official ones, unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import eakte.export

BUNDLED = Path(eakte.export.__file__).parent / "xsd"
# the reference copy beside the repository (../shared/xdomea/xsd) on the project's machines
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "xdomea" / "xsd"


def digests(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.glob("*.xsd"))
    }


def test_the_bundled_schema_is_complete() -> None:
    names = set(digests(BUNDLED / "xdomea-3.0.0"))
    assert "xdomea.xsd" in names and len(names) == 20
    assert set(digests(BUNDLED / "xoev")) == {"xoev-code.xsd", "latinchars.xsd"}


@pytest.mark.skipif(not SHARED.is_dir(), reason="no reference copy beside the repository")
def test_the_bundled_schema_equals_the_reference_copy() -> None:
    assert digests(BUNDLED / "xdomea-3.0.0") == digests(SHARED / "3.0.0")
    assert digests(BUNDLED / "xoev") == digests(SHARED / "xoev")
