"""docs/auditor-guide.md, "Without eakte": its shell blocks, run exactly as written
(placeholders filled in from a real package) with unzip, sha256sum and openssl.

On a fresh package every command succeeds. Then one file at a time is tampered
with, and the bag's checksum lists are recomputed (as a forger would), so that
fixity alone cannot catch it: exactly the commands that guard that part fail.
The guide's table of finding codes must match the codes ``eakte verify`` uses.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eakte import records as svc
from eakte.records import VersionInput
from tests.integration.export.conftest import ExportWorld, make_package
from tests.services.postgres import missing_service

ROOT = Path(__file__).resolve().parents[3]
GUIDE = ROOT / "docs" / "auditor-guide.md"
VERIFIER = ROOT / "eakte" / "export"
TOOLS = ("sh", "unzip", "sha256sum", "openssl", "grep", "tail", "ls")
PLACEHOLDER = re.compile(r"<[A-Z]+>")
# a distinctive piece of each checking command (see the guide)
TAG_FIXITY = "sha256sum -c tagmanifest-sha256.txt"
FIXITY = "sha256sum -c manifest-sha256.txt"
SIGNATURE = "-sigfile data/eakte/versions/"
CONTENT = '"content_sha256"'
PDFA = '"pdfa"'
VERSION_CHAIN = '"previous_manifest_sha256"'
FINGERPRINT = "tail -c 32"
CHECKPOINT = "-sigfile data/eakte/audit/checkpoints/"
CHAIN = "while read -r seq format prev digest hash"
OLD_KEY = '"action":"key.rotated"'
PER_SEGMENT = (CHECKPOINT, CHAIN, "envelope.json")  # Step 6, run once per chain file
SHELL = {"cd", "echo", "printf", "exit", "[", "if", "fi", "while", "done"}  # POSIX sh itself


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: what is checked here is the package, not the database."""
    target = tmp_path / "eakte.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="module")
