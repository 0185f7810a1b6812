"""Tampering as someone with database administrator rights would do it.

The schema refuses changes to audit events, checkpoints and versions; an
administrator can drop those guards first. ``eakte verify`` must still notice.
"""

from __future__ import annotations

from sqlalchemy import text

from eakte.records import Records

GUARDS = {
    "audit_events": ("update", "delete"),
    "audit_checkpoints": ("update", "delete"),
    "document_versions": ("update",),
}


def drop_guards(records: Records) -> None:
    with records.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            for table in GUARDS:
                session.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))
        else:
            for table, operations in GUARDS.items():
                for operation in operations:
                    session.execute(text(f"DROP TRIGGER {table}_no_{operation}"))
