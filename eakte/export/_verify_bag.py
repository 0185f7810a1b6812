"""ZIP and BagIt checks of a package, read straight from the ZIP (nothing is extracted).

Every member is streamed once through SHA-256; the hashes and sizes found are
kept (a few bytes per file) so that the later checks compare the signed
manifests with what was actually read, without reading any content again.
"""

from __future__ import annotations

import hashlib
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import IO

from eakte.export import _layout as layout
from eakte.export._limits import MAX_SMALL_FILE, LineTooLongError, iter_lines
from eakte.signing._findings import Finding, Severity

Progress = Callable[[int, int], None]

CHUNK = 1 << 20
SMALL = MAX_SMALL_FILE  # the largest proof file (manifest, event, key, ...) read into memory
_LINE = re.compile(r"([0-9a-fA-F]{64})[ \t]+(\S.*)")
_DRIVE = re.compile(r"[A-Za-z]:")
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)

error = partial(Finding, Severity.ERROR)
warning = partial(Finding, Severity.WARNING)


@dataclass(frozen=True)
class Member:
    size: int
    sha256: str | None  # None: the member could not be read


@dataclass
class Bag:
    """The bag inside an open ZIP: member facts by path relative to the bag root."""

    zip: zipfile.ZipFile
    root: str  # "eakte-export-<P>"
    members: dict[str, Member] = field(default_factory=dict)
    info: dict[str, str] = field(default_factory=dict)  # bag-info.txt

    def has(self, path: str) -> bool:
        return path in self.members

    def sha256(self, path: str) -> str | None:
        member = self.members.get(path)
        return member.sha256 if member else None

    def open(self, path: str) -> IO[bytes]:
        return self.zip.open(f"{self.root}/{path}")

    def read(self, path: str, limit: int = SMALL) -> bytes:
        """A small member's bytes; KeyError if absent, ValueError if larger than ``limit``."""
        if path not in self.members:
            raise KeyError(path)
        if self.members[path].size > limit:
            raise ValueError(f"{path} is larger than {limit} bytes")
        try:
            with self.open(path) as stream:
                data = stream.read(limit + 1)
        except READ_ERRORS as exc:
            raise ValueError(f"{path} cannot be read: {exc}") from exc
        if len(data) > limit:
            raise ValueError(f"{path} is larger than {limit} bytes")
        return data

    def payload(self) -> Iterator[str]:
        return (p for p in self.members if p.startswith(f"{layout.DATA}/"))


def open_bag(zf: zipfile.ZipFile, progress: Progress | None) -> tuple[Bag | None, list[Finding]]:
    """Check the ZIP's entries, hash every member, check the BagIt tag files."""
    findings: list[Finding] = []
    infos = list(_safe_entries(zf, findings))
    files = [i for i in infos if not i.is_dir()]
    problem = _root_problem(infos, files)
    if problem:
        findings.append(
            error(
                "bag-root-invalid",
                "package",
                f"{problem}; a package holds exactly one bag folder and nothing beside it.",
            )
        )
        return None, findings
    roots = {info.filename.split("/", 1)[0] for info in infos}
    bag = Bag(zf, roots.pop())
    total, done = sum(i.file_size for i in files), 0
    for info in files:
        path = info.filename[len(bag.root) + 1 :]
        sha = _hash_member(zf, info, findings, path)
        bag.members[path] = Member(info.file_size, sha)
        done += info.file_size
        if progress:
            progress(done, total)
    findings.extend(_check_declaration(bag))
    findings.extend(_check_manifest(bag, layout.MANIFEST, payload=True))
    findings.extend(_check_manifest(bag, layout.TAGMANIFEST, payload=False))
    findings.extend(_check_info(bag))
    return bag, findings


def _root_problem(infos: list[zipfile.ZipInfo], files: list[zipfile.ZipInfo]) -> str | None:
    """What keeps the ZIP from being one bag folder, in plain words; None: nothing."""
    loose = sorted(i.filename for i in files if "/" not in i.filename)
    folders = sorted({i.filename.split("/", 1)[0] for i in infos if "/" in i.filename})
    if not infos:
        return "The ZIP is empty (or holds no usable entry)"
    if loose:
        more = f" and {len(loose) - 1} more" if len(loose) > 1 else ""
        return f"The ZIP holds a file at the top level ({loose[0]!r}{more})"
    if len(folders) > 1:
        shown = ", ".join(repr(f) for f in folders[:3]) + (", ..." if len(folders) > 3 else "")
        return f"The ZIP holds {len(folders)} top-level folders ({shown})"
    return None


