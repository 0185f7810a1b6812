from __future__ import annotations

import json
import shutil
import stat
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

from eakte.exceptions import SigningKeyError
from eakte.signing import KeyRing, key_id_for, verify_signature

from .conftest import PASSPHRASE

KEY_ID_COMMAND = (
    "openssl pkey -pubin -in pub.pem -outform DER | tail -c 32 | sha256sum | cut -c1-32"
)


def test_init_creates_key_files_and_keyring(key_dir: Path) -> None:
    ring = KeyRing(key_dir, PASSPHRASE)
    assert not ring.exists()
    info = ring.init()
    assert ring.exists()
    assert info.active and info.retired_at is None
    assert info.created_at.utcoffset() == timedelta(0)
    assert len(info.key_id) == 32
    assert (key_dir / f"{info.key_id}.key").is_file()
    assert (key_dir / f"{info.key_id}.pub").read_text() == info.public_pem
    doc = json.loads((key_dir / "keyring.json").read_text())
    assert doc["active"] == info.key_id
    assert ring.list() == [info]
    assert ring.active() == info


def test_init_refuses_when_a_key_exists(keyring: KeyRing) -> None:
    with pytest.raises(SigningKeyError, match="keys rotate"):
        keyring.init()
    assert len(keyring.list()) == 1


def test_no_key_yet_tells_to_run_init(key_dir: Path) -> None:
    ring = KeyRing(key_dir, PASSPHRASE)
    for call in (ring.active, ring.list, ring.rotate, lambda: ring.sign(b"x")):
        with pytest.raises(SigningKeyError) as info:
            call()
        assert str(info.value) == "No signing key yet. Run `eakte keys init`."


def test_rotate_retires_old_key_and_keeps_it_known(keyring: KeyRing, key_dir: Path) -> None:
    old = keyring.active()
    new = keyring.rotate()
    assert new.key_id != old.key_id and new.active
    first, second = keyring.list()
    assert first.key_id == old.key_id and not first.active
    assert first.retired_at is not None and first.retired_at >= first.created_at
    assert second == new == keyring.active()
    assert keyring.public_pem(old.key_id) == old.public_pem
    assert (key_dir / f"{old.key_id}.key").is_file()


def test_sign_and_verify(keyring: KeyRing) -> None:
    key_id, signature = keyring.sign(b"payload")
    assert key_id == keyring.active().key_id
    assert len(signature) == 64
    pem = keyring.public_pem(key_id)
    assert verify_signature(pem, b"payload", signature)
    assert not verify_signature(pem, b"payloaD", signature)
    assert not verify_signature(pem, b"payload", signature[:-1] + bytes([signature[-1] ^ 1]))
    assert not verify_signature(pem, b"payload", signature[:10])


def test_old_signatures_verify_after_rotation(keyring: KeyRing, key_dir: Path) -> None:
    old_id, old_signature = keyring.sign(b"signed before rotation")
    keyring.rotate()
    new_id, new_signature = keyring.sign(b"signed after rotation")
    assert new_id != old_id
    fresh = KeyRing(key_dir, PASSPHRASE)  # as a later process would see it
    assert verify_signature(fresh.public_pem(old_id), b"signed before rotation", old_signature)
    assert verify_signature(fresh.public_pem(new_id), b"signed after rotation", new_signature)
    assert not verify_signature(fresh.public_pem(new_id), b"signed before rotation", old_signature)


def test_rotation_by_another_process_is_seen(keyring: KeyRing, key_dir: Path) -> None:
    keyring.sign(b"warm the cache")
    new = KeyRing(key_dir, PASSPHRASE).rotate()
    assert keyring.sign(b"x")[0] == new.key_id


def test_wrong_passphrase(keyring: KeyRing, key_dir: Path) -> None:
    ring = KeyRing(key_dir, b"not the passphrase")
    assert ring.active() == keyring.active()  # public information needs no passphrase
    with pytest.raises(SigningKeyError) as info:
        ring.sign(b"x")
    assert str(info.value) == (
        "The signing key passphrase is wrong: set EAKTE_KEY_PASSPHRASE or "
        "EAKTE_KEY_PASSPHRASE_FILE to the passphrase the keys were created with."
    )


def test_empty_passphrase_refused(key_dir: Path) -> None:
    with pytest.raises(SigningKeyError, match="empty"):
        KeyRing(key_dir, b"")


def test_private_key_file_is_encrypted_and_private(keyring: KeyRing, key_dir: Path) -> None:
    path = key_dir / f"{keyring.active().key_id}.key"
    text = path.read_text()
    assert "BEGIN ENCRYPTED PRIVATE KEY" in text
    assert "BEGIN PRIVATE KEY" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(TypeError):  # cannot be read without the passphrase
        serialization.load_pem_private_key(text.encode(), password=None)
    key = serialization.load_pem_private_key(text.encode(), password=PASSPHRASE)
    assert key.public_key() == keyring.public_key(keyring.active().key_id)


def test_decrypted_key_is_cached(keyring: KeyRing, key_dir: Path) -> None:
    ring = KeyRing(key_dir, PASSPHRASE)
    key_id, _ = ring.sign(b"first")
    (key_dir / f"{key_id}.key").unlink()
    assert ring.sign(b"second")[0] == key_id


def test_public_key_matches_key_id(keyring: KeyRing) -> None:
    key_id = keyring.active().key_id
    assert key_id_for(keyring.public_key(key_id)) == key_id


@pytest.mark.parametrize("key_id", ["0" * 32, "../keys/x", "ABCDEF" * 5 + "00", ""])
def test_unknown_key_id(keyring: KeyRing, key_id: str) -> None:
    with pytest.raises(SigningKeyError, match="Unknown signing key"):
        keyring.public_pem(key_id)


def test_swapped_public_key_file_is_detected(keyring: KeyRing, key_dir: Path) -> None:
    old = keyring.active()
    new = keyring.rotate()
    (key_dir / f"{old.key_id}.pub").write_text(new.public_pem)
    with pytest.raises(SigningKeyError, match="does not match its key id"):
        keyring.public_key(old.key_id)
    (key_dir / f"{old.key_id}.pub").write_text("garbage")
    with pytest.raises(SigningKeyError, match="does not match its key id"):
        keyring.public_pem(old.key_id)


def test_damaged_keyring_file(keyring: KeyRing, key_dir: Path) -> None:
    (key_dir / "keyring.json").write_text('{"keys": [')
    with pytest.raises(SigningKeyError, match="damaged. Restore it from a backup"):
        keyring.list()


def test_verify_signature_rejects_other_key_types() -> None:
    pem = (
        generate_private_key(SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    with pytest.raises(ValueError, match="Ed25519"):
        verify_signature(pem, b"x", b"\0" * 64)


def test_key_id_command_is_documented() -> None:
    assert KEY_ID_COMMAND in (key_id_for.__doc__ or "")


@pytest.mark.integration
def test_openssl_reproduces_key_id(keyring: KeyRing, tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    info = keyring.active()
    (tmp_path / "pub.pem").write_text(info.public_pem)
    result = subprocess.run(
        KEY_ID_COMMAND, shell=True, cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == info.key_id
