"""The signed proof of every version: public keys, manifests, signatures, files, chains.

What the package claims in ``package.json`` is compared with the signed
manifests; the manifests are compared with the hashes of the files actually
read from the bag.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from eakte.export import _layout as layout
from eakte.export._verify_bag import Bag, error
from eakte.export._verify_index import DocumentEntry, PackageIndex, VersionEntry
from eakte.signing._findings import Finding
from eakte.signing._keys import key_id_for, verify_signature
from eakte.signing._manifest import parse_manifest, parse_signature_record

_PEM_LIMIT = 64 << 10


@dataclass(frozen=True)
class VersionFacts:
    """What a version's verified manifest says (only the few fields later checks use)."""

    manifest_sha256: str  # of the manifest bytes in the bag
    filename: str
    media_type: str
    created_at: str
    created_by: str
    files: dict[str, tuple[str, int | None]]  # role -> (sha256, size if signed)


def load_keys(bag: Bag, index: PackageIndex) -> tuple[dict[str, str], list[Finding]]:
    """The included public keys whose id is their fingerprint: key_id -> PEM."""
    keys: dict[str, str] = {}
    findings: list[Finding] = []
    for key_id, listed in sorted(index.keys.items()):
        subject, path = f"signing key {key_id}", layout.key_path(key_id)
        if listed != layout.relative_to_data(path):
            findings.append(error("package-json-mismatch", subject, f"Listed as {listed!r}."))
        try:
            pem = bag.read(path, _PEM_LIMIT).decode("ascii")
            public = load_pem_public_key(pem.encode("ascii"))
        except KeyError:
            findings.append(error("key-missing", subject, "Its PEM file is not in the package."))
            continue
        except (ValueError, UnicodeDecodeError, UnsupportedAlgorithm):
            findings.append(error("key-malformed", subject, "Not a readable public key."))
            continue
        if not isinstance(public, Ed25519PublicKey):
            findings.append(error("key-malformed", subject, "Not an Ed25519 public key."))
        elif key_id_for(public) != key_id:
            findings.append(
                error("key-id-mismatch", subject, "The key id is not the key's fingerprint.")
            )
        else:
            keys[key_id] = pem
    return keys, findings