def tools() -> None:
    """The guide's tools (a failure under CI=true, a skip elsewhere)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        missing_service(f"Not installed: {', '.join(missing)} (needed by the auditor guide)")
    version = subprocess.run(["openssl", "version"], capture_output=True, text=True, check=False)
    if not re.match(r"OpenSSL [3-9]\.", version.stdout):
        missing_service(f"The guide needs OpenSSL 3 for Ed25519, found {version.stdout!r}")


def guide_blocks() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index("\n## Without eakte\n")
    end = text.find("\n## ", start + 1)
    return re.findall(r"```sh\n(.*?)```", text[start : end if end > 0 else None], re.DOTALL)


@dataclass(frozen=True)
class Package:
    path: Path
    values: dict[str, str]  # placeholder -> value, for the main segment
    segments: list[dict[str, str]]  # per chain file: <FIRST>, <LAST>, <ANCHOR>


@pytest.fixture
def package(tools: None, export_world: ExportWorld, tmp_path: Path) -> Package:
    """The Akte of the export world, with the scan given a second version that has
    a PDF/A rendition: one version shows original, PDF/A and version chain."""
    world = export_world
    anna = world.who("anna")
    (first,) = svc.list_versions(world.records, anna, world.scan)
    svc.add_version(
        world.records,
        anna,
        world.scan,
        (ROOT / "tests" / "fixtures" / "scan.pdf").read_bytes() + b"\n% second version\n",
        VersionInput(
            "scan-2.pdf", "application/pdf", renditions={"pdfa": (first.renditions or {})["pdfa"]}
        ),
    )
    path = make_package(world.records, tmp_path, akte=[world.akte])
    with zipfile.ZipFile(path) as zf:
        (bag,) = {name.split("/")[0] for name in zf.namelist()}
        index = json.loads(zf.read(f"{bag}/data/eakte/package.json"))

        def segment(first: int, last: int) -> dict[str, str]:
            envelope = json.loads(
                zf.read(f"{bag}/data/eakte/audit/checkpoints/{last:010d}.envelope.json")
            )
            return {
                "<FIRST>": f"{first:010d}",
                "<LAST>": f"{last:010d}",
                "<ANCHOR>": envelope["key_id"],
            }

        segments = {s["purpose"]: s for s in index["audit"]["segments"]}
        main = segment(segments["records"]["first"], segments["records"]["last"])
        others = [
            segment(s["first"], s["last"])
            for s in index["audit"]["segments"]
            if s["purpose"] != "records"
        ]
    (document,) = [d for d in index["documents"] if d["document_id"] == world.scan]
    version = document["versions"][-1]
    assert version["number"] == 2 and "pdfa" in version["files"]
    assert world.old_key in index["keys"] and others, "the package must need an older key"
    assert version["key_id"] == main["<ANCHOR>"]  # the newest version: the active key
    values = {
        "<DOC>": world.scan,
        "<N>": "2",
        "<PREV>": "1",
        "<KEY>": version["key_id"],
        "<FILE>": version["files"]["original"],
        "<PDFA>": version["files"]["pdfa"],
        "<OLDKEY>": world.old_key,
        **main,
    }
    return Package(path, values, others)


def fill(block: str, package: Path, values: dict[str, str]) -> str:
    text = block.replace("PACKAGE.zip", str(package))
    for name, value in values.items():
        text = text.replace(name, value)
    assert not PLACEHOLDER.search(text), f"unknown placeholder in {block!r}"
    return text


@dataclass(frozen=True)
class Outcome:
    block: str
    returncode: int
    output: str


def unpack(package: Package, workdir: Path) -> Path:
    """Step 1 as written; the bag folder the later steps run in."""
    workdir.mkdir()
    unzip = guide_blocks()[0]
    assert "unzip" in unzip and "cd " in unzip
    done = subprocess.run(
        ["sh", "-c", fill(unzip, package.path, package.values)],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (bag,) = (workdir / "pruefung").glob("eakte-export-*")
    return bag


def run_steps(bag: Path, package: Package, values: dict[str, str] | None = None) -> list[Outcome]:
    """Every block after the unzip, each in ``sh`` in the bag folder."""
    outcomes = []
    for block in guide_blocks()[1:]:
        done = subprocess.run(
            ["sh", "-c", fill(block, package.path, values or package.values)],
            cwd=bag,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        outcomes.append(Outcome(block, done.returncode, done.stdout + done.stderr))
    return outcomes


def failed(outcomes: list[Outcome]) -> set[str]:
    """The checks (by their distinctive piece) whose command failed."""
    names = (
        TAG_FIXITY,
        FIXITY,
        SIGNATURE,
        CONTENT,
        PDFA,
        VERSION_CHAIN,
        FINGERPRINT,
        CHECKPOINT,
        CHAIN,
        OLD_KEY,
    )
    result = set()
    for outcome in outcomes:
        if outcome.returncode != 0:
            found = [name for name in names if name in outcome.block]
            assert len(found) == 1, f"a failing command that checks nothing known:\n{outcome}"
            result.add(found[0])
    return result


def reseal(bag: Path) -> None:
    """Recompute both checksum lists, as someone covering their tracks would."""

    def listing(paths: list[str]) -> str:
        return "".join(
            f"{hashlib.sha256((bag / p).read_bytes()).hexdigest()}  {p}\n" for p in sorted(paths)
        )

    payload = [
        p.relative_to(bag).as_posix() for p in bag.joinpath("data").rglob("*") if p.is_file()
    ]
    (bag / "manifest-sha256.txt").write_text(listing(payload), encoding="utf-8")
    tags = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"]
    (bag / "tagmanifest-sha256.txt").write_text(listing(tags), encoding="utf-8")


def commands(block: str) -> set[str]:
    """The words in command position of a shell block (roughly, but enough here)."""
    plain = re.sub(r"'[^']*'", "''", block)
    plain = re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: m[0] if "$(" in m[0] else '""', plain)
    parts = re.split(r"\|\||&&|\$\(|[|;({\n]|\b(?:then|do|else)\b", plain)
    return {
        words[0]
        for words in (part.split() for part in parts)
        if words and "=" not in words[0] and words[0][0] not in ')}"'
    }


def test_the_guide_needs_only_unzip_sha256sum_and_openssl() -> None:
    blocks = guide_blocks()
    assert len(blocks) >= 10 and blocks[0].startswith("unzip -q PACKAGE.zip -d pruefung")
    used = {name for block in blocks for name in PLACEHOLDER.findall(block)}
    assert used == {"<DOC>", "<N>", "<PREV>", "<KEY>", "<FILE>", "<PDFA>", "<OLDKEY>"} | {
        "<FIRST>",
        "<LAST>",
        "<ANCHOR>",
    }
    programs = set().union(*map(commands, blocks)) - SHELL
    assert programs == {"unzip", "sha256sum", "openssl", "grep", "tail"}, programs


def test_a_fresh_package_passes_every_command(package: Package, tmp_path: Path) -> None:
    bag = unpack(package, tmp_path / "check")
    outcomes = run_steps(bag, package)
    assert failed(outcomes) == set(), "\n".join(map(str, outcomes))
    shown = "\n".join(o.output for o in outcomes)
    assert shown.count("Signature Verified Successfully") == 2  # a version, a checkpoint
    assert f"data/{package.values['<FILE>']}: OK" in shown
    assert f'"key_id":"{package.values["<KEY>"]}"' in shown
    assert "chain OK up to event" in shown
    for segment in package.segments:  # Step 6 again for each key segment
        values = {**package.values, **segment}
        again = [
            o for o in run_steps(bag, package, values) if any(p in o.block for p in PER_SEGMENT)
        ]
        assert len(again) == 3 and not failed(again), "\n".join(map(str, again))


def _edit(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data, (path, old)
    path.write_bytes(data.replace(old, new, 1))


def _foreign_key(bag: Path, values: dict[str, str]) -> None:
    """Replace the version's key by a foreign one and re-sign the manifest with it."""
    foreign = Ed25519PrivateKey.generate()
    pem = foreign.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (bag / f"data/eakte/keys/{values['<KEY>']}.pem").write_bytes(pem)
    version = bag / f"data/eakte/versions/{values['<DOC>']}/{values['<N>']}"
    manifest = version / "manifest.json"
    _edit(manifest, b'"scan-2.pdf"', b'"scan-X.pdf"')
    (version / "manifest.sig").write_bytes(foreign.sign(manifest.read_bytes()))


