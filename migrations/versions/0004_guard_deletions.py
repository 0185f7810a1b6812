"""Guard deletions: document versions and documents cannot be deleted.

Disposal at the end of retention (Aussonderung) will lift this per document
through an explicit, audited permit when it is built.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER document_versions_append_only ON document_versions")
        op.execute(
            "CREATE TRIGGER document_versions_append_only BEFORE UPDATE OR DELETE "
            "ON document_versions FOR EACH ROW EXECUTE FUNCTION eakte_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents "
            "FOR EACH ROW EXECUTE FUNCTION eakte_refuse_change()"
        )
        return
    for table in ("document_versions", "documents"):
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'eakte: {table} is append-only (DELETE refused)'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER documents_no_delete ON documents")
        op.execute("DROP TRIGGER document_versions_append_only ON document_versions")
        op.execute(
            "CREATE TRIGGER document_versions_append_only BEFORE UPDATE "
            "ON document_versions FOR EACH ROW EXECUTE FUNCTION eakte_refuse_change()"
        )
        return
    op.execute("DROP TRIGGER documents_no_delete")
    op.execute("DROP TRIGGER document_versions_no_delete")
