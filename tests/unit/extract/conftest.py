from __future__ import annotations

import pytest

from eakte.extract import Rules, load_rules


@pytest.fixture(scope="session")
def rules() -> Rules:
    """The built-in extraction rules."""
    return load_rules()