def _change_original(bag: Path, v: dict[str, str]) -> None:
    _edit(bag / f"data/{v['<FILE>']}", b"%PDF", b"%PDX")


def _swap_pdfa(bag: Path, v: dict[str, str]) -> None:
    shutil.copy(bag / f"data/{v['<FILE>']}", bag / f"data/{v['<PDFA>']}")


def _edit_manifest(bag: Path, v: dict[str, str]) -> None:
    path = bag / f"data/eakte/versions/{v['<DOC>']}/{v['<N>']}/manifest.json"
    _edit(path, b'"scan-2.pdf"', b'"scan-X.pdf"')


def _edit_previous_manifest(bag: Path, v: dict[str, str]) -> None:
    path = bag / f"data/eakte/versions/{v['<DOC>']}/{v['<PREV>']}/manifest.json"
    _edit(path, b'"scan.pdf"', b'"scanX.pdf"')


def _edit_event(bag: Path, v: dict[str, str]) -> None:
    _edit(bag / f"data/eakte/audit/events/{v['<FIRST>']}.json", b'"actor":"', b'"actor":"x')


def _edit_event_and_chain(bag: Path, v: dict[str, str]) -> None:
    """The event edited and its own and every following line of the chain file rewritten
    to follow it (new digest, new hashes), as an attacker would."""
    event = bag / f"data/eakte/audit/events/{v['<FIRST>']}.json"
    _edit(event, b'"actor":"', b'"actor":"x')
    chain = bag / f"data/eakte/audit/chain-{v['<FIRST>']}-{v['<LAST>']}.txt"
    lines = [line.split(" ") for line in chain.read_text(encoding="ascii").splitlines()]
    lines[0][3] = hashlib.sha256(event.read_bytes()).hexdigest()
    for before, line in zip([None, *lines], lines, strict=False):
        assert line[1] == "2"
        if before is not None:
            line[2] = before[4]
        line[4] = hashlib.sha256(f"{line[2]}\n{line[3]}\n".encode()).hexdigest()
    chain.write_text("".join(" ".join(line) + "\n" for line in lines), encoding="ascii")


