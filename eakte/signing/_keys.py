"""The installation's Ed25519 signing keys: a small key ring on disk.

Per key the key dir holds ``<key_id>.key`` (PKCS#8 PEM encrypted with the
passphrase, mode 0600) and ``<key_id>.pub`` (SubjectPublicKeyInfo PEM);
``keyring.json`` lists the keys with their dates and names the active one.
Retired keys stay on disk, so every signature ever made can still be checked.
"""

from __future__ import annotations

import builtins
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from eakte.exceptions import SigningKeyError
from eakte.signing import _keydir

PASSPHRASE_VARS = "EAKTE_KEY_PASSPHRASE / EAKTE_KEY_PASSPHRASE_FILE"
_NO_KEY = "No signing key yet. Run `eakte keys init`."
_WRONG_PASS = (
    "The signing key passphrase is wrong: set "
    f"{PASSPHRASE_VARS.replace(' / ', ' or ')} to the passphrase the keys were created with."
)


def key_id_for(public_key: Ed25519PublicKey) -> str:
    """Key id: the first 32 hex characters of SHA-256 of the raw 32-byte public key.

    An auditor reproduces it from the exported public key with::

        openssl pkey -pubin -in pub.pem -outform DER | tail -c 32 | sha256sum | cut -c1-32
    """
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32]


@dataclass(frozen=True)
class PublicKeyInfo:
    """What is public about one key: its id, PEM, dates (UTC) and whether it signs now."""

    key_id: str
    public_pem: str
    created_at: datetime
    retired_at: datetime | None
    active: bool


def verify_signature(public_pem: str, data: bytes, signature: bytes) -> bool:
    """True if ``signature`` is a valid Ed25519 signature of ``data`` by ``public_pem``.

    Raises :class:`ValueError` if ``public_pem`` is not an Ed25519 public key.
    """
    key = serialization.load_pem_public_key(public_pem.encode("ascii"))
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the public key is not an Ed25519 key")
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


class KeyRing:
    """The signing keys in ``key_dir``; private keys are encrypted with ``passphrase``.

    The decrypted active key is cached in memory after its first use. The key
    ring is re-read on every call, so a rotation by another process is seen.
    """

    def __init__(self, key_dir: Path, passphrase: bytes) -> None:
        if not passphrase:
            raise SigningKeyError(f"The signing key passphrase is empty. Set {PASSPHRASE_VARS}.")
        self.key_dir = key_dir
        self._passphrase = passphrase
        self._private: dict[str, Ed25519PrivateKey] = {}

    def exists(self) -> bool:
        """True once ``init`` has run."""
        return (self.key_dir / _keydir.KEYRING_FILE).is_file()

    def init(self) -> PublicKeyInfo:
        """Create the first key; refuse if there is one already."""
        with _keydir.locked(self.key_dir):
            if self.exists():
                raise SigningKeyError(
                    f"Signing keys exist already in {self.key_dir}. "
                    "Run `eakte keys rotate` for a new key."
                )
            return self._add_key([])

    def rotate(self) -> PublicKeyInfo:
        """Make a new active key; the old one gets ``retired_at`` and stays known."""
        with _keydir.locked(self.key_dir):
            _, entries = self._load()
            now = _now()
            for entry in entries:
                if entry["retired_at"] is None:
                    entry["retired_at"] = now
            return self._add_key(entries)

    def list(self) -> list[PublicKeyInfo]:
        """All keys, oldest first."""
        active_id, entries = self._load()
        return [self._info(entry, active_id) for entry in entries]

    def active(self) -> PublicKeyInfo:
        """The key that signs now."""
        active_id, entries = self._load()
        entry = next(e for e in entries if e["key_id"] == active_id)
        return self._info(entry, active_id)

    def public_pem(self, key_id: str) -> str:
        """The SubjectPublicKeyInfo PEM of a current or retired key, checked against its id."""
        self.public_key(key_id)
        return (self.key_dir / f"{key_id}.pub").read_text("ascii")

    def public_key(self, key_id: str) -> Ed25519PublicKey:
        """The public key of a current or retired key, checked against its id."""
        path = self.key_dir / f"{key_id}.pub"
        if not _keydir.KEY_ID_RE.fullmatch(key_id) or not path.is_file():
            raise SigningKeyError(
                f"Unknown signing key {key_id!r}. `eakte keys list` shows the known keys."
            )
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except ValueError:
            key = None
        if not isinstance(key, Ed25519PublicKey) or key_id_for(key) != key_id:
            raise SigningKeyError(f"{path} does not match its key id. Restore it from a backup.")
        return key

    def sign(self, data: bytes) -> tuple[str, bytes]:
        """Sign ``data`` with the active key; return (key id, 64-byte signature)."""
        active_id = self.unlock()
        return active_id, self._private[active_id].sign(data)

    def unlock(self) -> str:
        """Decrypt the active private key now (SigningKeyError if impossible); its id."""
        active_id, _ = self._load()
        if active_id not in self._private:
            self._private[active_id] = self._load_private(active_id)
        return active_id

    def _load(self) -> tuple[str, builtins.list[_keydir.Entry]]:
        if not self.exists():
            raise SigningKeyError(_NO_KEY)
        return _keydir.read_keyring(self.key_dir)

    def _load_private(self, key_id: str) -> Ed25519PrivateKey:
        path = self.key_dir / f"{key_id}.key"
        try:
            pem = path.read_bytes()
        except OSError as exc:
            raise SigningKeyError(
                f"Cannot read the private signing key {path} ({exc.strerror}). "
                "Check its permissions or restore it from a backup."
            ) from exc
        try:
            key = serialization.load_pem_private_key(pem, password=self._passphrase)
        except ValueError as exc:
            raise SigningKeyError(_WRONG_PASS) from exc
        except TypeError as exc:  # the file holds an unencrypted key
            raise SigningKeyError(
                f"{path} is not encrypted. Restore it from a backup or run `eakte keys rotate`."
            ) from exc
        if not isinstance(key, Ed25519PrivateKey) or key_id_for(key.public_key()) != key_id:
            raise SigningKeyError(f"{path} does not match its key id. Restore it from a backup.")
        return key

    def _add_key(self, entries: builtins.list[_keydir.Entry]) -> PublicKeyInfo:
        private = Ed25519PrivateKey.generate()
        key_id = key_id_for(private.public_key())
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self._passphrase),
        )
        pub = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        _keydir.write_new(self.key_dir / f"{key_id}.key", pem, 0o600)
        _keydir.write_new(self.key_dir / f"{key_id}.pub", pub, 0o644)
        now = _now()
        entries.append({"key_id": key_id, "created_at": now, "retired_at": None})
        _keydir.write_keyring(self.key_dir, key_id, entries)
        self._private[key_id] = private
        return self._info(entries[-1], key_id)

    def _info(self, entry: _keydir.Entry, active_id: str) -> PublicKeyInfo:
        retired = entry["retired_at"]
        return PublicKeyInfo(
            key_id=entry["key_id"],
            public_pem=self.public_pem(entry["key_id"]),
            created_at=datetime.fromisoformat(entry["created_at"]),
            retired_at=None if retired is None else datetime.fromisoformat(retired),
            active=entry["key_id"] == active_id,
        )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
