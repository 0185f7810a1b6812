"""``eakte verify PACKAGE`` on hostile ZIPs: bombs, overlapping entries, over-long lines,
oversized XML; and the plain words of its messages (bag root, --trusted-key, anchor).

Every limit stops the check with one clear finding, fast and without reading
the declared gigabytes (eakte/export/_limits.py).
"""

from __future__ import annotations

import base64
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from eakte.cli import main
from eakte.commands.verify import FINDINGS_EXIT_CODE
from eakte.export import _layout as layout
from eakte.export._verify_package import PackageReport, verify_package
from tests.integration.export.conftest import fix_bag_manifests, make_package, sqlite_world

Files = dict[str, bytes]
ROOT_DIR = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Package:
    path: Path
    root: str
    anchor: str

    def files(self) -> Files:
        with zipfile.ZipFile(self.path) as zf:
            return {
                info.filename[len(self.root) + 1 :]: zf.read(info)
                for info in zf.infolist()
                if not info.is_dir()
            }

    def write(
        self, out: Path, files: Files, *, extra: Callable[[zipfile.ZipFile], None] | None = None
    ) -> Path:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for path, data in files.items():
                zf.writestr(f"{self.root}/{path}", data)
            if extra is not None:
                extra(zf)
        return out


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Package]:
    folder = tmp_path_factory.mktemp("verify-limits")
    with sqlite_world(folder, sqlite_template) as (records, world):
        path = make_package(records, folder)
    with zipfile.ZipFile(path) as zf:
        (root,) = {name.split("/", 1)[0] for name in zf.namelist()}
    yield Package(path, root, world.new_key)


def codes(report: PackageReport) -> list[str]:
    return sorted(f.code for f in report.findings if f.severity == "error")


def message_of(report: PackageReport, code: str) -> str:
    return next(f.message for f in report.findings if f.code == code)


def message_path(files: Files) -> str:
    index = json.loads(files[layout.PACKAGE_JSON])
    return f"data/{index['message']}"


# -- the archive as a whole ------------------------------------------------------------


def test_a_clean_package_passes_the_limits(package: Package) -> None:
    report = verify_package(package.path)
    assert report.ok, report.findings