class VersionCheck:
    """Checks every version of the index; collects the facts of the readable manifests."""

    def __init__(
        self,
        bag: Bag,
        keys: Mapping[str, str],
        anchored: Mapping[str, str],
        retired_at: Mapping[str, str],
    ) -> None:
        self.bag, self.keys, self.anchored, self.retired_at = bag, keys, anchored, retired_at
        self.facts: dict[tuple[str, int], VersionFacts] = {}
        self.bytes = 0

    def run(self, index: PackageIndex) -> Iterator[Finding]:
        for document in index.documents:
            yield from self._document(document)

    def _document(self, document: DocumentEntry) -> Iterator[Finding]:
        numbers = [v.number for v in document.versions]
        for missing in sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers)):
            yield error(
                "version-missing",
                f"document {document.document_id} version {missing}",
                "A later version is in the package, this one is not.",
            )
        if len(set(numbers)) != len(numbers) or not numbers:
            yield error(
                "package-json-mismatch",
                f"document {document.document_id}",
                "Lists no version or one version twice.",
            )
        previous: str | None = None
        for version in sorted(document.versions, key=lambda v: v.number):
            yield from self._version(document.document_id, version, previous)
            facts = self.facts.get((document.document_id, version.number))
            previous = facts.manifest_sha256 if facts else None

    def _version(
        self, document_id: str, version: VersionEntry, previous: str | None
    ) -> Iterator[Finding]:
        n, subject = version.number, f"document {document_id} version {version.number}"
        path = layout.manifest_path(document_id, n)
        try:
            manifest_bytes = self.bag.read(path)
            manifest = parse_manifest(manifest_bytes)
        except KeyError:
            yield error("manifest-missing", subject, "The signed manifest is not in the package.")
            return
        except ValueError as exc:
            yield error("manifest-malformed", subject, f"The manifest is unreadable: {exc}.")
            return
        sha = self.bag.sha256(path) or ""
        self.facts[(document_id, n)] = _facts(sha, manifest)
        if manifest.get("document_id") != document_id or manifest.get("version") != n:
            yield error("manifest-misplaced", subject, "The manifest is of another version.")
        if sha != version.manifest_sha256 or manifest.get("content_sha256") != (
            version.content_sha256
        ):
            yield error("package-json-mismatch", subject, "Hashes differ from the manifest.")
        if n > 1 and previous is not None and manifest.get("previous_manifest_sha256") != previous:
            yield error("version-chain-broken", subject, "Does not link to the version before it.")
        if n == 1 and manifest.get("previous_manifest_sha256") is not None:
            yield error("version-chain-broken", subject, "Version 1 names a previous version.")
        yield from self._signature(document_id, version, manifest_bytes, sha, subject)
        retired = self.retired_at.get(version.key_id)
        if retired and _after(str(manifest.get("created_at")), retired):
            yield error("signature-key-retired", subject, "Signed after its key was retired.")
        yield from self._files(document_id, version, manifest, subject)

    def _signature(
        self, document_id: str, version: VersionEntry, data: bytes, sha: str, subject: str
    ) -> Iterator[Finding]:
        n = version.number
        try:
            signature = self.bag.read(layout.manifest_sig_path(document_id, n))
            record = parse_signature_record(
                self.bag.read(layout.signature_record_path(document_id, n))
            )
        except KeyError as exc:
            yield error("signature-missing", subject, f"{exc} is not in the package.")
            return
        except ValueError as exc:
            yield error("signature-malformed", subject, f"The signature is unreadable: {exc}.")
            return
        key_id = record[1]
        if record != (sha, version.key_id, signature):
            yield error(
                "signature-record-mismatch",
                subject,
                "manifest.sig, signature.json and package.json do not say the same.",
            )
        pem = self.keys.get(key_id)
        if pem is None:
            yield error("key-missing", subject, f"Signed by key {key_id}, not included.")
            return
        if not verify_signature(pem, data, signature):
            yield error("signature-invalid", subject, "The manifest signature does not verify.")
            return
        if key_id not in self.anchored:
            yield error(
                "key-not-anchored",
                subject,
                f"Signed by key {key_id}, which no anchored key vouches for.",
            )

    def _files(
        self, document_id: str, version: VersionEntry, manifest: dict[str, object], subject: str
    ) -> Iterator[Finding]:
        n = version.number
        filename, media_type = str(manifest.get("filename")), str(manifest.get("media_type"))
        renditions = manifest.get("renditions")
        signed: dict[str, object] = dict(renditions) if isinstance(renditions, dict) else {}
        expected = {
            "original": (
                layout.primary_name(document_id, n, "original", filename, media_type),
                manifest.get("content_sha256"),
            )
        }
        if "pdfa" in signed:
            expected["pdfa"] = (
                layout.primary_name(document_id, n, "pdfa", filename, media_type),
                signed["pdfa"],
            )
        if "text" in signed:
            expected["text"] = (layout.relative_to_data(layout.text_path(document_id, n)), None)
        listed = dict(version.files)
        if version.text is not None:
            listed["text"] = version.text
        for role in sorted(set(listed) - set(expected)):
            yield error(
                "package-json-mismatch", subject, f"Lists a {role} file the manifest does not sign."
            )
        for role, (name, _) in sorted(expected.items()):
            if listed.get(role) != name:
                yield error(
                    "package-json-mismatch", subject, f"Names the {role} file {listed.get(role)!r}."
                )
        for role, (name, sha) in sorted(expected.items()):
            path, code = f"{layout.DATA}/{name}", "content" if role == "original" else "rendition"
            member = self.bag.members.get(path)
            wanted = signed.get("text") if role == "text" else sha
            if member is None:
                yield error(f"{code}-missing", subject, f"The {role} file {name} is missing.")
            elif member.sha256 is not None and member.sha256 != wanted:
                yield error(
                    f"{code}-hash-mismatch",
                    subject,
                    f"The {role} file {name} is not the file the signed manifest describes.",
                )
            elif role == "original" and member.size != manifest.get("size"):
                yield error(f"{code}-hash-mismatch", subject, "Its size differs from the manifest.")
            else:
                self.bytes += member.size


def _facts(sha: str, manifest: dict[str, Any]) -> VersionFacts:
    renditions = manifest.get("renditions")
    files = {"original": (str(manifest.get("content_sha256")), manifest.get("size"))}
    if isinstance(renditions, dict) and "pdfa" in renditions:
        files["pdfa"] = (str(renditions["pdfa"]), None)
    return VersionFacts(
        manifest_sha256=sha,
        filename=str(manifest.get("filename")),
        media_type=str(manifest.get("media_type")),
        created_at=str(manifest.get("created_at")),
        created_by=str(manifest.get("created_by")),
        files=files,
    )


def _after(when: str, limit: str) -> bool:
    try:
        return datetime.fromisoformat(when) > datetime.fromisoformat(limit)
    except (ValueError, TypeError):
        return False
