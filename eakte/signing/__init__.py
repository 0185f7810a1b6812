"""Keys, canonical manifests and signatures (DESIGN.md §4).

Keys and manifests are plain files and cryptography; the audit log appends
to the database inside the caller's transaction. Signatures are
Ed25519 over canonical JSON bytes, checkable offline with ``openssl``.
"""

from eakte.signing._audit import (
    GENESIS_HASH,
    HASH_FORMAT,
    AuditLog,
    checkpoint_record,
    event_content,
    event_hash,
    link_hash,
)
from eakte.signing._canonical import canonical_json, sha256_hex
from eakte.signing._findings import Finding, Severity
from eakte.signing._keys import KeyRing, PublicKeyInfo, key_id_for, verify_signature
from eakte.signing._manifest import (
    MANIFEST_FORMAT,
    SIGNATURE_FORMAT,
    SignedManifest,
    build_manifest,
    parse_manifest,
    parse_signature_record,
    sign_manifest,
)
from eakte.signing._passphrase import load_passphrase, open_keyring

__all__ = [
    "GENESIS_HASH",
    "HASH_FORMAT",
    "event_content",
    "link_hash",
    "AuditLog",
    "Finding",
    "Severity",
    "checkpoint_record",
    "event_hash",
    "MANIFEST_FORMAT",
    "SIGNATURE_FORMAT",
    "KeyRing",
    "PublicKeyInfo",
    "SignedManifest",
    "build_manifest",
    "canonical_json",
    "key_id_for",
    "load_passphrase",
    "open_keyring",
    "parse_manifest",
    "parse_signature_record",
    "sha256_hex",
    "sign_manifest",
    "verify_signature",
]
