"""Settings: embedded defaults, environment, TOML file, priorities and one-line errors.

The autouse fixture in tests/conftest.py removes every EAKTE_* variable first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eakte.config import Settings, load_settings
from eakte.exceptions import ConfigError, DataDirError


def write_toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "eakte.toml"
    path.write_text(text, encoding="utf-8")
    return path


def config_error(monkeypatch: pytest.MonkeyPatch, **env: str) -> ConfigError:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "\n" not in message, "configuration errors must fit on one line"
    assert info.value.exit_code == 11
    return info.value


# -- embedded defaults ---------------------------------------------------------


def test_defaults_need_no_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.data_dir == Path("var")
    expected_db = (tmp_path / "var" / "eakte.sqlite3").resolve()
    assert settings.resolved_database_url == f"sqlite:///{expected_db}"
    assert settings.storage_backend == "fs"
    assert settings.resolved_storage_dir == Path("var") / "objects"
    assert settings.resolved_key_dir == Path("var") / "keys"
    assert settings.tmp_dir == Path("var") / "tmp"
    assert settings.key_passphrase is None and settings.key_passphrase_file is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.reference_pattern == "{plan}-{seq:04}/{year}"
    assert settings.audit_checkpoint_every == 100


def test_loading_settings_creates_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    load_settings()
    assert list(tmp_path.iterdir()) == []


def test_locations_follow_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    assert settings.resolved_database_url.endswith(f"{tmp_path}/data/eakte.sqlite3")
    assert settings.resolved_storage_dir == tmp_path / "data" / "objects"
    assert settings.resolved_key_dir == tmp_path / "data" / "keys"


def test_ensure_data_dir_creates_it(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "a" / "b")
    settings.ensure_data_dir()
    assert (tmp_path / "a" / "b").is_dir()
    assert list((tmp_path / "a" / "b").iterdir()) == []


def test_unusable_data_dir_names_the_setting(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    settings = load_settings(data_dir=blocker / "var")
    with pytest.raises(DataDirError, match="EAKTE_DATA_DIR"):
        settings.ensure_data_dir()


# -- environment ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("EAKTE_DATA_DIR", "/srv/eakte", "data_dir", Path("/srv/eakte")),
        (
            "EAKTE_DATABASE_URL",
            "postgresql+psycopg://e@db/e",
            "database_url",
            "postgresql+psycopg://e@db/e",
        ),
        ("EAKTE_STORAGE_BACKEND", "s3", "storage_backend", "s3"),
        ("EAKTE_STORAGE_DIR", "/mnt/objects", "storage_dir", Path("/mnt/objects")),
        ("EAKTE_S3_ENDPOINT", "minio:9000", "s3_endpoint", "minio:9000"),
        ("EAKTE_S3_SECURE", "true", "s3_secure", True),
        ("EAKTE_S3_SECURE", "0", "s3_secure", False),
        ("EAKTE_S3_TIMEOUT", "2.5", "s3_timeout", 2.5),
        (
            "EAKTE_KEY_PASSPHRASE_FILE",
            "/etc/eakte/pass",
            "key_passphrase_file",
            Path("/etc/eakte/pass"),
        ),
        (
            "EAKTE_REFERENCE_PATTERN",
            "{orgunit}.{plan}-{seq}",
            "reference_pattern",
            "{orgunit}.{plan}-{seq}",
        ),
        ("EAKTE_AUDIT_CHECKPOINT_EVERY", "7", "audit_checkpoint_every", 7),
        ("EAKTE_PORT", "9000", "port", 9000),
        ("eakte_port", "9001", "port", 9001),
    ],
)
def test_environment_overrides_defaults(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str, expected: object
) -> None:
    monkeypatch.setenv(variable, value)
    assert getattr(load_settings(), field) == expected


def test_database_url_replaces_the_sqlite_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EAKTE_DATABASE_URL", "postgresql+psycopg://eakte@db:5432/eakte")
    assert load_settings().resolved_database_url == "postgresql+psycopg://eakte@db:5432/eakte"


def test_secrets_are_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EAKTE_KEY_PASSPHRASE", "very-secret-passphrase")
    monkeypatch.setenv("EAKTE_S3_SECRET_KEY", "very-secret-s3-key")
    monkeypatch.setenv("EAKTE_SECRET_KEY", "very-secret-session-key")
    settings = load_settings()
    assert settings.key_passphrase is not None
    assert settings.key_passphrase.get_secret_value() == "very-secret-passphrase"
    assert "very-secret" not in repr(settings) and "very-secret" not in str(settings)


def test_keyword_arguments_beat_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EAKTE_PORT", "9000")
    assert load_settings(port=9100).port == 9100


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.port = 1  # type: ignore[misc]


# -- TOML file -----------------------------------------------------------------


def test_toml_file_named_by_eakte_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write_toml(
        tmp_path,
        'data_dir = "/srv/eakte"\n'
        'storage_backend = "s3"\n'
        "s3_secure = true\n"
        "port = 8080\n"
        's3_secret_key = "geheim-ä"\n',
    )
    monkeypatch.setenv("EAKTE_CONFIG", str(path))
    settings = load_settings()
    assert settings.data_dir == Path("/srv/eakte")
    assert settings.storage_backend == "s3"
    assert settings.s3_secure is True
    assert settings.port == 8080
    assert settings.s3_secret_key.get_secret_value() == "geheim-ä"
    assert settings.host == "127.0.0.1"  # not in the file: default


def test_environment_beats_toml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write_toml(tmp_path, 'data_dir = "/srv/from-toml"\nport = 8080\n')
    monkeypatch.setenv("EAKTE_CONFIG", str(path))
    monkeypatch.setenv("EAKTE_PORT", "9000")
    settings = load_settings()
    assert settings.port == 9000
    assert settings.data_dir == Path("/srv/from-toml")


def test_unknown_toml_key_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write_toml(tmp_path, 'data_dri = "/srv/eakte"\n')
    error = config_error(monkeypatch, EAKTE_CONFIG=str(path))
    assert "data_dri".upper() in str(error)


def test_invalid_value_in_toml_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = write_toml(tmp_path, 'port = "abc"\n')
    assert "EAKTE_PORT" in str(config_error(monkeypatch, EAKTE_CONFIG=str(path)))


def test_malformed_toml_is_a_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write_toml(tmp_path, 'port = "8000\ndata_dir = \n')
    error = config_error(monkeypatch, EAKTE_CONFIG=str(path))
    assert str(path) in str(error)


def test_toml_that_is_not_utf8_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('data_dir = "/srv/Gemeindeverwaltung-Müllheim"\n'.encode("latin-1"))
    error = config_error(monkeypatch, EAKTE_CONFIG=str(path))
    assert str(path) in str(error)


def test_missing_toml_file_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    error = config_error(monkeypatch, EAKTE_CONFIG=str(tmp_path / "missing.toml"))
    assert "missing.toml" in str(error)


# -- invalid values ------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EAKTE_PORT", "abc"),
        ("EAKTE_PORT", "0"),
        ("EAKTE_PORT", "70000"),
        ("EAKTE_REFERENCE_PATTERN", "{plan}/{year}"),
        ("EAKTE_REFERENCE_PATTERN", "{plan}-{seq}/{month}"),
        ("EAKTE_CASE_REFERENCE_PATTERN", "{akte}"),
        ("EAKTE_STORAGE_BACKEND", "gcs"),
        ("EAKTE_S3_SECURE", "maybe"),
        ("EAKTE_S3_TIMEOUT", "soon"),
        ("EAKTE_AUDIT_CHECKPOINT_EVERY", "0"),
    ],
)
def test_invalid_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    error = config_error(monkeypatch, **{variable: value})
    assert variable in str(error)
    assert "docs/configuration.md" in str(error)


def test_reference_pattern_error_says_what_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    error = config_error(monkeypatch, EAKTE_REFERENCE_PATTERN="{plan}/{year}")
    assert "{seq}" in str(error)


def test_several_problems_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    error = config_error(monkeypatch, EAKTE_PORT="abc", EAKTE_STORAGE_BACKEND="gcs")
    assert "EAKTE_PORT" in str(error) and "EAKTE_STORAGE_BACKEND" in str(error)


def test_settings_class_accepts_only_known_fields() -> None:
    with pytest.raises(ValueError, match="data_dri"):
        Settings(data_dri="x")  # type: ignore[call-arg]
