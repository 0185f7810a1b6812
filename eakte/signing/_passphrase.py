"""From the settings to an open key ring: where the key passphrase comes from."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from eakte.config import Settings
from eakte.exceptions import SigningKeyError
from eakte.signing._keydir import KEYRING_FILE, write_new
from eakte.signing._keys import PASSPHRASE_VARS, KeyRing

DEFAULT_PASSPHRASE_FILE = "passphrase"


def load_passphrase(settings: Settings) -> bytes:
    """The passphrase that encrypts the private signing keys.

    Taken, first match wins, from ``EAKTE_KEY_PASSPHRASE``, the first line of
    the file named by ``EAKTE_KEY_PASSPHRASE_FILE``, or the embedded default:
    the file ``passphrase`` in the data dir (not in the key dir), created with
    32 random bytes (URL-safe base64) and mode 0600 when missing.

    The default keeps a fresh installation working without configuration, but
    anyone who can read the data dir can then use the keys. Production must
    set ``EAKTE_KEY_PASSPHRASE`` or ``EAKTE_KEY_PASSPHRASE_FILE`` to a secret
    kept outside the data dir (and outside its backups). Make it long and
    random: the PKCS#8 encryption of the keys stretches it with only 2048
    PBKDF2-SHA256 rounds (the fixed choice of the ``cryptography`` library).
    """
    if settings.key_passphrase is not None:
        passphrase = settings.key_passphrase.get_secret_value().encode("utf-8")
        source = "EAKTE_KEY_PASSPHRASE"
    elif settings.key_passphrase_file is not None:
        passphrase = _first_line(settings.key_passphrase_file)
        source = f"the file {settings.key_passphrase_file} (EAKTE_KEY_PASSPHRASE_FILE)"
    else:
        path = settings.data_dir / DEFAULT_PASSPHRASE_FILE
        _create_default(path, settings.resolved_key_dir)
        passphrase = _first_line(path)
        source = f"the file {path}"
    if not passphrase:
        raise SigningKeyError(
            f"The signing key passphrase from {source} is empty. Set {PASSPHRASE_VARS}."
        )
    return passphrase


def open_keyring(settings: Settings) -> KeyRing:
    """The installation's key ring, opened with the configured passphrase."""
    return KeyRing(settings.resolved_key_dir, load_passphrase(settings))


def _first_line(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(
            f"Cannot read the signing key passphrase file {path} ({exc.strerror}). "
            f"Check the file and its permissions, or set {PASSPHRASE_VARS}."
        ) from exc
    lines = data.splitlines()
    return lines[0] if lines else b""


def _create_default(path: Path, key_dir: Path) -> None:
    if path.exists():
        return
    if (key_dir / KEYRING_FILE).exists():
        # A new random passphrase could never open the existing keys.
        raise SigningKeyError(
            f"Signing keys exist in {key_dir} but their passphrase file {path} is missing. "
            f"Restore it from a backup or set {PASSPHRASE_VARS}."
        )
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_new(tmp, secrets.token_urlsafe(32).encode("ascii") + b"\n", 0o600)
        os.link(tmp, path)  # publishes the complete file; never replaces one
    except FileExistsError:
        pass  # another process created it first; use theirs
    except OSError as exc:
        raise SigningKeyError(
            f"Cannot create the passphrase file {path} ({exc.strerror}). "
            f"Make the data dir writable or set {PASSPHRASE_VARS}."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
