"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from eakte.db import check_migrated, create_db_engine
from eakte.models import Base
from eakte.records import Records


def test_migrated_schema_matches_the_models(records: Records) -> None:
    engine = create_db_engine(records.settings.resolved_database_url)
    check_migrated(engine, records.settings)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_every_guard_trigger_survives_all_migrations(records: Records) -> None:
    """A migration that rebuilds a table (batch mode on SQLite) must not drop its guards."""
    engine = create_db_engine(records.settings.resolved_database_url)
    if engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        expected = {
            "audit_checkpoints_no_delete",
            "audit_checkpoints_no_update",
            "audit_events_no_delete",
            "audit_events_no_update",
            "document_versions_no_delete",
            "document_versions_no_update",
            "documents_no_delete",
        }
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        expected = {"document_versions_append_only", "documents_no_delete"}
    with engine.connect() as conn:
        found = {row[0] for row in conn.exec_driver_sql(query)}
    engine.dispose()
    assert expected <= found