def _edit_checkpoint(bag: Path, v: dict[str, str]) -> None:
    path = bag / f"data/eakte/audit/checkpoints/{v['<LAST>']}.json"
    _edit(path, b'"head_hash":"', b'"head_hash":"0')


def _drop_key_event(bag: Path, v: dict[str, str]) -> None:
    for path in bag.glob("data/eakte/audit/events/*.json"):
        if b'"action":"key.rotated"' in path.read_bytes():
            path.unlink()


Tamper = Callable[[Path, dict[str, str]], None]
# what is done, whether the checksum lists are recomputed after it, which checks fail
TAMPERING: dict[str, tuple[Tamper, bool, set[str]]] = {
    "original changed, lists untouched": (_change_original, False, {FIXITY, CONTENT}),
    "original changed": (_change_original, True, {CONTENT}),
    "PDF/A swapped for another file": (_swap_pdfa, True, {PDFA}),
    "manifest edited": (_edit_manifest, True, {SIGNATURE}),
    "previous version's manifest edited": (_edit_previous_manifest, True, {VERSION_CHAIN}),
    # <KEY> is the anchor too, so the checkpoint no longer verifies either
    "re-signed with a foreign key": (_foreign_key, True, {FINGERPRINT, CHECKPOINT}),
    "audit event edited": (_edit_event, True, {CHAIN}),
    # the signed checkpoint's head_hash is the one thing that cannot be rewritten
    "audit event edited with all following chain lines": (_edit_event_and_chain, True, {CHAIN}),
    "checkpoint edited": (_edit_checkpoint, True, {CHECKPOINT, CHAIN}),
    "key.rotated event removed": (_drop_key_event, True, {OLD_KEY}),
}


def test_tampering_makes_the_guarding_commands_fail(package: Package, tmp_path: Path) -> None:
    for number, (name, (tamper, resealed, expected)) in enumerate(TAMPERING.items()):
        bag = unpack(package, tmp_path / f"case-{number}")
        tamper(bag, package.values)
        if resealed:
            reseal(bag)
        outcomes = run_steps(bag, package)
        assert failed(outcomes) == expected, f"{name}:\n" + "\n".join(map(str, outcomes))


def test_the_guide_names_every_finding_code() -> None:
    code = re.compile(r"(?:error|warning)\(\s*\"([a-z0-9]+(?:-[a-z0-9]+)+)\"")
    used = {
        found
        for path in [*VERIFIER.glob("_verify*.py"), VERIFIER / "_limits.py"]
        for found in code.findall(path.read_text(encoding="utf-8"))
    }
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("### What the findings mean") : text.index("\n## Without eakte")]
    documented = set(re.findall(r"^\| `([a-z0-9-]+)`", section, re.MULTILINE))
    assert used, "no finding codes found in eakte/export/_verify*.py"
    assert not used - documented, f"undocumented finding codes: {sorted(used - documented)}"
    assert not documented - used, (
        f"documented codes eakte does not use: {sorted(documented - used)}"
    )
