"""Tampering as someone with database administrator rights would do it.

The schema refuses changes to audit events, checkpoints and versions; an
administrator can drop those guards first. ``eakte verify`` must still notice.
"""

from __future__ import annotations

from sqlalchemy import text

from eakte.records import Records

GUARDS = {  # SQLite: table -> triggers; PostgreSQL: one trigger per table unless named
    "audit_events": ("update", "delete"),
    "audit_checkpoints": ("update", "delete"),
    "document_versions": ("update", "delete"),
    "documents": ("delete",),
}
PG_TRIGGERS = {
    "audit_events": "audit_events_append_only",
    "audit_checkpoints": "audit_checkpoints_append_only",
    "document_versions": "document_versions_append_only",
    "documents": "documents_no_delete",
}


def drop_guards(records: Records) -> None:
    with records.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            for table, trigger in PG_TRIGGERS.items():
                session.execute(text(f"DROP TRIGGER {trigger} ON {table}"))
        else:
            for table, operations in GUARDS.items():
                for operation in operations:
                    session.execute(text(f"DROP TRIGGER {table}_no_{operation}"))
