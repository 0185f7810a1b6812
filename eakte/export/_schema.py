"""Validation of xdomea messages against the bundled xdomea 3.0.0 schema."""

from __future__ import annotations

from pathlib import Path


def schema_errors(path: Path, limit: int = 20) -> list[str]:
    """Validate ``path`` against the bundled xdomea 3.0.0 XSD; [] when valid."""
    raise NotImplementedError
