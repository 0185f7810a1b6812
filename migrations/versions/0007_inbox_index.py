"""A partial index for the Posteingang: unfiled documents per org unit, by arrival.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNFILED = sa.text("case_file_id IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_documents_inbox",
        "documents",
        ["orgunit_id", "created_at"],
        unique=False,
        sqlite_where=_UNFILED,
        postgresql_where=_UNFILED,
    )


def downgrade() -> None:
    op.drop_index("ix_documents_inbox", table_name="documents")
