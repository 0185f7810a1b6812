"""Write an xdomea 3.0.0 Aussonderung.Aussonderung.0503 message, one Schriftgutobjekt at a time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from eakte.export._model import MessageHeader, RecordObject


def write_message(out: BinaryIO, header: MessageHeader, objects: Iterable[RecordObject]) -> None:
    """Write an Aussonderung.Aussonderung.0503 message incrementally (lxml etree.xmlfile), one
    Schriftgutobjekt per object; memory independent of the number of objects."""
    raise NotImplementedError