def test_package_json_bomb_is_refused_fast_and_small(package: Package, tmp_path: Path) -> None:
    """The reviewer's bomb: 200 MiB of spaces as package.json in a ZIP of ~200 KB. Verify
    (in its own process, to measure its peak memory) refuses it before reading a byte."""
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{package.root}/bagit.txt", package.files()[layout.BAGIT_TXT])
        with zf.open(f"{package.root}/{layout.PACKAGE_JSON}", "w", force_zip64=True) as out:
            chunk = b" " * (1 << 20)
            for _ in range(200):
                out.write(chunk)
            out.write(b"{}")
    assert bomb.stat().st_size < 400_000
    script = (
        "import json, re, sys, time\n"
        "from pathlib import Path\n"
        "from eakte.export._verify_package import verify_package\n"
        "start = time.monotonic()\n"
        "report = verify_package(Path(sys.argv[1]))\n"
        "print(json.dumps({'codes': [f.code for f in report.findings],\n"
        "    'seconds': time.monotonic() - start,\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking pytest
        "    'rss_mb': int(re.search(r'VmHWM:\\s+(\\d+)', Path('/proc/self/status')"
        ".read_text()).group(1)) / 1024}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(bomb)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT_DIR,
        env={**os.environ, "PYTHONPATH": str(ROOT_DIR)},
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["codes"] == ["zip-bomb"], result
    assert result["seconds"] < 5, result
    assert result["rss_mb"] < 300, result  # the 200 MiB were never read


def test_package_json_over_its_limit(package: Package, monkeypatch: pytest.MonkeyPatch) -> None:
    """package.json is read into memory only up to MAX_PACKAGE_JSON (64 MiB)."""
    size = len(package.files()[layout.PACKAGE_JSON])
    monkeypatch.setattr("eakte.export._verify_package.MAX_PACKAGE_JSON", size - 1)
    report = verify_package(package.path)
    assert codes(report) == ["package-too-large"]
    assert "package.json has" in message_of(report, "package-too-large")


def test_a_deflate_bomb_in_the_payload_stops_before_hashing(
    package: Package, tmp_path: Path
) -> None:
    files = package.files()
    zeros = bytes(100 << 20)
    files["data/bomb.bin"] = zeros
    fix_bag_manifests(files)  # listed and counted: only the limit can catch it
    path = package.write(tmp_path / "bomb.zip", files)
    start = time.monotonic()
    report = verify_package(path)
    assert codes(report) == ["zip-bomb"]
    assert [f.subject for f in report.findings] == [f"{package.root}/data/bomb.bin"]
    assert report.counts == {}  # nothing was hashed or read further
    assert time.monotonic() - start < 2


def test_total_size_limit_and_cli_option(package: Package, monkeypatch: pytest.MonkeyPatch) -> None:
    size = package.path.stat().st_size
    report = verify_package(package.path, max_total=size // 2)
    assert codes(report) == ["package-too-large"]
    assert report.counts == {}
    result = CliRunner().invoke(main, ["verify", "--max-gb", "0.00001", str(package.path)])
    assert result.exit_code == FINDINGS_EXIT_CODE, result.output
    assert "[package-too-large]" in result.output and "Checked" not in result.output
    monkeypatch.setenv("EAKTE_PACKAGE_MAX_GB", "0.00001")
    from_env = CliRunner().invoke(main, ["verify", str(package.path)])
    assert from_env.exit_code == FINDINGS_EXIT_CODE and "package-too-large" in from_env.output
    monkeypatch.setenv("EAKTE_PACKAGE_MAX_GB", "1")
    assert CliRunner().invoke(main, ["verify", str(package.path)]).exit_code == 0


def test_overlapping_entries(package: Package, tmp_path: Path) -> None:
    """A second directory entry on the first entry's bytes (what Python 3.11's zipfile
    does not catch, CVE-2024-0450): refused as overlapping before anything is read."""
    files = package.files()
    path = package.write(
        tmp_path / "overlap.zip",
        files,
        extra=lambda zf: zf.writestr(f"{package.root}/data/extra.txt", b"x" * 100),
    )
    data = bytearray(path.read_bytes())
    name = f"{package.root}/data/extra.txt".encode()
    at = data.index(b"PK\x01\x02")
    while data[at + 46 : at + 46 + len(name)] != name:
        at = data.index(b"PK\x01\x02", at + 4)
    struct.pack_into("<I", data, at + 42, 0)  # its local header: the first entry's
    path.write_bytes(bytes(data))
    report = verify_package(path)
    assert codes(report) == ["zip-overlap"]
    assert report.counts == {}


# -- lines ----------------------------------------------------------------------------


def test_an_over_long_manifest_line(package: Package, tmp_path: Path) -> None:
    files = package.files()
    files[layout.MANIFEST] += b"0" * 64 + b"  data/" + b"x" * 100_000 + b"\n"
    report = verify_package(package.write(tmp_path / "line.zip", files))
    assert "bag-manifest-malformed" in codes(report)
    assert "longer than 65,536 bytes" in message_of(report, "bag-manifest-malformed")


def test_a_manifest_with_more_lines_than_files(package: Package, tmp_path: Path) -> None:
    files = package.files()
    files[layout.MANIFEST] += b"".join(
        b"0" * 64 + f"  data/nothing-{n}\n".encode() for n in range(len(files) + 2)
    )
    report = verify_package(package.write(tmp_path / "lines.zip", files))
    assert "more lines than the package has files" in message_of(report, "bag-manifest-malformed")
    assert "bag-file-missing" not in codes(report)  # stopped, not one finding per line


def test_an_over_long_chain_line(package: Package, tmp_path: Path) -> None:
    files = package.files()
    chain = next(p for p in files if p.startswith("data/eakte/audit/chain-"))
    lines = files[chain].splitlines(keepends=True)
    files[chain] = b"".join(lines[:1]) + b"9" * 100_000 + b"\n" + b"".join(lines[2:])
    fix_bag_manifests(files)
    report = verify_package(package.write(tmp_path / "chain.zip", files))
    assert "audit-chain-malformed" in codes(report)
    assert "longer than 65,536 bytes" in message_of(report, "audit-chain-malformed")


def test_a_chain_file_with_more_lines_than_its_segment(package: Package, tmp_path: Path) -> None:
    files = package.files()
    chain = next(p for p in files if p.startswith("data/eakte/audit/chain-"))
    files[chain] += files[chain].splitlines(keepends=True)[-1] * 5
    fix_bag_manifests(files)
    report = verify_package(package.write(tmp_path / "chain.zip", files))
    assert "the file has more lines" in message_of(report, "audit-chain-malformed")


# -- the xdomea message -----------------------------------------------------------------


def _with_message_text(package: Package, tmp_path: Path, text: bytes) -> PackageReport:
    files = package.files()
    path = message_path(files)
    old = files[path]
    end = old.index(b"</xdomea:Kopf>")
    files[path] = old[:end] + text + old[end:]
    fix_bag_manifests(files)
    return verify_package(package.write(tmp_path / "message.zip", files))


def test_a_huge_text_node_in_the_message(package: Package, tmp_path: Path) -> None:
    """11 MB of random text (it compresses poorly, so no bomb): lxml's 10 MB text limit
    stays on (no huge_tree); one clear finding, not a schema error list."""
    noise = base64.b64encode(os.urandom(8_300_000))
    report = _with_message_text(package, tmp_path, b"<x>" + noise + b"</x>")
    assert "xdomea-malformed" in codes(report)
    assert "xdomea-schema-invalid" not in codes(report)
    assert "too large to read" in message_of(report, "xdomea-malformed")


def test_deep_nesting_in_the_message(package: Package, tmp_path: Path) -> None:
    report = _with_message_text(package, tmp_path, b"<x>" * 300 + b"</x>" * 300)
    assert "xdomea-malformed" in codes(report)
    assert "xdomea-schema-invalid" not in codes(report)
    assert "256" in message_of(report, "xdomea-malformed")


# -- messages -------------------------------------------------------------------------


def test_bag_root_names_the_problem(package: Package, tmp_path: Path) -> None:
    files = package.files()
    loose = package.write(
        tmp_path / "loose.zip", files, extra=lambda zf: zf.writestr("README.txt", b"hi")
    )
    result = CliRunner().invoke(main, ["verify", str(loose)])
    assert result.exit_code == FINDINGS_EXIT_CODE
    assert "a file at the top level ('README.txt')" in result.output
    assert "Checked 0 documents" not in result.output
    two = package.write(
        tmp_path / "two.zip", files, extra=lambda zf: zf.writestr("other/x.txt", b"hi")
    )
    report = verify_package(two)
    assert codes(report) == ["bag-root-invalid"]
    assert "2 top-level folders" in message_of(report, "bag-root-invalid")


def test_a_malformed_trusted_key_is_one_clear_error(package: Package) -> None:
    result = CliRunner().invoke(main, ["verify", "--trusted-key", "deadbeef", str(package.path)])
    assert result.exit_code == FINDINGS_EXIT_CODE, result.output
    assert "trusted-key-invalid" in result.output
    assert "anchor-key-untrusted" not in result.output
    report = verify_package(package.path, ["deadbeef"])
    assert codes(report) == ["trusted-key-invalid"]
    mixed = verify_package(package.path, ["deadbeef", package.anchor])
    assert codes(mixed) == ["trusted-key-invalid"] and mixed.anchor_trusted is True


def test_without_trusted_key_the_anchor_is_unconfirmed(package: Package) -> None:
    plain = CliRunner().invoke(main, ["verify", str(package.path)])
    assert plain.exit_code == 0, plain.output
    last = plain.output.strip().splitlines()[-1]
    assert last.startswith("OK:") and "trust anchor is unconfirmed" in last
    trusted = CliRunner().invoke(
        main, ["verify", "--trusted-key", package.anchor, str(package.path)]
    )
    assert trusted.output.strip().splitlines()[-1] == "OK: the package is complete and unaltered."
    data = json.loads(CliRunner().invoke(main, ["verify", "--json", str(package.path)]).output)
    assert data["ok"] is True and data["anchor_trusted"] is None
    assert data["anchor_confirmed"] is False
