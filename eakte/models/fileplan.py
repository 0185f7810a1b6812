"""File plan (Aktenplan), case files (Akten) and cases (Vorgänge)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eakte.models._base import Base, IdColumn, UTCDateTime, new_id, utcnow
from eakte.models.orgs import OrgUnit


class Disposition(enum.StrEnum):
    """What happens at the end of retention (xdomea Aussonderungsart)."""

    ARCHIVE = "A"  # archivwürdig: hand over to the archive
    EVALUATE = "B"  # bewerten: the archive decides
    DESTROY = "V"  # vernichten


class FilePlanItem(Base):
    """A node of the file plan, e.g. ``32.10.05 Sondernutzungen``; carries retention."""

    __tablename__ = "file_plan_items"
    __table_args__ = (
        CheckConstraint("disposition IN ('A', 'B', 'V')", name="disposition_known"),
        CheckConstraint("retention_years IS NULL OR retention_years >= 0", name="retention"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("file_plan_items.id"), index=True)
    retention_years: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    disposition: Mapped[str] = mapped_column(String(1), default=Disposition.EVALUATE.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReferenceCounter(Base):
    """The last sequence number used within one reference scope (e.g. plan code + year)."""

    __tablename__ = "reference_counters"

    scope: Mapped[str] = mapped_column(String(300), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class CaseFile(Base):
    """An Akte, classified under one file plan item and owned by one org unit."""

    __tablename__ = "case_files"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    plan_item_id: Mapped[str] = mapped_column(ForeignKey("file_plan_items.id"), index=True)
    orgunit_id: Mapped[str] = mapped_column(ForeignKey("org_units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # zdA

    plan_item: Mapped[FilePlanItem] = relationship(lazy="joined")
    orgunit: Mapped[OrgUnit] = relationship(lazy="joined")


class Case(Base):
    """A Vorgang: one matter (application, complaint) inside a case file."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("case_file_id", "seq"),)

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    case_file_id: Mapped[str] = mapped_column(ForeignKey("case_files.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(140), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # zdA
    owner: Mapped[str | None] = mapped_column(String(64))  # federführend (a username)
    # end of retention: counted from the end of the year of zdA (None: open or unlimited)
    retention_until: Mapped[date | None] = mapped_column(Date)

    case_file: Mapped[CaseFile] = relationship(lazy="joined")