def _safe_entries(zf: zipfile.ZipFile, findings: list[Finding]) -> Iterator[zipfile.ZipInfo]:
    seen: set[str] = set()
    for info in zf.infolist():
        name = info.filename
        parts = name.rstrip("/").split("/")
        if (
            name.startswith("/")
            or "\\" in name
            or _DRIVE.match(name)
            or any(p in ("", ".", "..") for p in parts)
        ):
            findings.append(error("zip-unsafe-path", name, "An absolute or escaping path."))
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            findings.append(error("zip-symlink", name, "A symbolic link has no place in a bag."))
            continue
        if info.flag_bits & 0x1:
            findings.append(error("zip-encrypted", name, "An encrypted entry cannot be checked."))
            continue
        if name in seen:
            findings.append(error("zip-duplicate-entry", name, "The ZIP holds this name twice."))
            continue
        seen.add(name)
        yield info


def _hash_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, findings: list[Finding], path: str
) -> str | None:
    digest = hashlib.sha256()
    try:
        with zf.open(info) as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
    except READ_ERRORS as exc:
        findings.append(error("zip-member-unreadable", path, f"Cannot be read: {exc}."))
        return None
    return digest.hexdigest()


def _check_declaration(bag: Bag) -> Iterator[Finding]:
    try:
        text = bag.read(layout.BAGIT_TXT).decode("utf-8")
    except KeyError:
        yield error("bag-file-missing", layout.BAGIT_TXT, "The bag declaration is missing.")
        return
    except (ValueError, UnicodeDecodeError):
        text = ""
    lines = {line.strip() for line in text.splitlines()}
    if not {"BagIt-Version: 1.0", "Tag-File-Character-Encoding: UTF-8"} <= lines:
        yield error("bagit-declaration-invalid", layout.BAGIT_TXT, "Not a BagIt 1.0 declaration.")


def _decode_path(path: str) -> str:
    return path.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _manifest_lines(bag: Bag, name: str) -> Iterator[tuple[str, str] | int]:
    """(sha256, path) per line, or the line number of a malformed line.

    Raises LineTooLongError at a line longer than MAX_LINE, and when the
    manifest has more lines than the ZIP has members (each names one file).
    """
    most = len(bag.members) + 1
    with bag.open(name) as stream:
        for number, raw in enumerate(iter_lines(stream), start=1):
            if number > most:
                raise LineTooLongError(f"more lines than the package has files ({most - 1})")
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            match = _LINE.fullmatch(line)
            if match is None:
                if line.strip():
                    yield number
                continue
            yield match.group(1).lower(), _decode_path(match.group(2))


def _check_manifest(bag: Bag, name: str, *, payload: bool) -> Iterator[Finding]:
    """Fixity of every file the manifest lists; files it should list but does not."""
    if not bag.has(name):
        yield error("bag-file-missing", name, "The bag manifest is missing.")
        return
    listed: set[str] = set()
    try:
        entries = list(_manifest_lines(bag, name))
    except LineTooLongError as exc:
        yield error(
            "bag-manifest-malformed",
            name,
            f"Not a manifest: {exc}.",
        )
        return
    except READ_ERRORS as exc:
        yield error("zip-member-unreadable", name, f"Cannot be read: {exc}.")
        return
    for entry in entries:
        if isinstance(entry, int):
            yield error("bag-manifest-malformed", f"{name} line {entry}", "Not '<sha256>  <path>'.")
            continue
        sha, path = entry
        if path in listed or path.startswith(f"{layout.DATA}/") != payload:
            yield error("bag-manifest-malformed", name, f"{path!r} is listed twice or misplaced.")
            continue
        listed.add(path)
        member = bag.members.get(path)
        if member is None:
            yield error("bag-file-missing", path, f"Listed in {name} but not in the package.")
        elif member.sha256 is not None and member.sha256 != sha:
            yield error("bag-fixity-mismatch", path, f"Its SHA-256 differs from {name}.")
    if payload:
        for path in sorted(set(bag.payload()) - listed):
            yield error("bag-file-unlisted", path, f"A payload file that {name} does not list.")
    else:
        tags = {p for p in bag.members if not p.startswith(f"{layout.DATA}/")}
        for path in sorted(tags - listed - {name}):
            yield warning("bag-tag-file-unlisted", path, f"A tag file that {name} does not list.")


def _check_info(bag: Bag) -> Iterator[Finding]:
    try:
        text = bag.read(layout.BAG_INFO).decode("utf-8")
    except KeyError:
        yield error("bag-file-missing", layout.BAG_INFO, "bag-info.txt is missing.")
        return
    except (ValueError, UnicodeDecodeError):
        yield error("bag-info-malformed", layout.BAG_INFO, "bag-info.txt is not readable UTF-8.")
        return
    key = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and key:
            bag.info[key] += " " + line.strip()
        elif ":" in line:
            key, value = (part.strip() for part in line.split(":", 1))
            bag.info[key] = value
    payload = [bag.members[p].size for p in bag.payload()]
    expected = f"{sum(payload)}.{len(payload)}"
    if bag.info.get("Payload-Oxum") != expected:
        yield error(
            "bag-oxum-mismatch",
            layout.BAG_INFO,
            f"Payload-Oxum is {bag.info.get('Payload-Oxum')!r}, the payload is {expected} "
            "(bytes.files).",
        )
