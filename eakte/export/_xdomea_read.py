"""Read an xdomea 3.0.0 Aussonderung.Aussonderung.0503 message, one Schriftgutobjekt at a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from eakte.exceptions import RecordsError
from eakte.export._model import MessageHeader, RecordObject


class XdomeaError(RecordsError):
    """A file is not a readable xdomea 3.0.0 0503 message; the message says what is wrong."""


def read_message(path: Path) -> tuple[MessageHeader, Iterator[RecordObject]]:
    """Stream a 0503 message: the header, then one Schriftgutobjekt at a time."""
    raise NotImplementedError
