"""A package's public keys become retired keys of this installation's key folder.

The import records its trust in the database (a ``signing_keys`` row and the
audit event ``key.imported``, in the import's transaction); after the commit
the key folder follows, because the folder is what ``eakte verify`` and
``eakte show`` trust. Only keys whose signatures the package itself proved
(its verified, anchored checkpoints) are taken. Doing it again is harmless.
"""

from __future__ import annotations

from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from eakte.exceptions import RecordsError
from eakte.records._context import Records
from eakte.signing import _keydir
from eakte.signing._keys import key_id_for


def new_keys(records: Records, pems: dict[str, str]) -> dict[str, str]:
    """The package keys this installation does not know yet (checked against their ids)."""
    known = {info.key_id for info in records.keyring().list()}
    fresh = {}
    for key_id, pem in sorted(pems.items()):
        public = serialization.load_pem_public_key(pem.encode("ascii"))
        if not isinstance(public, Ed25519PublicKey) or key_id_for(public) != key_id:
            raise RecordsError(f"Public key {key_id} of the package does not match its id.")
        if key_id not in known:
            fresh[key_id] = pem
    return fresh


def trust_public_keys(records: Records, pems: dict[str, str], at: datetime) -> None:
    """Add the keys to the key folder as retired (created and retired ``at``)."""
    key_dir = records.keyring().key_dir
    with _keydir.locked(key_dir):
        active, entries = _keydir.read_keyring(key_dir)
        known = {entry["key_id"] for entry in entries}
        stamp = at.isoformat(timespec="microseconds")
        for key_id, pem in sorted(pems.items()):
            if key_id in known:
                continue
            path = key_dir / f"{key_id}.pub"
            if not path.exists():
                _keydir.write_new(path, pem.encode("ascii"), 0o644)
            elif path.read_text("ascii").strip() != pem.strip():
                raise RecordsError(f"{path} holds another key; check the key folder.")
            entries.append({"key_id": key_id, "created_at": stamp, "retired_at": stamp})
        _keydir.write_keyring(key_dir, active, entries)
