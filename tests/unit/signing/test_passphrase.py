from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from eakte.config import Settings
from eakte.exceptions import SigningKeyError
from eakte.signing import load_passphrase, open_keyring, verify_signature


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "EAKTE_KEY_PASSPHRASE",
        "EAKTE_KEY_PASSPHRASE_FILE",
        "EAKTE_KEY_DIR",
        "EAKTE_DATA_DIR",
        "EAKTE_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)


def test_passphrase_from_setting(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, key_passphrase=SecretStr("Geheimnis-ä"))
    assert load_passphrase(settings) == "Geheimnis-ä".encode()
    assert not (tmp_path / "passphrase").exists()


def test_passphrase_from_first_line_of_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"first line\r\nsecond line\n")
    settings = Settings(data_dir=tmp_path / "var", key_passphrase_file=secret)
    assert load_passphrase(settings) == b"first line"


def test_setting_wins_over_file(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        key_passphrase=SecretStr("from setting"),
        key_passphrase_file=tmp_path / "missing",
    )
    assert load_passphrase(settings) == b"from setting"


def test_default_passphrase_file_created_in_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    first = load_passphrase(settings)
    path = tmp_path / "var" / "passphrase"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(base64.urlsafe_b64decode(first + b"=")) == 32
    assert load_passphrase(settings) == first  # stable
    assert not settings.resolved_key_dir.exists()
    assert [p.name for p in path.parent.iterdir()] == ["passphrase"]  # no temp files left


def test_missing_default_passphrase_with_existing_keys(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    open_keyring(settings).init()
    (tmp_path / "passphrase").unlink()
    with pytest.raises(SigningKeyError, match="passphrase file .* is missing"):
        load_passphrase(settings)
    assert not (tmp_path / "passphrase").exists()


@pytest.mark.parametrize("content", [b"", b"\n", b"\nsecond line\n"])
def test_empty_passphrase_file(tmp_path: Path, content: bytes) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(content)
    settings = Settings(data_dir=tmp_path, key_passphrase_file=secret)
    with pytest.raises(SigningKeyError, match="secret.txt .* is empty"):
        load_passphrase(settings)


def test_empty_passphrase_setting(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, key_passphrase=SecretStr(""))
    with pytest.raises(SigningKeyError, match="EAKTE_KEY_PASSPHRASE is empty"):
        load_passphrase(settings)


def test_unreadable_passphrase_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "secret.txt"
    settings = Settings(data_dir=tmp_path, key_passphrase_file=missing)
    with pytest.raises(SigningKeyError, match="nowhere/secret.txt"):
        load_passphrase(settings)


def test_open_keyring_uses_key_dir_and_passphrase(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, key_passphrase=SecretStr("pw"))
    info = open_keyring(settings).init()
    assert (tmp_path / "keys" / f"{info.key_id}.key").is_file()
    key_id, signature = open_keyring(settings).sign(b"data")  # a fresh process decrypts
    assert key_id == info.key_id
    assert verify_signature(info.public_pem, b"data", signature)
    wrong = Settings(data_dir=tmp_path, key_passphrase=SecretStr("other"))
    with pytest.raises(SigningKeyError, match="passphrase is wrong"):
        open_keyring(wrong).sign(b"data")
