"""Canonical JSON: the one byte form in which manifests and records are hashed and signed.

The form is UTF-8 JSON with sorted keys, no insignificant whitespace and
non-ASCII characters written as themselves. Only ``str``, ``int``, ``bool``,
``None``, ``list`` and ``dict`` with ``str`` keys are allowed: floats have no
single canonical spelling, and datetimes must be passed as ISO strings by the
caller, so that the same record always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(obj: Any) -> bytes:
    """Return the canonical UTF-8 JSON bytes of ``obj``.

    Raises :class:`TypeError` for any value outside the allowed types (floats,
    NaN, datetimes, bytes, tuples, non-string keys, ...).
    """
    _check(obj, "$")
    text = json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """Lower-case hexadecimal SHA-256 of ``data`` (what ``sha256sum`` prints)."""
    return hashlib.sha256(data).hexdigest()


def _check(obj: Any, path: str) -> None:
    if obj is None or isinstance(obj, str | bool | int):
        return
    if isinstance(obj, list):
        for index, item in enumerate(obj):
            _check(item, f"{path}[{index}]")
        return
    if isinstance(obj, dict):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TypeError(f"canonical JSON needs string keys; {path} has key {key!r}")
            _check(value, f"{path}.{key}")
        return
    hint = " (pass datetimes as ISO strings)" if hasattr(obj, "isoformat") else ""
    raise TypeError(
        f"canonical JSON allows only str, int, bool, None, list and dict; "
        f"{path} is {type(obj).__name__}{hint}"
    )
