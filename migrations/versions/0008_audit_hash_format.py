"""Audit hash format 2: new events hash ``prev_hash`` + the SHA-256 of their content.

Events already in the log keep format 1 (their hashes and the signed
checkpoints over them stay valid); every event appended from now on uses
format 2, so an export can prove the chain through events whose content it
leaves out (see eakte/signing/_audit.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN: no table rebuild, so SQLite's append-only triggers stay
    op.add_column(
        "audit_events",
        sa.Column("hash_format", sa.Integer(), nullable=False, server_default=sa.text("1")),
    )


def downgrade() -> None:
    raise NotImplementedError(
        "Format 2 audit events cannot be expressed in format 1; restore a backup instead."
    )
