"""Large test data made on demand, never held in memory."""

from __future__ import annotations

import io
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

MiB = 1024 * 1024


class GeneratedStream(io.RawIOBase):
    """``size`` pseudo-random bytes produced on demand; chunk ``i`` starts with ``i``."""

    def __init__(self, size: int, seed: int = 0) -> None:
        super().__init__()
        self._block = random.Random(seed).randbytes(MiB)
        self._size = size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        offset = self._pos % MiB
        n = min(len(view), self._size - self._pos, MiB - offset)
        chunk = (self._pos // MiB).to_bytes(8, "big") + self._block[8:]
        view[:n] = chunk[offset : offset + n]
        self._pos += n
        return n
