from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest

from eakte.signing import canonical_json, sha256_hex


def test_keys_sorted_and_no_whitespace() -> None:
    assert canonical_json({"b": 1, "a": [True, None, "x"]}) == b'{"a":[true,null,"x"],"b":1}'


def test_stable_regardless_of_insertion_order() -> None:
    first = {"z": {"y": 1, "x": 2}, "a": "b"}
    second = {"a": "b", "z": {"x": 2, "y": 1}}
    assert canonical_json(first) == canonical_json(second)


def test_unicode_written_as_utf8_not_escaped() -> None:
    data = canonical_json({"Straße": "Müller – Ärger €"})
    assert data == '{"Straße":"Müller – Ärger €"}'.encode()
    assert b"\\u" not in data


def test_big_integers_are_exact() -> None:
    assert canonical_json({"n": 2**70}) == b'{"n":1180591620717411303424}'


@pytest.mark.parametrize("value", [1.5, 0.0, math.nan, math.inf, -math.inf])
def test_floats_rejected(value: float) -> None:
    with pytest.raises(TypeError, match="float"):
        canonical_json({"outer": [{"inner": value}]})


@pytest.mark.parametrize(
    "value", [datetime(2024, 1, 1, tzinfo=UTC), b"bytes", (1, 2), {1, 2}, object()]
)
def test_other_types_rejected(value: Any) -> None:
    with pytest.raises(TypeError):
        canonical_json({"v": value})


def test_datetime_error_says_to_use_iso_string() -> None:
    with pytest.raises(TypeError, match="ISO"):
        canonical_json([datetime.now(UTC)])


def test_non_string_keys_rejected() -> None:
    with pytest.raises(TypeError, match="string keys"):
        canonical_json({1: "a"})


def test_sha256_hex_matches_known_vector() -> None:
    assert sha256_hex(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
