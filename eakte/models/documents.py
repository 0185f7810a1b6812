"""Documents and their immutable versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eakte.models._base import Base, IdColumn, UTCDateTime, new_id, utcnow
from eakte.models.fileplan import Case, CaseFile
from eakte.models.orgs import OrgUnit


class Document(Base):
    """A record. Without a case file it lies in its org unit's Posteingang."""

    __tablename__ = "documents"
    __table_args__ = (
        # the Posteingang of some org units, newest first (start page, inbox page)
        Index(
            "ix_documents_inbox",
            "orgunit_id",
            "created_at",
            sqlite_where=text("case_file_id IS NULL"),
            postgresql_where=text("case_file_id IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(500))
    orgunit_id: Mapped[str] = mapped_column(ForeignKey("org_units.id"), index=True)
    case_file_id: Mapped[str | None] = mapped_column(ForeignKey("case_files.id"), index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    version_count: Mapped[int] = mapped_column(Integer, default=0)
    # what extraction found (editable later; the signed manifest keeps the original)
    document_date: Mapped[date | None] = mapped_column(Date)
    sender: Mapped[str | None] = mapped_column(String(300))
    document_type: Mapped[str | None] = mapped_column(String(60))
    language: Mapped[str | None] = mapped_column(String(8))
    page_count: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    # VS-NfD-like handling: every read of a confidential document is audited
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    orgunit: Mapped[OrgUnit] = relationship(lazy="joined")
    case_file: Mapped[CaseFile | None] = relationship(lazy="joined")
    case: Mapped[Case | None] = relationship(lazy="joined")


class DocumentVersion(Base):
    """One immutable version: content, signed manifest and signature (rows never change)."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(50))
    scan_note: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    doc_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)
    case_reference: Mapped[str | None] = mapped_column(String(140))
    manifest_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    previous_manifest_sha256: Mapped[str | None] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(ForeignKey("signing_keys.key_id"))
    signature: Mapped[str] = mapped_column(Text)  # base64 Ed25519 signature
    signature_sha256: Mapped[str] = mapped_column(String(64))  # signature record object
    # derived objects (e.g. {"pdfa": sha256, "text": sha256}), covered by the manifest
    renditions: Mapped[dict[str, str] | None] = mapped_column(JSON)

    document: Mapped[Document] = relationship()
