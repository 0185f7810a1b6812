from __future__ import annotations

import base64
import json
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from eakte.signing import (
    KeyRing,
    SignedManifest,
    build_manifest,
    canonical_json,
    parse_manifest,
    parse_signature_record,
    sha256_hex,
    sign_manifest,
    verify_signature,
)

CONTENT_SHA = sha256_hex(b"%PDF-1.7 content")


def make_manifest(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "document_id": "doc-0815",
        "version": 2,
        "content_sha256": CONTENT_SHA,
        "size": 16,
        "media_type": "application/pdf",
        "filename": "Antrag Sondernutzung – Müller.pdf",
        "created_at": datetime(2024, 5, 2, 10, 15, tzinfo=timezone(timedelta(hours=2))),
        "created_by": "scanner:32",
        "source": "scan",
        "scan_note": {"device": "Scanner OG2", "operator": "mmueller", "pages": 3},
        "case_reference": "32.10.05-0815/2024",
        "metadata": {"sender": "Müller GmbH", "document_date": "2024-04-30"},
        "previous_manifest_sha256": sha256_hex(b"previous manifest"),
    }
    fields.update(overrides)
    return build_manifest(**fields)


def test_manifest_fields() -> None:
    manifest = make_manifest()
    assert manifest["format"] == "eakte-manifest/1"
    assert manifest["created_at"] == "2024-05-02T08:15:00.000000Z"
    assert manifest["metadata"] == {"sender": "Müller GmbH", "document_date": "2024-04-30"}
    assert manifest["metadata_sha256"] == sha256_hex(canonical_json(manifest["metadata"]))
    assert set(manifest) == {
        "format", "document_id", "version", "content_sha256", "size", "media_type",
        "filename", "created_at", "created_by", "source", "scan_note", "case_reference",
        "metadata", "metadata_sha256", "previous_manifest_sha256", "renditions",
    }  # fmt: skip
    assert manifest["renditions"] == {}


def test_first_version_without_optional_parts() -> None:
    manifest = make_manifest(
        version=1, scan_note=None, case_reference=None, previous_manifest_sha256=None
    )
    assert manifest["previous_manifest_sha256"] is None
    assert b'"scan_note":null' in canonical_json(manifest)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"created_at": datetime(2024, 5, 2, 10, 15)}, ValueError),
        ({"version": 0}, ValueError),
        ({"version": True}, ValueError),
        ({"size": -1}, ValueError),
        ({"content_sha256": CONTENT_SHA.upper()}, ValueError),
        ({"previous_manifest_sha256": "abc"}, ValueError),
        ({"metadata": {"amount": 12.5}}, TypeError),
        ({"scan_note": {"dpi": 300.0}}, TypeError),
    ],
)
def test_unsignable_input_rejected(overrides: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        make_manifest(**overrides)


def test_sign_manifest(keyring: KeyRing) -> None:
    manifest = make_manifest()
    signed = sign_manifest(keyring, manifest)
    assert signed.manifest_bytes == canonical_json(manifest)
    assert signed.manifest_sha256 == sha256_hex(signed.manifest_bytes)
    assert signed.key_id == keyring.active().key_id
    pem = keyring.public_pem(signed.key_id)
    assert verify_signature(pem, signed.manifest_bytes, signed.signature)
    assert signed.verify(pem)
    assert parse_manifest(signed.manifest_bytes) == manifest


def test_signature_record_round_trip(keyring: KeyRing) -> None:
    signed = sign_manifest(keyring, make_manifest())
    record = signed.signature_record()
    doc = json.loads(record)
    assert canonical_json(doc) == record
    assert doc["format"] == "eakte-signature/1" and doc["algorithm"] == "Ed25519"
    assert base64.b64decode(doc["signature"]) == signed.signature
    assert parse_signature_record(record) == (
        signed.manifest_sha256,
        signed.key_id,
        signed.signature,
    )


def _record(**changes: Any) -> bytes:
    doc: dict[str, Any] = {
        "format": "eakte-signature/1",
        "algorithm": "Ed25519",
        "key_id": "0" * 32,
        "manifest_sha256": "1" * 64,
        "signature": base64.b64encode(b"\x07" * 64).decode(),
    }
    doc.update(changes)
    return json.dumps({k: v for k, v in doc.items() if v is not ...}).encode()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[]",
        _record(format="eakte-signature/2"),
        _record(algorithm="RSA"),
        _record(key_id="xyz"),
        _record(key_id=...),
        _record(manifest_sha256="1" * 63),
        _record(signature="not base64!"),
        _record(signature=None),
        _record(signature=base64.b64encode(b"\x07" * 63).decode()),
    ],
)
def test_malformed_signature_record(data: bytes) -> None:
    with pytest.raises(ValueError):
        parse_signature_record(data)


def test_parse_manifest_rejects_non_canonical_bytes() -> None:
    manifest = make_manifest()
    with pytest.raises(ValueError, match="canonical"):
        parse_manifest(json.dumps(manifest, indent=1).encode())
    with pytest.raises(ValueError, match="eakte-manifest/1"):
        parse_manifest(canonical_json({"format": "other"}))
    with pytest.raises(ValueError):
        parse_manifest(canonical_json(manifest).replace(b'"size":16', b'"size":16.0'))


def _openssl_verify(folder: Path, signed: SignedManifest, pem: str, manifest: bytes) -> bool:
    (folder / "pub.pem").write_text(pem)
    (folder / "manifest.json").write_bytes(manifest)
    _, _, signature = parse_signature_record(signed.signature_record())
    (folder / "sig.bin").write_bytes(signature)
    result = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin",
         "-in", "manifest.json", "-sigfile", "sig.bin"],
        cwd=folder, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return result.returncode == 0 and "Signature Verified Successfully" in result.stdout


@pytest.mark.integration
def test_openssl_verifies_manifest_signature(keyring: KeyRing, tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    signed = sign_manifest(keyring, make_manifest())
    pem = keyring.public_pem(signed.key_id)
    assert _openssl_verify(tmp_path, signed, pem, signed.manifest_bytes)
    assert sha256_hex((tmp_path / "manifest.json").read_bytes()) == signed.manifest_sha256
    tampered = bytearray(signed.manifest_bytes)
    tampered[signed.manifest_bytes.index(b'"size":16') + 8] = ord("7")
    assert not _openssl_verify(tmp_path, signed, pem, bytes(tampered))


@pytest.mark.integration
def test_openssl_verifies_with_retired_key(keyring: KeyRing, tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    signed = sign_manifest(keyring, make_manifest())
    keyring.rotate()
    assert signed.key_id != keyring.active().key_id
    assert _openssl_verify(
        tmp_path, signed, keyring.public_pem(signed.key_id), signed.manifest_bytes
    )
