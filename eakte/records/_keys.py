"""Signing key life cycle, recorded in the database and the audit log."""

from __future__ import annotations

from eakte.records._context import Records
from eakte.records._principal import Permission, Principal, require
from eakte.signing import PublicKeyInfo


def init_keys(records: Records, principal: Principal) -> PublicKeyInfo:
    """Create the installation's first signing key."""
    with records.transaction() as session:
        require(session, principal, Permission.ADMINISTER)
        info = records.keyring().init()
        records.register_keys(session)
        records.audit.append(
            session,
            actor=principal.actor,
            action="key.created",
            object_type="signing_key",
            object_id=info.key_id,
        )
    return info


def rotate_keys(records: Records, principal: Principal) -> PublicKeyInfo:
    """Start signing with a new key; the old public key stays known for verification."""
    with records.transaction() as session:
        require(session, principal, Permission.ADMINISTER)
        old = records.keyring().active()
        records.keyring().unlock()  # prove the passphrase before a new key is made with it
        records.audit.checkpoint(session)  # the old key seals the chain so far
        info = records.keyring().rotate()
        records.register_keys(session)
        records.audit.append(
            session,
            actor=principal.actor,
            action="key.rotated",
            object_type="signing_key",
            object_id=info.key_id,
            details={"retired": old.key_id},
        )
    return info


def sync_keys(records: Records) -> list[PublicKeyInfo]:
    """Register every key of the key ring in the database (idempotent)."""
    with records.transaction() as session:
        records.register_keys(session)
    return records.keyring().list()
