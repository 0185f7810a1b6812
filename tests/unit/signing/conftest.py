from __future__ import annotations

from pathlib import Path

import pytest

from eakte.signing import KeyRing

PASSPHRASE = b"correct horse battery staple"


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def keyring(key_dir: Path) -> KeyRing:
    """An initialised key ring with one active key."""
    ring = KeyRing(key_dir, PASSPHRASE)
    ring.init()
    return ring
