"""The limits for untrusted packages (eakte/export/_limits.py) and for untrusted XML."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from eakte.export import _limits as limits
from eakte.export._limits import LineTooLongError, check_archive, iter_lines, read_line
from eakte.export._schema import schema_errors
from eakte.export._xdomea_read import XdomeaError, read_message

NS = "urn:xoev-de:xdomea:schema:3.0.0"


def write_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def codes(path: Path, **kwargs: int) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [f.code for f in check_archive(zf, path.stat().st_size, **kwargs)]


def patch_central(path: Path, name: str, **fields: int) -> None:
    """Overwrite fields (compress_size, file_size, header_offset) of one central-directory
    entry, as a forger would; the local headers and data stay as they are."""
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")
    offsets = {"compress_size": 20, "file_size": 24, "header_offset": 42}
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        extra, comment = struct.unpack_from("<HH", data, at + 30)
        if data[at + 46 : at + 46 + name_length].decode() == name:
            for field, value in fields.items():
                struct.pack_into("<I", data, at + offsets[field], value)
        at = data.find(b"PK\x01\x02", at + 46 + name_length + extra + comment)
    path.write_bytes(bytes(data))


def test_an_ordinary_zip_passes(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "ok.zip",
        {"bag/a.txt": b"hello " * 1000, "bag/b.bin": bytes(range(256)) * 100},
        zipfile.ZIP_DEFLATED,
    )
    assert codes(path) == []


def test_too_many_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ENTRIES", 5)
    path = write_zip(tmp_path / "many.zip", {f"bag/{n}.txt": b"x" for n in range(6)})
    assert codes(path) == ["package-too-large"]


def test_total_declared_size(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "big.zip", {"bag/a": b"a" * 600, "bag/b": b"b" * 600})
    assert codes(path, max_total=1199) == ["package-too-large"]
    assert codes(path, max_total=1200) == []
    assert limits.max_total_bytes(2) == 2 * limits.GIB
    assert limits.max_total_bytes() == limits.MAX_TOTAL_BYTES


def test_a_lying_declared_size_counts(tmp_path: Path) -> None:
    """Declared sizes are what zipfile will unpack: 3 GiB declared is 3 GiB of work."""
    path = write_zip(tmp_path / "lie.zip", {"bag/a": b"a" * 10})
    patch_central(path, "bag/a", file_size=3 * limits.GIB)
    assert codes(path, max_total=1 << 30) == ["package-too-large", "zip-bomb"]


def test_a_deflate_bomb(tmp_path: Path) -> None:
    """20 MiB of zeros deflate to about 20 KB (more than 1000:1)."""
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("bag/readme.txt", b"a harmless file")
        zf.writestr("bag/zeros.bin", bytes(20 << 20))
    assert codes(path) == ["zip-bomb"]


def test_many_small_members_that_together_are_a_bomb(tmp_path: Path) -> None:
    """Each member below 1 MiB escapes the per-member ratio; the whole archive does not."""
    path = write_zip(tmp_path / "small.zip", {f"bag/{n}": b"x" for n in range(3)})
    for n in range(3):
        patch_central(path, f"bag/{n}", file_size=1000 * 1024)
    assert path.stat().st_size * limits.MAX_RATIO < 3 * 1000 * 1024
    assert codes(path) == ["zip-bomb"]


def test_overlapping_entries(tmp_path: Path) -> None:
    """Two directory entries on the same local header (the CVE-2024-0450 kind of bomb)."""
    path = write_zip(tmp_path / "overlap.zip", {"bag/a": b"a" * 100, "bag/b": b"b" * 100})
    patch_central(path, "bag/b", header_offset=0)
    assert codes(path) == ["zip-overlap"]


def test_data_that_runs_into_the_next_entry(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "long.zip", {"bag/a": b"a" * 100, "bag/b": b"b" * 100})
    patch_central(path, "bag/a", compress_size=150, file_size=150)
    assert codes(path) == ["zip-overlap"]


def test_lines_are_limited() -> None:
    stream = io.BytesIO(b"short\n" + b"x" * 100 + b"\nrest")
    assert read_line(stream, limit=10) == b"short\n"
    with pytest.raises(LineTooLongError):
        read_line(stream, limit=10)
    assert list(iter_lines(io.BytesIO(b"a\nb\n"), limit=10)) == [b"a\n", b"b\n"]
    assert list(iter_lines(io.BytesIO(b"1234567890"), limit=10)) == [b"1234567890"]
    with pytest.raises(LineTooLongError):
        list(iter_lines(io.BytesIO(b"12345678901"), limit=10))


# -- XML ---------------------------------------------------------------------------


def message(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<xdomea:Aussonderung.Aussonderung.0503 xmlns:xdomea="{NS}">'
        f"<xdomea:Kopf>{body}</xdomea:Kopf>"
        f"</xdomea:Aussonderung.Aussonderung.0503>"
    ).encode()


def test_schema_check_refuses_a_huge_text_node(tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    path.write_bytes(message("<xdomea:ProzessID>" + "x" * 11_000_000 + "</xdomea:ProzessID>"))
    errors = schema_errors(path)
    assert len(errors) == 1 and errors[0].startswith("too large to read"), errors
    assert "10 MB" in errors[0]


def test_schema_check_refuses_deep_nesting(tmp_path: Path) -> None:
    path = tmp_path / "deep.xml"
    path.write_bytes(message("<a>" * 300 + "</a>" * 300))
    errors = schema_errors(path)
    assert len(errors) == 1 and errors[0].startswith("too large to read"), errors
    assert "256" in errors[0]


def test_schema_check_limits_the_text_of_one_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("eakte.export._schema.MAX_XML_PART", 100_000)
    path = tmp_path / "part.xml"
    path.write_bytes(message("<a>" + "x" * 60_000 + "</a><b>" + "y" * 60_000 + "</b>"))
    errors = schema_errors(path)
    assert len(errors) == 1 and errors[0].startswith("too large to read"), errors
    assert "one part holds more than" in errors[0]


def test_import_reader_refuses_a_huge_text_node(tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    path.write_bytes(message("<xdomea:ProzessID>" + "x" * 11_000_000 + "</xdomea:ProzessID>"))
    with pytest.raises(XdomeaError, match="too large to read"):
        read_message(path)


def test_a_deflated_member_never_yields_more_than_declared(tmp_path: Path) -> None:
    """What check_archive relies on: zipfile stops at the declared size."""
    assert len(zlib.compress(bytes(1 << 20))) < 2000
    path = write_zip(tmp_path / "z.zip", {"bag/z": bytes(1 << 20)}, zipfile.ZIP_DEFLATED)
    patch_central(path, "bag/z", file_size=1000)
    got = 0
    with zipfile.ZipFile(path) as zf, zf.open("bag/z") as stream:
        try:
            while chunk := stream.read(100):
                got += len(chunk)
        except zipfile.BadZipFile:  # the CRC of the first 1000 bytes is not the member's
            pass
    assert got <= 1000
