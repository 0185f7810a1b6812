"""Workflows: definition versions, instances, tasks, history, Umlauf, Wiedervorlage;
case owner and end of retention.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workflow_definitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("orgunit", sa.String(length=32), nullable=True),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_definitions")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_workflow_definitions_name")),
    )
    with op.batch_alter_table("workflow_definitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workflow_definitions_name"), ["name"], unique=False)

    op.create_table(
        "resubmissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("for_user", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'due', 'done', 'cancelled')",
            name=op.f("ck_resubmissions_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_resubmissions_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resubmissions")),
    )
    with op.batch_alter_table("resubmissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resubmissions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resubmissions_for_user"), ["for_user"], unique=False)
        batch_op.create_index("ix_resubmissions_status_due", ["status", "due_date"], unique=False)

    op.create_table(
        "workflow_instances",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("document_id", sa.String(length=36), nullable=True),
        sa.Column("orgunit_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.String(length=100), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'cancelled')",
            name=op.f("ck_workflow_instances_status_known"),
        ),
        sa.CheckConstraint(
            "(case_id IS NULL) <> (document_id IS NULL)",
            name=op.f("ck_workflow_instances_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_workflow_instances_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["workflow_definitions.id"],
            name=op.f("fk_workflow_instances_definition_id_workflow_definitions"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_workflow_instances_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["orgunit_id"],
            ["org_units.id"],
            name=op.f("fk_workflow_instances_orgunit_id_org_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_instances")),
    )
    with op.batch_alter_table("workflow_instances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_instances_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_instances_definition_id"), ["definition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_instances_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_instances_orgunit_id"), ["orgunit_id"], unique=False
        )

    op.create_table(
        "circulations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "mode IN ('sequential', 'parallel')", name=op.f("ck_circulations_mode_known")
        ),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'refused', 'cancelled')",
            name=op.f("ck_circulations_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["workflow_instances.id"],
            name=op.f("fk_circulations_instance_id_workflow_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circulations")),
    )
    with op.batch_alter_table("circulations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_circulations_instance_id"), ["instance_id"], unique=False
        )

    op.create_table(
        "workflow_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("transition", sa.String(length=64), nullable=True),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("from_state", sa.String(length=64), nullable=True),
        sa.Column("to_state", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("definition_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["workflow_instances.id"],
            name=op.f("fk_workflow_history_instance_id_workflow_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_history")),
        sa.UniqueConstraint("instance_id", "seq", name=op.f("uq_workflow_history_instance_id")),
    )
    with op.batch_alter_table("workflow_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_history_instance_id"), ["instance_id"], unique=False
        )

    op.create_table(
        "circulation_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("circulation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=True),
        sa.Column("orgunit_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("acted_by", sa.String(length=64), nullable=True),
        sa.Column("acted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'open', 'signed', 'refused', 'cancelled')",
            name=op.f("ck_circulation_steps_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["circulation_id"],
            ["circulations.id"],
            name=op.f("fk_circulation_steps_circulation_id_circulations"),
        ),
        sa.ForeignKeyConstraint(
            ["orgunit_id"], ["org_units.id"], name=op.f("fk_circulation_steps_orgunit_id_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circulation_steps")),
        sa.UniqueConstraint(
            "circulation_id", "position", name=op.f("uq_circulation_steps_circulation_id")
        ),
    )
    with op.batch_alter_table("circulation_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_circulation_steps_circulation_id"), ["circulation_id"], unique=False
        )

    op.create_table(
        "workflow_tasks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("pool_orgunit_id", sa.String(length=36), nullable=True),
        sa.Column("pool_role", sa.String(length=20), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("circulation_step_id", sa.Integer(), nullable=True),
        sa.Column("resubmission_id", sa.Integer(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('step', 'cosign', 'resubmission', 'notice')",
            name=op.f("ck_workflow_tasks_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'waiting', 'done', 'cancelled')",
            name=op.f("ck_workflow_tasks_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_workflow_tasks_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["circulation_step_id"],
            ["circulation_steps.id"],
            name=op.f("fk_workflow_tasks_circulation_step_id_circulation_steps"),
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["workflow_instances.id"],
            name=op.f("fk_workflow_tasks_instance_id_workflow_instances"),
        ),
        sa.ForeignKeyConstraint(
            ["pool_orgunit_id"],
            ["org_units.id"],
            name=op.f("fk_workflow_tasks_pool_orgunit_id_org_units"),
        ),
        sa.ForeignKeyConstraint(
            ["resubmission_id"],
            ["resubmissions.id"],
            name=op.f("fk_workflow_tasks_resubmission_id_resubmissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_tasks")),
        sa.UniqueConstraint("resubmission_id", name=op.f("uq_workflow_tasks_resubmission_id")),
    )
    with op.batch_alter_table("workflow_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workflow_tasks_assignee"), ["assignee"], unique=False)
        batch_op.create_index(batch_op.f("ix_workflow_tasks_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_workflow_tasks_circulation_step_id"),
            ["circulation_step_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_tasks_instance_id"), ["instance_id"], unique=False
        )
        batch_op.create_index("ix_workflow_tasks_open_due", ["status", "due_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_workflow_tasks_pool_orgunit_id"), ["pool_orgunit_id"], unique=False
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("retention_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("retention_until")
        batch_op.drop_column("owner")

    with op.batch_alter_table("workflow_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_tasks_pool_orgunit_id"))
        batch_op.drop_index("ix_workflow_tasks_open_due")
        batch_op.drop_index(batch_op.f("ix_workflow_tasks_instance_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_tasks_circulation_step_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_tasks_case_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_tasks_assignee"))

    op.drop_table("workflow_tasks")
    with op.batch_alter_table("circulation_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_circulation_steps_circulation_id"))

    op.drop_table("circulation_steps")
    with op.batch_alter_table("workflow_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_history_instance_id"))

    op.drop_table("workflow_history")
    with op.batch_alter_table("circulations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_circulations_instance_id"))

    op.drop_table("circulations")
    with op.batch_alter_table("workflow_instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_instances_orgunit_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_instances_document_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_instances_definition_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_instances_case_id"))

    op.drop_table("workflow_instances")
    with op.batch_alter_table("resubmissions", schema=None) as batch_op:
        batch_op.drop_index("ix_resubmissions_status_due")
        batch_op.drop_index(batch_op.f("ix_resubmissions_for_user"))
        batch_op.drop_index(batch_op.f("ix_resubmissions_case_id"))

    op.drop_table("resubmissions")
    with op.batch_alter_table("workflow_definitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_definitions_name"))

    op.drop_table("workflow_definitions")
