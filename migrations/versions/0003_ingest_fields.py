"""Ingest: extracted document fields, renditions, mail attachments, ingest items.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "ingest_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("source_name", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("orgunit", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=True),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("routing", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_ingest_items_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_items")),
    )
    with op.batch_alter_table("ingest_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ingest_items_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ingest_items_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ingest_items_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_ingest_items_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_ingest_items_stored_sha256",
            ["sha256"],
            unique=True,
            sqlite_where=sa.text("status = 'stored'"),
            postgresql_where=sa.text("status = 'stored'"),
        )

    with op.batch_alter_table("document_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("renditions", sa.JSON(), nullable=True))

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("sender", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("document_type", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("page_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("parent_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_documents_parent_id"), ["parent_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_documents_parent_id_documents"), "documents", ["parent_id"], ["id"]
        )


def downgrade() -> None:

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_documents_parent_id_documents"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_documents_parent_id"))
        batch_op.drop_column("parent_id")
        batch_op.drop_column("text")
        batch_op.drop_column("page_count")
        batch_op.drop_column("language")
        batch_op.drop_column("document_type")
        batch_op.drop_column("sender")
        batch_op.drop_column("document_date")

    with op.batch_alter_table("document_versions", schema=None) as batch_op:
        batch_op.drop_column("renditions")

    with op.batch_alter_table("ingest_items", schema=None) as batch_op:
        batch_op.drop_index("uq_ingest_items_stored_sha256")
        batch_op.drop_index(batch_op.f("ix_ingest_items_status"))
        batch_op.drop_index(batch_op.f("ix_ingest_items_sha256"))
        batch_op.drop_index(batch_op.f("ix_ingest_items_document_id"))
        batch_op.drop_index(batch_op.f("ix_ingest_items_created_at"))

    op.drop_table("ingest_items")
