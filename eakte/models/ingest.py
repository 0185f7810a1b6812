"""What became of each file the ingest pipeline took."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from eakte.models._base import Base, IdColumn, UTCDateTime, utcnow


class IngestStatus(enum.StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    FAILED = "failed"


class IngestItem(Base):
    """One input file: its job id, hash and outcome (written with the document itself)."""

    __tablename__ = "ingest_items"
    __table_args__ = (  # the same bytes are stored once, even by two workers at once
        Index(
            "uq_ingest_items_stored_sha256",
            "sha256",
            unique=True,
            sqlite_where=text("status = 'stored'"),
            postgresql_where=text("status = 'stored'"),
        ),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)  # the job id
    source_name: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(20))  # inbox, cli, upload, mail
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    orgunit: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20), index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    routing: Mapped[str | None] = mapped_column(Text)  # which rule decided, in plain words
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
