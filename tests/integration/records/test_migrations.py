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
