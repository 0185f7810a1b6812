"""Engine, sessions and migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from eakte.config import Settings
from eakte.exceptions import DatabaseError

READ_ONLY_OPTION = "eakte_read_only"
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_db_engine(url: str) -> Engine:
    """An engine with the per-database settings eakte relies on.

    SQLite: WAL journal, foreign keys on, and every transaction starts with
    ``BEGIN IMMEDIATE`` so concurrent writers queue on the busy timeout instead
    of failing when a read transaction tries to become a write transaction.
    Connections with the execution option ``READ_ONLY_OPTION`` begin deferred
    and never block writers (WAL readers see a snapshot).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=FULL")  # a commit survives power loss
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            read_only = conn.get_execution_options().get(READ_ONLY_OPTION)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Apply all migrations (``eakte db upgrade``)."""
    from alembic import command

    if settings.resolved_database_url.startswith("sqlite"):
        settings.ensure_data_dir()
    try:
        command.upgrade(_alembic_config(settings.resolved_database_url), revision)
    except OperationalError as exc:
        raise DatabaseError(
            f"Cannot reach the database ({exc.orig}). Check EAKTE_DATABASE_URL."
        ) from exc


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(settings: Settings) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(
        _alembic_config(settings.resolved_database_url)
    ).get_current_head()


def check_migrated(engine: Engine, settings: Settings) -> None:
    """Raise a clear error when the schema is missing or behind the code."""
    try:
        has_version = inspect(engine).has_table("alembic_version")
        current = current_revision(engine) if has_version else None
    except OperationalError as exc:
        raise DatabaseError(
            f"Cannot reach the database ({exc.orig}). Check EAKTE_DATABASE_URL."
        ) from exc
    if current != head_revision(settings):
        raise DatabaseError("The database schema is not up to date. Run `eakte db upgrade`.")
