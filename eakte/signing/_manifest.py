"""Canonical version manifests and their detached signature records (DESIGN.md §4).

A manifest describes one immutable document version. Its canonical JSON
bytes are what is hashed and signed, so an auditor checks a stored pair with::

    openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin -in manifest.json -sigfile sig.bin

where ``sig.bin`` is the base64-decoded ``signature`` of the signature record.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eakte.signing._canonical import canonical_json, sha256_hex
from eakte.signing._keydir import KEY_ID_RE
from eakte.signing._keys import KeyRing, verify_signature

MANIFEST_FORMAT = "eakte-manifest/1"
SIGNATURE_FORMAT = "eakte-signature/1"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def build_manifest(
    *,
    document_id: str,
    version: int,
    content_sha256: str,
    size: int,
    media_type: str,
    filename: str,
    created_at: datetime,
    created_by: str,
    source: str,
    scan_note: dict[str, Any] | None,
    case_reference: str | None,
    metadata: dict[str, Any],
    previous_manifest_sha256: str | None,
    renditions: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The manifest of one document version, ready for :func:`canonical_json`.

    ``created_at`` must carry a time zone; it is written in UTC with
    microseconds (``2024-05-02T08:15:00.000000Z``). ``metadata`` and
    ``scan_note`` may hold only JSON types without floats. Raises
    :class:`ValueError` or :class:`TypeError` for input that cannot be signed.
    """
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"version must be an integer >= 1, not {version!r}")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValueError(f"size must be an integer >= 0, not {size!r}")
    _check_sha256("content_sha256", content_sha256)
    if previous_manifest_sha256 is not None:
        _check_sha256("previous_manifest_sha256", previous_manifest_sha256)
    for name, sha in (renditions or {}).items():
        _check_sha256(f"renditions.{name}", sha)
    if created_at.utcoffset() is None:
        raise ValueError("created_at must carry a time zone (use datetime.now(UTC))")
    manifest = {
        "format": MANIFEST_FORMAT,
        "document_id": document_id,
        "version": version,
        "content_sha256": content_sha256,
        "size": size,
        "media_type": media_type,
        "filename": filename,
        "created_at": created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "created_by": created_by,
        "source": source,
        "scan_note": scan_note,
        "case_reference": case_reference,
        "metadata": metadata,
        "metadata_sha256": sha256_hex(canonical_json(metadata)),
        "previous_manifest_sha256": previous_manifest_sha256,
        "renditions": dict(sorted((renditions or {}).items())),
    }
    canonical_json(manifest)  # fail here, not when signing, on unsignable values
    return manifest


def _check_sha256(name: str, value: str) -> None:
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise ValueError(f"{name} must be 64 lower-case hex digits, not {value!r}")


def parse_manifest(data: bytes) -> dict[str, Any]:
    """Read stored manifest bytes; ValueError unless they are a canonical eakte manifest."""
    try:
        manifest = json.loads(data.decode("utf-8"))
        canonical = canonical_json(manifest)
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError) as exc:
        raise ValueError(f"not a canonical manifest: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ValueError(f"not an {MANIFEST_FORMAT} manifest")
    if canonical != data:
        raise ValueError("manifest bytes are not in canonical form")
    return manifest


@dataclass(frozen=True)
class SignedManifest:
    """A manifest, its exact signed bytes, their SHA-256 and the Ed25519 signature."""

    manifest: dict[str, Any]
    manifest_bytes: bytes
    manifest_sha256: str
    key_id: str
    signature: bytes

    def signature_record(self) -> bytes:
        """The detached signature record stored next to the manifest (canonical JSON)."""
        return canonical_json(
            {
                "format": SIGNATURE_FORMAT,
                "algorithm": "Ed25519",
                "key_id": self.key_id,
                "manifest_sha256": self.manifest_sha256,
                "signature": base64.b64encode(self.signature).decode("ascii"),
            }
        )

    def verify(self, public_pem: str) -> bool:
        """True if the signature over ``manifest_bytes`` is valid for ``public_pem``."""
        return verify_signature(public_pem, self.manifest_bytes, self.signature)


def parse_signature_record(data: bytes) -> tuple[str, str, bytes]:
    """Read a signature record; return (manifest_sha256, key_id, 64-byte signature).

    Raises :class:`ValueError` if the record is malformed.
    """
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"signature record is not JSON: {exc}") from exc
    if not isinstance(record, dict):
        raise ValueError("signature record is not a JSON object")
    if record.get("format") != SIGNATURE_FORMAT or record.get("algorithm") != "Ed25519":
        raise ValueError(f"signature record is not {SIGNATURE_FORMAT} with Ed25519")
    manifest_sha256, key_id = record.get("manifest_sha256"), record.get("key_id")
    if not isinstance(manifest_sha256, str) or not _SHA256.fullmatch(manifest_sha256):
        raise ValueError("signature record has no valid manifest_sha256")
    if not isinstance(key_id, str) or not KEY_ID_RE.fullmatch(key_id):
        raise ValueError("signature record has no valid key_id")
    encoded = record.get("signature")
    try:
        if not isinstance(encoded, str):
            raise binascii.Error("not a string")
        signature = base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise ValueError("signature record has no base64 signature") from exc
    if len(signature) != 64:
        raise ValueError(f"an Ed25519 signature has 64 bytes, not {len(signature)}")
    return manifest_sha256, key_id, signature


def sign_manifest(keyring: KeyRing, manifest: dict[str, Any]) -> SignedManifest:
    """Sign the canonical bytes of ``manifest`` with the key ring's active key."""
    manifest_bytes = canonical_json(manifest)
    key_id, signature = keyring.sign(manifest_bytes)
    return SignedManifest(
        manifest=manifest,
        manifest_bytes=manifest_bytes,
        manifest_sha256=sha256_hex(manifest_bytes),
        key_id=key_id,
        signature=signature,
    )
