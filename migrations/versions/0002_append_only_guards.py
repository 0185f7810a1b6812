"""Append-only guards: the database itself refuses to change audit events,
checkpoints and document versions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> the statements it refuses
GUARDED = {
    "audit_events": ("UPDATE", "DELETE"),
    "audit_checkpoints": ("UPDATE", "DELETE"),
    "document_versions": ("UPDATE",),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION eakte_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'eakte: % is append-only (% refused)', TG_TABLE_NAME, TG_OP;
            END $$
            """
        )
        for table, operations in GUARDED.items():
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE {' OR '.join(operations)} "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION eakte_refuse_change()"
            )
        return
    for table, operations in GUARDED.items():
        for operation in operations:
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'eakte: {table} is append-only "
                f"({operation} refused)'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in GUARDED:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION eakte_refuse_change()")
        return
    for table, operations in GUARDED.items():
        for operation in operations:
            op.execute(f"DROP TRIGGER {table}_no_{operation.lower()}")
