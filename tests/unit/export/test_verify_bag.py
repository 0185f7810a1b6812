"""The ZIP and BagIt checks of ``eakte verify PACKAGE`` on small hand-made bags."""

from __future__ import annotations

import hashlib
import stat
import zipfile
from pathlib import Path

import pytest

from eakte.export._verify_bag import Bag, open_bag
from eakte.signing._findings import Finding

ROOT = "eakte-export-0"


def bag_files(payload: dict[str, bytes]) -> dict[str, bytes]:
    """A valid bag around ``payload`` (paths relative to the bag, under data/)."""
    files = {"bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", **payload}
    files["manifest-sha256.txt"] = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {path}\n" for path, data in sorted(payload.items())
    ).encode()
    size = sum(len(d) for d in payload.values())
    files["bag-info.txt"] = f"Payload-Oxum: {size}.{len(payload)}\n".encode()
    files["tagmanifest-sha256.txt"] = "".join(
        f"{hashlib.sha256(files[p]).hexdigest()}  {p}\n"
        for p in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt")
    ).encode()
    return files


def check(tmp_path: Path, files: dict[str, bytes], root: str = ROOT) -> tuple[Bag | None, set[str]]:
    path = tmp_path / "bag.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(f"{root}/{name}" if root else name, data)
    with zipfile.ZipFile(path) as zf:
        bag, findings = open_bag(zf, None)
        return bag, codes(findings)


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


PAYLOAD = {"data/a.txt": b"alpha", "data/eakte/b.json": b"{}"}


def test_valid_bag(tmp_path: Path) -> None:
    bag, found = check(tmp_path, bag_files(PAYLOAD))
    assert found == set()
    assert bag is not None and bag.sha256("data/a.txt") == hashlib.sha256(b"alpha").hexdigest()
    with zipfile.ZipFile(tmp_path / "bag.zip") as zf:
        bag.zip = zf
        assert bag.read("data/a.txt") == b"alpha"
        with pytest.raises(ValueError, match="larger"):
            bag.read("data/a.txt", limit=3)
        with pytest.raises(KeyError):
            bag.read("data/none.txt")


def test_changed_missing_and_unlisted_files(tmp_path: Path) -> None:
    files = bag_files(PAYLOAD)
    files["data/a.txt"] = b"ALPHA"
    del files["data/eakte/b.json"]
    files["data/extra.txt"] = b"x"
    _, found = check(tmp_path, files)
    assert {"bag-fixity-mismatch", "bag-file-missing", "bag-file-unlisted"} <= found
    assert "bag-oxum-mismatch" in found  # 5+1 bytes in 2 files, but the files changed


def test_payload_oxum(tmp_path: Path) -> None:
    files = bag_files(PAYLOAD)
    files["bag-info.txt"] = b"Payload-Oxum: 1.1\n"
    _, found = check(tmp_path, files)
    assert "bag-oxum-mismatch" in found
    assert "bag-fixity-mismatch" in found  # the tag manifest covers bag-info.txt


def test_declaration_and_manifest_lines(tmp_path: Path) -> None:
    files = bag_files(PAYLOAD)
    files["bagit.txt"] = b"BagIt-Version: 0.97\n"
    files["manifest-sha256.txt"] += b"not a manifest line\n"
    _, found = check(tmp_path, files)
    assert {"bagit-declaration-invalid", "bag-manifest-malformed"} <= found


@pytest.mark.parametrize("root", ["", "one/../two"])
def test_no_single_bag_folder(tmp_path: Path, root: str) -> None:
    bag, found = check(tmp_path, bag_files(PAYLOAD), root=root)
    assert bag is None or "zip-unsafe-path" in found
    assert found & {"bag-root-invalid", "zip-unsafe-path"}


def test_symlink_entry(tmp_path: Path) -> None:
    path = tmp_path / "bag.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in bag_files(PAYLOAD).items():
            zf.writestr(f"{ROOT}/{name}", data)
        link = zipfile.ZipInfo(f"{ROOT}/data/link")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    with zipfile.ZipFile(path) as zf:
        _, findings = open_bag(zf, None)
    assert "zip-symlink" in codes(findings)


def test_progress_reaches_the_total(tmp_path: Path) -> None:
    path = tmp_path / "bag.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in bag_files(PAYLOAD).items():
            zf.writestr(f"{ROOT}/{name}", data)
    seen: list[tuple[int, int]] = []
    with zipfile.ZipFile(path) as zf:
        open_bag(zf, lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] > 0
