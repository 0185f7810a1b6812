"""``eakte verify PACKAGE.zip`` works offline and names each kind of tampering.

One package is exported per module (an installation with a key rotation, an
OCR ingest with PDF/A, Vorgänge and Posteingang); each test rewrites a copy
of it the way an attacker would, fixing the bag manifests where that hides
the change from BagIt, and checks the finding verify names.
"""

from __future__ import annotations

import base64
import json
import shutil
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from lxml import etree

from eakte.cli import main
from eakte.commands.verify import FINDINGS_EXIT_CODE
from eakte.export import _layout as layout
from eakte.export._verify_package import PackageReport, verify_package
from eakte.signing import canonical_json, key_id_for, link_hash, sha256_hex
from tests.integration.export.conftest import (
    ExportWorld,
    fix_bag_manifests,
    make_package,
    sqlite_world,
)

Files = dict[str, bytes]  # path inside the bag -> bytes
READS_IN_63 = 40  # events left out of the Akte's package between its events and its export


@dataclass(frozen=True)
class Exported:
    world: ExportWorld
    path: Path  # everything
    root: str  # its bag folder
    akte: Path  # only the Akte in 32 (other units' events lie between its events and after)

    def files(self) -> Files:
        with zipfile.ZipFile(self.path) as zf:
            return {
                info.filename[len(self.root) + 1 :]: zf.read(info)
                for info in zf.infolist()
                if not info.is_dir()
            }

    def index(self, files: Files) -> dict[str, Any]:
        return json.loads(files[layout.PACKAGE_JSON])


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Exported]:
    folder = tmp_path_factory.mktemp("verify-package")
    with sqlite_world(folder, sqlite_template) as (records, world):
        path = make_package(records, folder)
        with records.transaction() as session:  # work in 63 before the Akte is exported
            for _ in range(READS_IN_63):
                records.audit.append(
                    session,
                    actor="bauer",
                    action="document.read",
                    object_type="document",
                    object_id=world.other_document,
                )
        akte = make_package(records, folder, name="akte.zip", akte=[world.akte])
    with zipfile.ZipFile(path) as zf:
        (root,) = {name.split("/", 1)[0] for name in zf.namelist()}
    yield Exported(world, path, root, akte)


def rewrite(exported: Exported, out: Path, change: Callable[[Files], None], fix_bag: bool) -> Path:
    """A copy of the package with ``change`` applied; ``fix_bag``: re-hash the bag manifests."""
    files = exported.files()
    change(files)
    if fix_bag:
        fix_bag_manifests(files)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            zf.writestr(f"{exported.root}/{path}", data)
    return out


def codes(report: PackageReport) -> set[str]:
    return {f.code for f in report.findings if f.severity == "error"}


def subjects(report: PackageReport, code: str) -> list[str]:
    return [f.subject for f in report.findings if f.code == code]


def document(index: dict[str, Any], document_id: str) -> dict[str, Any]:
    return next(d for d in index["documents"] if d["document_id"] == document_id)


# -- a clean package -------------------------------------------------------------


def test_clean_package_verifies(exported: Exported) -> None:
    report = verify_package(exported.path)
    assert report.ok, report.findings
    assert codes(report) == set()
    world = exported.world
    assert report.anchor_key == world.new_key
    anchored = {k.key_id: k.anchored for k in report.keys}
    assert anchored[world.old_key] and anchored[world.new_key]
    assert report.counts["documents"] == len(exported.index(exported.files())["documents"])


def test_partial_package_verifies(exported: Exported) -> None:
    """Events of objects outside the Akte lie between its events; the package's checkpoints
    still prove every included event."""
    report = verify_package(exported.akte)
    assert report.ok, report.findings
    assert report.findings == []


