"""The bundled xdomea schema files are the official ones, unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import eakte.export

BUNDLED = Path(eakte.export.__file__).parent / "xsd"


def test_the_bundled_schema_files_are_the_published_ones() -> None:
    """SHA256SUMS lists the files as published by KoSIT (checked against the reference
    copy in ../shared/xdomea/xsd when it was written); every bundled file is listed."""
    published = {
        name: digest
        for digest, name in (
            line.split("  ", 1) for line in (BUNDLED / "SHA256SUMS").read_text().splitlines()
        )
    }
    bundled = {
        f"{path.parent.name}/{path.name}": hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(BUNDLED.glob("*/*.xsd"))
    }
    assert len(bundled) == 22 and bundled == published
