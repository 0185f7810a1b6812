"""Settings: the one place configuration is read.

Values come, highest priority first, from keyword arguments (tests), ``EAKTE_*``
environment variables, the TOML file named by ``EAKTE_CONFIG`` and the
embedded defaults. Embedded defaults need no configuration: everything lives
under ``data_dir`` (default ``./var``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from eakte.exceptions import ConfigError, DataDirError

ENV_PREFIX = "EAKTE_"
CONFIG_ENV = "EAKTE_CONFIG"


class Settings(BaseSettings):
    """Typed settings of one eakte installation (see docs/configuration.md)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    data_dir: Path = Field(Path("var"), description="Directory holding all local data.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite file eakte.sqlite3 in the data dir."
    )
    storage_backend: Literal["fs", "s3"] = Field("fs", description="Object store backend.")
    search_backend: Literal["tantivy", "whoosh"] = Field(
        "tantivy", description="Full-text search engine."
    )
    search_dir: Path | None = Field(
        None, description="Directory of the search index (default: data_dir/search)."
    )
    storage_dir: Path | None = Field(
        None, description="Folder of the fs object store; default: objects/ in the data dir."
    )
    s3_endpoint: str = Field("127.0.0.1:9000", description="S3 endpoint as host:port.")
    s3_access_key: str = Field("", description="S3 access key.")
    s3_secret_key: SecretStr = Field(SecretStr(""), description="S3 secret key.")
    s3_bucket: str = Field("eakte", description="S3 bucket for all objects.")
    s3_secure: bool = Field(False, description="Use HTTPS for S3.")
    s3_region: str | None = Field(None, description="S3 region, if the server needs one.")
    s3_timeout: float = Field(10.0, description="Seconds to wait for the S3 server.")
    key_dir: Path | None = Field(
        None, description="Folder of the encrypted signing keys; default: keys/ in the data dir."
    )
    key_passphrase: SecretStr | None = Field(
        None, description="Passphrase that encrypts the private signing keys."
    )
    key_passphrase_file: Path | None = Field(
        None, description="File whose first line is the signing key passphrase."
    )
    reference_pattern: str = Field(
        "{plan}-{seq:04}/{year}", description="Pattern of new case file references."
    )
    case_reference_pattern: str = Field(
        "{akte}-{seq}", description="Pattern of case (Vorgang) references inside a case file."
    )
    audit_checkpoint_every: int = Field(
        100,
        ge=1,
        description="Sign a checkpoint of the audit chain after a commit once N events "
        "have been added since the last one (1: after every change).",
    )
    audit_checkpoint_seconds: float = Field(
        60.0,
        ge=0,
        description="...or once the last checkpoint is older than this many seconds.",
    )
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the web server listens on.")
    secret_key: SecretStr | None = Field(
        None, description="Flask session secret; default: generated once in the data dir."
    )
    inbox_dir: Path = Field(Path("scanner-inbox"), description="The watched scanner inbox.")
    inbox_failed_dir: Path | None = Field(
        None, description="Where rejected files go; default: .failed/ in the inbox."
    )
    inbox_processing_dir: Path | None = Field(
        None, description="Claimed files being processed; default: .processing/ in the inbox."
    )
    inbox_settle_seconds: float = Field(
        5.0, ge=0, description="A file is complete when size and mtime stay unchanged this long."
    )
    inbox_rescan_seconds: float = Field(
        60.0, gt=0, description="Full rescan of the inbox every N seconds (catches missed events)."
    )
    inbox_orgunit_folders: bool = Field(
        True, description="The first sub-folder of the inbox names the receiving org unit."
    )
    default_orgunit: str = Field(
        "10", description="Org unit whose Posteingang receives documents without another target."
    )
    ingest_workers: int = Field(
        0, ge=0, description="Parallel ingest workers (0: one per CPU core)."
    )
    ingest_max_attempts: int = Field(
        5, ge=1, description="Attempts at a file that keeps failing before it goes to .failed/."
    )
    ocr_languages: str = Field("deu+eng", description="Tesseract languages for OCR.")
    ocr_page_timeout: float = Field(180.0, gt=0, description="Seconds allowed per OCR page.")
    ocr_rotate_pages: bool = Field(
        True,
        description="Read a page that was not read as it lies again with orientation "
        "detection, and turn sideways and upside-down pages upright.",
    )
    ocr_deskew: bool = Field(
        False, description="Straighten skewed scans (one more tesseract pass per page)."
    )
    tika_url: str | None = Field(
        None, description="URL of a remote Tika server; default: iscc-tika in worker processes."
    )
    tika_timeout: float = Field(
        300.0, gt=0, description="Seconds Tika may take for one born-digital file."
    )
    max_file_mb: int = Field(500, ge=1, description="Largest accepted file in MiB.")
    max_pages: int = Field(1000, ge=1, description="Most pages accepted in one document.")
    max_image_pixels: int = Field(
        200_000_000, ge=1, description="Largest accepted image (pixels per page)."
    )
    max_zip_ratio: int = Field(
        100, ge=1, description="Largest accepted unpacked/packed ratio of ZIP-based files."
    )
    package_max_gb: float = Field(
        64.0,
        gt=0,
        description="Largest total unpacked size (GiB) of an auditor package or import "
        "container; eakte verify PACKAGE reads the same variable (--max-gb).",
    )
    extract_rules_file: Path | None = Field(
        None, description="YAML file with extraction rules (reference patterns, document types)."
    )
    workflows_dir: Path | None = Field(
        None,
        description="Folder of the workflow definitions and routing rules (YAML); default: "
        "workflows/ beside the EAKTE_CONFIG file, else in the data dir; while that folder "
        "does not exist, the shipped examples are used.",
    )
    holiday_state: str = Field(
        "NW",
        description="Bundesland whose public holidays are no working days for deadlines "
        "(BB, BE, BW, BY, HB, HE, HH, MV, NI, NW, RP, SH, SL, SN, ST, TH).",
    )
    workflow_tick_seconds: float = Field(
        300.0,
        gt=0,
        description="How often `eakte serve` handles overdue tasks and due Wiedervorlagen.",
    )
    broker_url: str | None = Field(
        None, description="Redis URL of the Celery broker for `eakte worker` (scale-out)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Logging level of all eakte commands."
    )
    login_rate_limit: str = Field(
        "10 per minute",
        description="Login attempts allowed per client address (Flask-Limiter notation).",
    )
    ratelimit_storage_url: str = Field(
        "memory://",
        description="Where login attempts are counted: memory:// (one web process) or a "
        "redis:// URL shared by several web processes.",
    )
    secure_cookies: bool | None = Field(
        None,
        description="Mark session cookies Secure (HTTPS only); default: yes unless the web "
        "server listens on a loopback address.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_file = os.environ.get(CONFIG_ENV)
        if toml_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(toml_file)))
        return tuple(sources)

    @field_validator("reference_pattern")
    @classmethod
    def _check_reference_pattern(cls, value: str) -> str:
        names = set(re.findall(r"{(\w+)(?::[^}]*)?}", value))
        unknown = names - {"plan", "seq", "year", "orgunit"}
        if unknown or "seq" not in names:
            raise ValueError("must contain {seq} and may use only {plan}, {seq}, {year}, {orgunit}")
        return value

    @field_validator("holiday_state")
    @classmethod
    def _check_holiday_state(cls, value: str) -> str:
        from holidays.countries.germany import Germany

        states = [code for code in Germany.subdivisions if len(code) == 2]
        if value.upper() not in states:
            raise ValueError(f"must be one of {', '.join(states)}")
        return value.upper()

    @field_validator("case_reference_pattern")
    @classmethod
    def _check_case_pattern(cls, value: str) -> str:
        names = set(re.findall(r"{(\w+)(?::[^}]*)?}", value))
        if names != {"akte", "seq"}:
            raise ValueError("must contain exactly {akte} and {seq}")
        return value

    # -- derived locations -------------------------------------------------

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'eakte.sqlite3').resolve()}"

    @property
    def resolved_storage_dir(self) -> Path:
        return self.storage_dir or self.data_dir / "objects"

    @property
    def resolved_search_dir(self) -> Path:
        return self.search_dir or self.data_dir / "search"

    @property
    def resolved_key_dir(self) -> Path:
        return self.key_dir or self.data_dir / "keys"

    @property
    def resolved_workflows_dir(self) -> Path:
        if self.workflows_dir is not None:
            return self.workflows_dir
        config_file = os.environ.get(CONFIG_ENV)
        if config_file:
            return Path(config_file).parent / "workflows"
        return self.data_dir / "workflows"

    @property
    def resolved_failed_dir(self) -> Path:
        return self.inbox_failed_dir or self.inbox_dir / ".failed"

    @property
    def resolved_processing_dir(self) -> Path:
        return self.inbox_processing_dir or self.inbox_dir / ".processing"

    @property
    def tmp_dir(self) -> Path:
        """Scratch space for spooling streams; on the same disk as the data."""
        return self.data_dir / "tmp"

    def ensure_data_dir(self) -> None:
        """Create the data directory and check that it is writable."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            probe = self.data_dir / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise DataDirError(
                f"Data directory {self.data_dir} is not writable ({exc.strerror}). "
                "Fix its permissions or point EAKTE_DATA_DIR to a writable folder."
            ) from exc


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; turn validation problems into a one-line :class:`ConfigError`."""
    config_file = os.environ.get(CONFIG_ENV)
    if config_file and not Path(config_file).is_file():
        raise ConfigError(
            f"{CONFIG_ENV} names {config_file}, which is not a readable file. "
            f"Fix the path or unset {CONFIG_ENV}."
        )
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{ENV_PREFIX}{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"Invalid configuration: {problems}. See docs/configuration.md.") from exc
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Cannot read the configuration file {os.environ.get(CONFIG_ENV)}: {exc}"
        ) from exc