def test_cli_json_offline_without_settings(
    exported: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No EAKTE_* settings and a data dir that cannot exist: verify must not need them."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir would be")
    monkeypatch.setenv("EAKTE_DATA_DIR", str(blocker / "var"))
    monkeypatch.setenv("EAKTE_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    result = CliRunner().invoke(main, ["verify", "--json", str(exported.path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"ok", "counts", "keys", "findings"}
    assert data["ok"] is True
    assert data["anchor_key"] == exported.world.new_key
    assert all(set(f) == {"severity", "code", "subject", "message"} for f in data["findings"])
    assert not (blocker / "var").exists()


def test_cli_text_report_and_trusted_key(exported: Exported, tmp_path: Path) -> None:
    world = exported.world
    result = CliRunner().invoke(main, ["verify", str(exported.path)])
    assert result.exit_code == 0, result.output
    assert f"Trust anchor fingerprint: {world.new_key}" in result.output
    assert "OK:" in result.output
    pem = tmp_path / "anchor.pem"
    pem.write_bytes(exported.files()[layout.key_path(world.new_key)])
    trusted = CliRunner().invoke(main, ["verify", "--trusted-key", str(pem), str(exported.path)])
    assert trusted.exit_code == 0, trusted.output
    assert "is one of the trusted keys" in trusted.output
    wrong = CliRunner().invoke(main, ["verify", "--trusted-key", world.old_key, str(exported.path)])
    assert wrong.exit_code == FINDINGS_EXIT_CODE, wrong.output
    assert "anchor-key-untrusted" in wrong.output
    garbage = CliRunner().invoke(main, ["verify", "--trusted-key", "nonsense", str(exported.path)])
    assert garbage.exit_code == FINDINGS_EXIT_CODE and "trusted-key-invalid" in garbage.output
    quick = CliRunner().invoke(main, ["verify", "--quick", str(exported.path)])
    assert quick.exit_code == 2 and "--quick" in quick.output


@pytest.mark.parametrize("content", [b"", b"this is not a zip", b"truncated"])
def test_unreadable_package(exported: Exported, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.zip"
    path.write_bytes(exported.path.read_bytes()[:2000] if content == b"truncated" else content)
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert result.exit_code == FINDINGS_EXIT_CODE, result.output
    assert "package-unreadable" in result.output or "bag-" in result.output
    assert "FAILED" in result.output


# -- tampering -------------------------------------------------------------------


def primary(files: Files, exported: Exported, document_id: str, number: int) -> str:
    entry = document(exported.index(files), document_id)
    version = next(v for v in entry["versions"] if v["number"] == number)
    return f"data/{version['files']['original']}"


def test_corrupted_primary_file(exported: Exported, tmp_path: Path) -> None:
    letter = exported.world.letter

    def corrupt(files: Files) -> None:
        path = primary(files, exported, letter, 2)
        files[path] = files[path].replace(b"korrigiert", b"KORRIGIERT")

    report = verify_package(rewrite(exported, tmp_path / "p.zip", corrupt, fix_bag=False))
    assert "bag-fixity-mismatch" in codes(report)
    assert subjects(report, "content-hash-mismatch") == [f"document {letter} version 2"]
    fixed = verify_package(rewrite(exported, tmp_path / "q.zip", corrupt, fix_bag=True))
    assert codes(fixed) == {"content-hash-mismatch"}


def test_swapped_primary_files(exported: Exported, tmp_path: Path) -> None:
    world = exported.world

    def swap(files: Files) -> None:
        one, two = (
            primary(files, exported, world.letter, 1),
            primary(files, exported, world.bescheid, 1),
        )
        files[one], files[two] = files[two], files[one]

    report = verify_package(rewrite(exported, tmp_path / "p.zip", swap, fix_bag=True))
    assert sorted(subjects(report, "content-hash-mismatch")) == sorted(
        [f"document {world.letter} version 1", f"document {world.bescheid} version 1"]
    )


def test_removed_version(exported: Exported, tmp_path: Path) -> None:
    """The last version of the letter goes, package.json and bag fixed: its event remains."""
    letter = exported.world.letter

    def remove(files: Files) -> None:
        index = exported.index(files)
        entry = document(index, letter)
        last = max(entry["versions"], key=lambda v: v["number"])
        entry["versions"].remove(last)
        for name in last["files"].values():
            del files[f"data/{name}"]
        for path in [p for p in files if p.startswith(layout.version_dir(letter, last["number"]))]:
            del files[path]
        index["counts"]["versions"] -= 1
        index["counts"]["files"] -= len(last["files"])
        files[layout.PACKAGE_JSON] = canonical_json(index)

    report = verify_package(rewrite(exported, tmp_path / "p.zip", remove, fix_bag=True))
    assert f"document {letter} version 3" in subjects(report, "version-missing")
    assert "export-counts-mismatch" in codes(report)  # the signed export event counted it
    assert "xdomea-mismatch" in codes(report)  # the message still names the version


def test_edited_xml_file_name_is_detected(exported: Exported, tmp_path: Path) -> None:
    """A Dateiname of one version pointed at another's file, bag fixed: the XML disagrees."""
    world = exported.world

    def edit(files: Files) -> None:
        index = exported.index(files)
        name = index["message"]
        first = primary(files, exported, world.letter, 1).removeprefix("data/")
        second = primary(files, exported, world.letter, 2).removeprefix("data/")
        xml = files[f"data/{name}"].decode()
        element = f"<xdomea:Dateiname>{first}</xdomea:Dateiname>"
        assert xml.count(element) == 1
        edited = f"<xdomea:Dateiname>{second}</xdomea:Dateiname>"
        files[f"data/{name}"] = xml.replace(element, edited).encode()

    report = verify_package(rewrite(exported, tmp_path / "p.zip", edit, fix_bag=True))
    assert codes(report) == {"xdomea-mismatch", "xdomea-message-altered"}
    assert any(world.letter in s for s in subjects(report, "xdomea-mismatch"))


def test_edited_betreff_is_detected_against_the_audit_log(
    exported: Exported, tmp_path: Path
) -> None:
    """The Betreff is not signed itself, but the audit events record each title."""
    world = exported.world

    def edit(files: Files) -> None:
        name = exported.index(files)["message"]
        xml = files[f"data/{name}"].decode()
        element = "<xdomea:Betreff>Ablehnungsbescheid</xdomea:Betreff>"
        assert xml.count(element) == 1
        edited = element.replace("Ablehnungsbescheid", "Genehmigung")
        files[f"data/{name}"] = xml.replace(element, edited).encode()

    report = verify_package(rewrite(exported, tmp_path / "p.zip", edit, fix_bag=True))
    assert codes(report) == {"xdomea-mismatch", "xdomea-message-altered"}
    assert subjects(report, "xdomea-mismatch") == [f"Dokument {world.bescheid}"]
    unfixed = verify_package(rewrite(exported, tmp_path / "q.zip", edit, fix_bag=False))
    assert "bag-fixity-mismatch" in codes(unfixed)


def test_edited_audit_event(exported: Exported, tmp_path: Path) -> None:
    letter = exported.world.letter
    changed: list[int] = []

    def edit(files: Files) -> None:
        for seq in exported.index(files)["audit"]["events"]:
            event = json.loads(files[layout.event_path(seq)])
            if event["action"] == "document.created" and event["object_id"] == letter:
                details = json.loads(event["details"])
                details["title"] = "Etwas ganz anderes"
                event["details"] = canonical_json(details).decode()
                files[layout.event_path(seq)] = canonical_json(event)
                changed.append(seq)

    report = verify_package(rewrite(exported, tmp_path / "p.zip", edit, fix_bag=True))
    assert subjects(report, "audit-event-altered") == [f"audit event {changed[0]}"]


def test_manifest_resigned_with_a_foreign_key(exported: Exported, tmp_path: Path) -> None:
    """A version's manifest edited and re-signed with a fresh key that is added to keys/."""
    letter = exported.world.letter
    foreign = Ed25519PrivateKey.generate()
    foreign_id = key_id_for(foreign.public_key())

    def resign(files: Files) -> None:
        index = exported.index(files)
        version = document(index, letter)["versions"][-1]
        n = version["number"]
        manifest = json.loads(files[layout.manifest_path(letter, n)])
        manifest["created_by"] = "mallory"
        data = canonical_json(manifest)
        signature = foreign.sign(data)
        files[layout.manifest_path(letter, n)] = data
        files[layout.manifest_sig_path(letter, n)] = signature
        record = json.loads(files[layout.signature_record_path(letter, n)])
        record.update(
            key_id=foreign_id,
            manifest_sha256=sha256_hex(data),
            signature=base64.b64encode(signature).decode(),
        )
        files[layout.signature_record_path(letter, n)] = canonical_json(record)
        files[layout.key_path(foreign_id)] = foreign.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        index["keys"][foreign_id] = layout.relative_to_data(layout.key_path(foreign_id))
        version.update(key_id=foreign_id, manifest_sha256=sha256_hex(data))
        files[layout.PACKAGE_JSON] = canonical_json(index)

    report = verify_package(rewrite(exported, tmp_path / "p.zip", resign, fix_bag=True))
    subject = f"document {letter} version 3"
    assert subjects(report, "key-not-anchored") == [subject]
    assert subjects(report, "version-audit-mismatch") == [subject]
    assert {k.key_id: k.anchored for k in report.keys}[foreign_id] is None


def exported_index(files: Files) -> dict[str, Any]:
    return json.loads(files[layout.PACKAGE_JSON])


def rewrite_event(files: Files, seq: int, title: str) -> None:
    """Give event ``seq`` another title and rewrite its chain line and every line after it
    to follow (new digest, new hashes), as an attacker would; only the signed checkpoints
    cannot be rewritten."""
    event = json.loads(files[layout.event_path(seq)])
    details = json.loads(event["details"])
    details["title"] = title
    event["details"] = canonical_json(details).decode()
    data = canonical_json(event)
    files[layout.event_path(seq)] = data
    for path in [p for p in files if p.startswith("data/eakte/audit/chain-")]:
        lines = [line.split(" ") for line in files[path].decode().splitlines()]
        prev = None  # the line before, as rewritten
        for line in lines:  # <seq> <format> <prev_hash> <digest> <hash>
            assert line[1] == "2"
            if int(line[0]) == seq:
                line[3] = sha256_hex(data)
            if int(line[0]) >= seq:
                line[2] = prev or line[2]
                line[4] = link_hash(line[2], line[3])
            prev = line[4]
        files[path] = "".join(" ".join(line) + "\n" for line in lines).encode()


def first_checkpoint_after(files: Files, seq: int) -> int:
    return min(
        int(path.rsplit("/", 1)[1][:10])
        for path in files
        if path.startswith("data/eakte/audit/checkpoints/")
        and int(path.rsplit("/", 1)[1][:10]) >= seq
    )


def test_rewritten_chain_lines(exported: Exported, tmp_path: Path) -> None:
    """An event edited together with its own and all following chain lines: the signed
    checkpoint after it records another chain."""
    edited: list[int] = []

    def edit(files: Files) -> None:
        """The first included event the next event does not follow (in a full package: the
        first event)."""
        included = exported_index(files)["audit"]["events"]
        seq = next((s for s in included[:-1] if s + 1 not in included), included[0])
        rewrite_event(files, seq, "Etwas ganz anderes")
        edited.extend([seq, first_checkpoint_after(files, seq)])

    for package in (exported, partial(exported)):
        edited.clear()
        report = verify_package(rewrite(package, tmp_path / "p.zip", edit, fix_bag=True))
        assert f"audit event {edited[1]}" in subjects(report, "audit-checkpoint-contradicted")
        assert not report.ok


def test_sparse_checkpoints_prove_every_event(exported: Exported, tmp_path: Path) -> None:
    """Checkpoints are rare in production (every 100 events or 60 s): with only the
    segments' final checkpoints and many left-out events between an included event and
    its checkpoint, every event is still proven, and an edit of one together with its own
    and all following chain lines is detected."""
    edited: list[int] = []

    def thin_out(files: Files) -> None:
        index = exported_index(files)
        ends = {s["last"] for s in index["audit"]["segments"]}
        for path in [p for p in files if p.startswith("data/eakte/audit/checkpoints/")]:
            if int(path.rsplit("/", 1)[1][:10]) not in ends:
                del files[path]

    def thin_out_and_edit(files: Files) -> None:
        thin_out(files)
        index = exported_index(files)
        included = index["audit"]["events"]
        last = max(s["last"] for s in index["audit"]["segments"])  # the main segment's end
        seq = min(s for s in included if first_checkpoint_after(files, s) == last)
        left_out = set(range(seq, last + 1)) - set(included)
        assert len(left_out) > READS_IN_63
        rewrite_event(files, seq, "Etwas ganz anderes")
        edited.extend([seq, last])

    thin = verify_package(rewrite(partial(exported), tmp_path / "p.zip", thin_out, fix_bag=True))
    assert thin.findings == []
    edit = rewrite(partial(exported), tmp_path / "q.zip", thin_out_and_edit, fix_bag=True)
    report = verify_package(edit)
    assert subjects(report, "audit-checkpoint-contradicted") == [f"audit event {edited[1]}"]
    assert "anchor-missing" in codes(report)


def test_lines_passed_off_as_hash_format_1(exported: Exported, tmp_path: Path) -> None:
    """Format-1 lines of left-out events cannot be recomputed: an attacker edits an
    included event and relabels it and the left-out event after it as format 1 (keeping
    that one's hash), so the chain still reaches the signed checkpoint. The signed export
    event says where format 2 began, which unmasks the relabelled lines."""
    relabelled: list[int] = []

    def downgrade(files: Files) -> None:
        included = set(exported_index(files)["audit"]["events"])
        for path in [p for p in files if p.startswith("data/eakte/audit/chain-")]:
            lines = [line.split(" ") for line in files[path].decode().splitlines()]
            for n, line in enumerate(lines[:-1]):
                seq = int(line[0])
                if seq in included and int(lines[n + 1][0]) not in included and not relabelled:
                    event = json.loads(files[layout.event_path(seq)])
                    details = json.loads(event["details"])
                    details["title"] = "Etwas ganz anderes"
                    event["details"] = canonical_json(details).decode()
                    data = canonical_json({**event, "prev_hash": line[2]})  # format-1 bytes
                    files[layout.event_path(seq)] = data
                    line[1], line[3], line[4] = "1", "-", sha256_hex(data)
                    after = lines[n + 1]
                    after[1], after[2], after[3] = "1", line[4], "-"  # keeps its hash
                    relabelled.extend([seq, int(after[0])])
            files[path] = "".join(" ".join(line) + "\n" for line in lines).encode()

    report = verify_package(rewrite(partial(exported), tmp_path / "p.zip", downgrade, True))
    assert relabelled, "no included event followed by a left-out one"
    assert f"audit event {relabelled[1]}" in subjects(report, "audit-format-downgraded")
    assert not report.ok


def partial(exported: Exported) -> Exported:
    """The package of the Akte only, in the shape rewrite() takes."""
    return Exported(exported.world, exported.akte, _root(exported.akte), exported.akte)


def _root(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()[0].split("/", 1)[0]


def test_key_rotation_event_withheld(exported: Exported, tmp_path: Path) -> None:
    """Without the key.rotated event nothing vouches for the older key."""
    world = exported.world

    def withhold(files: Files) -> None:
        index = exported.index(files)
        for seq in list(index["audit"]["events"]):
            event = json.loads(files[layout.event_path(seq)])
            if event["action"] == "key.rotated":
                index["audit"]["events"].remove(seq)
                del files[layout.event_path(seq)]
        index["counts"]["audit_events"] = len(index["audit"]["events"])
        files[layout.PACKAGE_JSON] = canonical_json(index)

    report = verify_package(rewrite(exported, tmp_path / "p.zip", withhold, fix_bag=True))
    assert {f"document {world.letter} version 1", f"document {world.letter} version 2"} <= set(
        subjects(report, "key-not-anchored")
    )
    assert {k.key_id: k.anchored for k in report.keys}[world.old_key] is None


def test_forged_checkpoint_signature(exported: Exported, tmp_path: Path) -> None:
    """The final checkpoint's signature altered in .sig and envelope alike."""

    def forge(files: Files) -> None:
        last = max(s["last"] for s in exported.index(files)["audit"]["segments"])
        signature = bytearray(files[layout.checkpoint_sig_path(last)])
        signature[0] ^= 1
        files[layout.checkpoint_sig_path(last)] = bytes(signature)
        envelope = json.loads(files[layout.checkpoint_envelope_path(last)])
        envelope["signature"] = base64.b64encode(signature).decode()
        files[layout.checkpoint_envelope_path(last)] = canonical_json(envelope)

    report = verify_package(rewrite(exported, tmp_path / "p.zip", forge, fix_bag=True))
    assert {"checkpoint-signature-invalid", "anchor-missing"} <= codes(report)


def test_xml_extension_hash_edited(exported: Exported, tmp_path: Path) -> None:
    """eakte's extension in the message repeats each file's SHA-256: it must be the signed one."""
    world = exported.world

    def edit(files: Files) -> None:
        index = exported.index(files)
        version = document(index, world.bescheid)["versions"][0]
        name = f"data/{index['message']}"
        xml = files[name].decode()
        described = f'"role":"original","sha256":"{version["content_sha256"]}"'
        assert xml.count(described) == 1
        files[name] = xml.replace(described, described[:-65] + "0" * 64 + '"').encode()

    report = verify_package(rewrite(exported, tmp_path / "p.zip", edit, fix_bag=True))
    assert subjects(report, "xdomea-mismatch") == [f"Dokument {world.bescheid} Version 1"]


@pytest.mark.parametrize("extra", ["../evil.txt", "second-bag/bagit.txt", "/etc/passwd"])
def test_unsafe_zip_entries(exported: Exported, tmp_path: Path, extra: str) -> None:
    out = tmp_path / "p.zip"
    shutil.copy(exported.path, out)
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr(extra if extra.startswith("second") else f"{exported.root}/{extra}", b"x")
    report = verify_package(out)
    assert codes(report) & {"zip-unsafe-path", "bag-root-invalid"}
    assert not report.ok


def test_removed_document(exported: Exported, tmp_path: Path) -> None:
    """A whole document taken out (files, events, index, message, bag): the signed export
    event still counts it."""
    lageplan = exported.world.lageplan

    def remove(files: Files) -> None:
        index = exported.index(files)
        entry = document(index, lageplan)
        index["documents"].remove(entry)
        for version in entry["versions"]:
            for name in version["files"].values():
                del files[f"data/{name}"]
        for path in [p for p in files if p.startswith(f"data/eakte/versions/{lageplan}/")]:
            del files[path]
        for seq in list(index["audit"]["events"]):
            if json.loads(files[layout.event_path(seq)])["object_id"] == lageplan:
                index["audit"]["events"].remove(seq)
                del files[layout.event_path(seq)]
        counts = index["counts"]
        counts["documents"] -= 1
        counts["versions"] -= len(entry["versions"])
        counts["files"] -= sum(len(v["files"]) for v in entry["versions"])
        counts["audit_events"] = len(index["audit"]["events"])
        files[layout.PACKAGE_JSON] = canonical_json(index)
        name = f"data/{index['message']}"
        tree = etree.fromstring(files[name])
        (element,) = tree.xpath(
            "//xdomea:Dokument[xdomea:Identifikation/xdomea:ID = $id]",
            namespaces={"xdomea": "urn:xoev-de:xdomea:schema:3.0.0"},
            id=lageplan,
        )
        element.getparent().remove(element)
        files[name] = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")

    report = verify_package(rewrite(exported, tmp_path / "p.zip", remove, fix_bag=True))
    assert codes(report) == {
        "export-counts-mismatch",
        "export-versions-mismatch",
        "export-events-mismatch",
        "xdomea-message-altered",
    }


# -- the signed export event seals the message, the versions and the events ----------


def xdomea_message(files: Files) -> str:
    return f"data/{json.loads(files[layout.PACKAGE_JSON])['message']}"


def test_document_dropped_and_another_listed_twice(exported: Exported, tmp_path: Path) -> None:
    """The reviewer's attack: the Lageplan taken out completely (files, proof, events, its
    Dokument in the message), the letter listed twice so the numbers in package.json add up."""
    world = exported.world
    lageplan, letter = world.lageplan, world.letter
    dropped: list[int] = []

    def remove(files: Files) -> None:
        index = exported.index(files)
        entry = document(index, lageplan)
        for version in entry["versions"]:
            for name in version["files"].values():
                del files[f"data/{name}"]
        for path in [p for p in files if p.startswith(f"data/eakte/versions/{lageplan}/")]:
            del files[path]
        for seq in list(index["audit"]["events"]):
            if json.loads(files[layout.event_path(seq)])["object_id"] == lageplan:
                index["audit"]["events"].remove(seq)
                del files[layout.event_path(seq)]
                dropped.append(seq)
        index["documents"].remove(entry)
        twin = document(index, letter)
        index["documents"].append(twin)
        index["counts"]["audit_events"] = len(index["audit"]["events"])
        files[layout.PACKAGE_JSON] = canonical_json(index)
        name = xdomea_message(files)
        tree = etree.fromstring(files[name])
        (element,) = tree.xpath(
            "//xdomea:Dokument[xdomea:Identifikation/xdomea:ID = $id]",
            namespaces={"xdomea": "urn:xoev-de:xdomea:schema:3.0.0"},
            id=lageplan,
        )
        element.getparent().remove(element)
        files[name] = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")

    report = verify_package(rewrite(exported, tmp_path / "p.zip", remove, fix_bag=True))
    assert dropped
    assert subjects(report, "package-json-duplicate") == [f"document {letter}"]
    assert {
        "package-json-duplicate",
        "export-versions-mismatch",
        "export-events-mismatch",
        "export-counts-mismatch",
        "xdomea-message-altered",
    } <= codes(report)
    (counted,) = [f.message for f in report.findings if f.code == "export-counts-mismatch"]
    assert "documents" in counted and "content_bytes" in counted


def test_duplicate_entries_in_package_json(exported: Exported, tmp_path: Path) -> None:
    """A document, a version and an event listed twice, nothing else changed."""
    letter = exported.world.letter

    def duplicate(files: Files) -> None:
        index = exported.index(files)
        entry = document(index, letter)
        index["documents"].append(entry)
        bescheid = document(index, exported.world.bescheid)
        bescheid["versions"].append(bescheid["versions"][0])
        index["audit"]["events"].append(index["audit"]["events"][0])
        files[layout.PACKAGE_JSON] = canonical_json(index)

    report = verify_package(rewrite(exported, tmp_path / "p.zip", duplicate, fix_bag=True))
    first = exported.index(exported.files())["audit"]["events"][0]
    assert sorted(subjects(report, "package-json-duplicate")) == sorted(
        [
            f"document {letter}",
            f"document {exported.world.bescheid} version 1",
            f"audit event {first}",
        ]
    )


def test_audit_event_dropped(exported: Exported, tmp_path: Path) -> None:
    """The reviewer's attack: one event of an exported document (not the one that records a
    version) left out of package.json and the bag; its format-2 chain line proves itself."""
    letter = exported.world.letter
    dropped: list[int] = []

    def drop(files: Files) -> None:
        index = exported.index(files)
        for seq in index["audit"]["events"]:
            event = json.loads(files[layout.event_path(seq)])
            if event["object_id"] == letter and event["action"] != "document.version_added":
                dropped.append(seq)
                break
        index["audit"]["events"].remove(dropped[0])
        del files[layout.event_path(dropped[0])]
        index["counts"]["audit_events"] -= 1
        files[layout.PACKAGE_JSON] = canonical_json(index)

    report = verify_package(rewrite(exported, tmp_path / "p.zip", drop, fix_bag=True))
    assert codes(report) == {"export-events-mismatch", "export-counts-mismatch"}
    (finding,) = [f for f in report.findings if f.code == "export-events-mismatch"]
    assert finding.subject.startswith("export ")
    (counted,) = [f.message for f in report.findings if f.code == "export-counts-mismatch"]
    assert "audit_events" in counted


def test_edited_kennzeichen_in_the_message(exported: Exported, tmp_path: Path) -> None:
    """The reviewer's attack: a Kennzeichen with no audited counterpart (a document's
    reference) changed in the message, bag fixed: the export event sealed the message."""

    def edit(files: Files) -> None:
        name = xdomea_message(files)
        element = "<xdomea:Kennzeichen>32.10.05-0815/2024</xdomea:Kennzeichen>"
        xml = files[name].decode()
        assert xml.count(element) == 1
        edited = "<xdomea:Kennzeichen>99.99-0001/2020</xdomea:Kennzeichen>"
        files[name] = xml.replace(element, edited).encode()

    report = verify_package(rewrite(exported, tmp_path / "p.zip", edit, fix_bag=True))
    assert codes(report) == {"xdomea-message-altered"}
    (subject,) = subjects(report, "xdomea-message-altered")
    assert subject.endswith(".xml")


def test_export_event_without_seal(
    export_world: ExportWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export event that records no message and list digests (an older eakte, or a forged
    export) seals nothing: verify says so instead of trusting package.json."""
    from eakte.export import _package

    unsealed = _package._Seal.details

    def details(self: Any, selection: Any, format_2_from: int) -> dict[str, Any]:
        result = unsealed(self, selection, format_2_from)
        for name in ("message_sha256", "versions_sha256", "events_sha256"):
            del result[name]
        return result

    monkeypatch.setattr(_package._Seal, "details", details)
    report = verify_package(make_package(export_world.records, tmp_path, akte=[export_world.akte]))
    assert codes(report) == {"export-event-incomplete"}
    (finding,) = report.findings
    assert "events_sha256, message_sha256, versions_sha256" in finding.message
