"""``eakte verify PACKAGE.zip``: offline verification of an auditor package.

Needs nothing but the ZIP: no settings, database or object store. The order
of the checks follows the trust: the bag (fixity), the public keys, the audit
segments against their signed checkpoints (which fixes the trust anchor and
the anchored keys), every version's signed proof, what the audit events say
about the records, and last the xdomea message.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from eakte.export import _layout as layout
from eakte.export._limits import MAX_PACKAGE_JSON, MAX_TOTAL_BYTES, MIB, check_archive
from eakte.export._verify_audit import AuditFacts, check_audit
from eakte.export._verify_bag import READ_ERRORS, Bag, Progress, error, open_bag, warning
from eakte.export._verify_history import (
    check_documents,
    check_export_event,
    check_versions_recorded,
    replay,
)
from eakte.export._verify_index import IndexFormatError, PackageIndex, parse_index
from eakte.export._verify_proof import VersionCheck, load_keys
from eakte.export._verify_xdomea import check_message
from eakte.signing._findings import Finding, Severity
from eakte.signing._keys import key_id_for

_KEY_ID = re.compile(r"[0-9a-f]{32}")
_CHECKPOINT_FILE = re.compile(
    re.escape(layout.checkpoint_path(0).rsplit("/", 1)[0])
    + r"/(\d{10})(?:\.json|\.sig|\.envelope\.json)"
)


@dataclass(frozen=True)
class KeyReport:
    key_id: str
    anchored: str | None  # how the audit chain vouches for it; None: it does not
    anchor: bool
    retired_at: str | None


@dataclass
class PackageReport:
    path: str
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    keys: list[KeyReport] = field(default_factory=list)
    anchor_key: str | None = None
    anchor_trusted: bool | None = None  # None: no (usable) --trusted-key given

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "package": self.path,
            "counts": self.counts,
            "anchor_key": self.anchor_key,
            "anchor_trusted": self.anchor_trusted,
            "anchor_confirmed": self.anchor_trusted is True,
            "keys": [vars(k) for k in self.keys],
            "findings": [f.as_dict() for f in self.findings],
        }


def verify_package(
    path: Path,
    trusted_keys: Sequence[str] = (),
    progress: Progress | None = None,
    max_total: int = MAX_TOTAL_BYTES,
) -> PackageReport:
    """Check everything in the package; the findings say what is wrong, where.

    ``max_total``: the most bytes the members may unpack to (EAKTE_PACKAGE_MAX_GB);
    a larger package, a zip bomb or overlapping entries stop the check before
    anything is hashed (eakte/export/_limits.py).
    """
    report = PackageReport(str(path))
    trusted = _trusted_ids(trusted_keys, report)
    try:
        with zipfile.ZipFile(path) as zf:
            fatal = check_archive(zf, path.stat().st_size, max_total)
            report.findings.extend(fatal)
            if not fatal:
                _verify_zip(zf, report, progress)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, *READ_ERRORS) as exc:
        report.findings.append(
            error("package-unreadable", str(path), f"Not a readable ZIP package: {exc}.")
        )
        return report
    if trusted and report.anchor_key is not None:
        report.anchor_trusted = report.anchor_key in trusted
        if not report.anchor_trusted:
            report.findings.append(
                error(
                    "anchor-key-untrusted",
                    f"signing key {report.anchor_key}",
                    "The package's trust anchor is none of the keys given with --trusted-key.",
                )
            )
    return report


def _trusted_ids(values: Sequence[str], report: PackageReport) -> set[str] | None:
    """The key ids of the --trusted-key values; None (anchor unconfirmed) when none is usable.

    A malformed value is one finding, trusted-key-invalid; when no value is
    usable the anchor is not compared (no anchor-key-untrusted besides it).
    """
    if not values:
        return None
    ids: set[str] = set()
    for value in values:
        text = value.strip()
        if _KEY_ID.fullmatch(text):
            ids.add(text)
            continue
        try:
            key = load_pem_public_key(text.encode("ascii"))
        except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm):
            key = None
        if isinstance(key, Ed25519PublicKey):
            ids.add(key_id_for(key))
        else:
            shown = text if len(text) <= 40 else text[:37] + "..."
            report.findings.append(
                error(
                    "trusted-key-invalid",
                    f"--trusted-key {shown!r}",
                    "Neither a key id (32 hex digits, `eakte keys list`) nor an Ed25519 "
                    "public key in PEM; the trust anchor was not compared with it.",
                )
            )
    return ids or None


def _verify_zip(zf: zipfile.ZipFile, report: PackageReport, progress: Progress | None) -> None:
    bag, findings = open_bag(zf, progress)
    report.findings.extend(findings)
    if bag is None:
        return
    index = _read_index(bag, report)
    if index is None:
        return
    report.counts.update(
        documents=len(index.documents),
        versions=sum(len(d.versions) for d in index.documents),
        files=sum(1 for _ in bag.payload()),
        bytes=sum(bag.members[p].size for p in bag.payload()),
    )
    keys, findings = load_keys(bag, index)
    report.findings.extend(findings)
    audit, findings = check_audit(bag, index, keys)
    report.findings.extend(findings)
    report.counts.update(audit_events=len(index.events), checkpoints=len(audit.checkpoints))
    versions = VersionCheck(bag, keys, audit.anchored, audit.retired_at)
    report.findings.extend(versions.run(index))
    history = replay(audit)
    report.findings.extend(check_versions_recorded(index, audit, versions.facts))
    report.findings.extend(check_documents(index, history))
    report.findings.extend(check_export_event(bag, index, audit, versions.facts))
    report.findings.extend(check_message(bag, index, versions.facts, history))
    report.findings.extend(_unexpected_files(bag, index))
    _report_keys(report, index, audit)


def _unexpected_files(bag: Bag, index: PackageIndex) -> Iterator[Finding]:
    """Payload files that nothing in the package accounts for (harmless, but unexplained)."""
    expected = {layout.PACKAGE_JSON, layout.REPORT, f"{layout.DATA}/{index.message}"}
    expected.update(layout.key_path(key_id) for key_id in index.keys)
    expected.update(layout.event_path(seq) for seq in index.events)
    for segment in index.segments:
        expected.add(layout.chain_path(segment.first, segment.last))
    for document in index.documents:
        for version in document.versions:
            n, doc = version.number, document.document_id
            expected.update(f"{layout.DATA}/{name}" for name in version.files.values())
            expected.update(
                (
                    layout.manifest_path(doc, n),
                    layout.manifest_sig_path(doc, n),
                    layout.signature_record_path(doc, n),
                )
            )
            if version.text is not None:
                expected.add(f"{layout.DATA}/{version.text}")
    for path in sorted(set(bag.payload()) - expected):
        match = _CHECKPOINT_FILE.fullmatch(path)
        if match is None or not bag.has(layout.checkpoint_path(int(match[1]))):
            yield warning(
                "package-file-unexpected", path, "No record of the package accounts for this file."
            )


def _read_index(bag: Bag, report: PackageReport) -> PackageIndex | None:
    member = bag.members.get(layout.PACKAGE_JSON)
    if member is not None and member.size > MAX_PACKAGE_JSON:
        report.findings.append(
            error(
                "package-too-large",
                layout.PACKAGE_JSON,
                f"package.json has {member.size:,} bytes; at most {MAX_PACKAGE_JSON // MIB} MiB "
                "are read.",
            )
        )
        return None
    try:
        index = parse_index(bag.read(layout.PACKAGE_JSON, MAX_PACKAGE_JSON))
    except KeyError:
        report.findings.append(
            error("package-json-missing", layout.PACKAGE_JSON, "eakte's index is missing.")
        )
        return None
    except (IndexFormatError, ValueError) as exc:
        report.findings.append(error("package-json-malformed", layout.PACKAGE_JSON, f"{exc}."))
        return None
    expected = {
        "bag folder": (bag.root, layout.bag_name(index.prozess_id)),
        "External-Identifier": (bag.info.get("External-Identifier"), index.prozess_id),
    }
    for what, (found, wanted) in expected.items():
        if found != wanted:
            report.findings.append(
                error("package-json-mismatch", what, f"Is {found!r}, not {wanted!r}.")
            )
    return index


def _report_keys(report: PackageReport, index: PackageIndex, audit: AuditFacts) -> None:
    report.anchor_key = audit.anchor
    for key_id in sorted(set(index.keys) | set(audit.anchored)):
        report.keys.append(
            KeyReport(
                key_id=key_id,
                anchored=audit.anchored.get(key_id),
                anchor=key_id == audit.anchor,
                retired_at=audit.retired_at.get(key_id),
            )
        )
