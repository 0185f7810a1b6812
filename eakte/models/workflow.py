"""Workflows (Geschäftsgang): definition versions, instances, tasks, history,
circulations (Umlauf) and resubmissions (Wiedervorlage)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eakte.models._base import Base, IdColumn, UTCDateTime, new_id, utcnow


class WorkflowDefinition(Base):
    """One version of a definition file, kept for as long as an instance uses it."""

    __tablename__ = "workflow_definitions"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    orgunit: Mapped[str | None] = mapped_column(String(32))  # None: for every org unit
    source_name: Mapped[str] = mapped_column(String(300))  # the file it came from
    source_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)  # the YAML text itself
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(100))


class InstanceStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class WorkflowInstance(Base):
    """A running (or finished) workflow on a Vorgang or an inbox document."""

    __tablename__ = "workflow_instances"
    __table_args__ = (
        CheckConstraint("(case_id IS NULL) <> (document_id IS NULL)", name="one_subject"),
        CheckConstraint("status IN ('running', 'completed', 'cancelled')", name="status_known"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    definition_id: Mapped[int] = mapped_column(ForeignKey("workflow_definitions.id"), index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    orgunit_id: Mapped[str] = mapped_column(ForeignKey("org_units.id"), index=True)
    state: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=InstanceStatus.RUNNING.value)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by: Mapped[str] = mapped_column(String(100))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    definition: Mapped[WorkflowDefinition] = relationship(lazy="joined")

    # optimistic concurrency: an UPDATE names the version it read; a lost race matches no row
    __mapper_args__ = {"version_id_col": row_version}


class TaskKind(enum.StrEnum):
    STEP = "step"  # the instance's current state waits for a transition
    COSIGN = "cosign"  # Mitzeichnung within an Umlauf
    RESUBMISSION = "resubmission"  # a Wiedervorlage fell due
    NOTICE = "notice"  # an escalation notice to the Leitung


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    WAITING = "waiting"  # a step task while its Umlauf runs
    DONE = "done"
    CANCELLED = "cancelled"


class WorkflowTask(Base):
    """Work for a person (``assignee``) or for a role in an org unit (a pool)."""

    __tablename__ = "workflow_tasks"
    __table_args__ = (
        CheckConstraint("kind IN ('step', 'cosign', 'resubmission', 'notice')", name="kind_known"),
        CheckConstraint("status IN ('open', 'waiting', 'done', 'cancelled')", name="status_known"),
        Index("ix_workflow_tasks_open_due", "status", "due_date"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20))
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("workflow_instances.id"), index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    state: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)  # a username
    pool_orgunit_id: Mapped[str | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    pool_role: Mapped[str | None] = mapped_column(String(20))  # None: any editor there
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(64))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    circulation_step_id: Mapped[int | None] = mapped_column(
        ForeignKey("circulation_steps.id"), index=True
    )
    resubmission_id: Mapped[int | None] = mapped_column(ForeignKey("resubmissions.id"), unique=True)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}


class WorkflowHistory(Base):
    """A readable history entry: who did what, when, with which comment."""

    __tablename__ = "workflow_history"
    __table_args__ = (UniqueConstraint("instance_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("workflow_instances.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))  # started, transition, cosigned, ...
    transition: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(300))  # German, as shown to people
    from_state: Mapped[str | None] = mapped_column(String(64))
    to_state: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    definition_version: Mapped[int] = mapped_column(Integer)


class Circulation(Base):
    """An Umlauf: co-signers picked at run time, one after another or all at once."""

    __tablename__ = "circulations"
    __table_args__ = (
        CheckConstraint("mode IN ('sequential', 'parallel')", name="mode_known"),
        CheckConstraint(
            "status IN ('running', 'completed', 'refused', 'cancelled')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("workflow_instances.id"), index=True)
    state: Mapped[str] = mapped_column(String(64))  # the state it was started in
    mode: Mapped[str] = mapped_column(String(12))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="running")
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    steps: Mapped[list[CirculationStep]] = relationship(
        order_by="CirculationStep.position", lazy="selectin"
    )


class CirculationStep(Base):
    """One co-signer (a person, or an org unit whose editors share the task)."""

    __tablename__ = "circulation_steps"
    __table_args__ = (
        UniqueConstraint("circulation_id", "position"),
        CheckConstraint(
            "status IN ('pending', 'open', 'signed', 'refused', 'cancelled')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    circulation_id: Mapped[int] = mapped_column(ForeignKey("circulations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    user: Mapped[str | None] = mapped_column(String(64))
    orgunit_id: Mapped[str | None] = mapped_column(ForeignKey("org_units.id"))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    acted_by: Mapped[str | None] = mapped_column(String(64))
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text)


class Resubmission(Base):
    """A Wiedervorlage: the case comes back to a clerk on a given day."""

    __tablename__ = "resubmissions"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'due', 'done', 'cancelled')", name="status_known"),
        Index("ix_resubmissions_status_due", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    for_user: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
