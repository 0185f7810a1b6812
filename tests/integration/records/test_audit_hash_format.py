"""An installation from before audit hash format 2 keeps its chain valid after migration 0008."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from eakte import db
from eakte import records as svc
from eakte.config import load_settings
from eakte.models import AuditEvent
from eakte.records import SYSTEM, Records, init_keys
from eakte.signing import GENESIS_HASH, canonical_json, event_hash, link_hash, sha256_hex
from eakte.signing._audit import event_content
from tests.services.postgres import PostgresCluster


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'eakte.sqlite3'}"
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster.url(cluster.create_database())


@pytest.fixture
def legacy(tmp_path: Path, empty_url: str) -> Iterator[Records]:
    """A database at 0007 with three format-1 events, then migrated to the head."""
    settings = load_settings(data_dir=tmp_path / "data", database_url=empty_url)
    db.upgrade(settings, "0007")
    prev = GENESIS_HASH
    engine = db.create_db_engine(settings.resolved_database_url)
    with engine.begin() as conn:
        for seq in (1, 2, 3):
            fields = {
                "seq": seq,
                "occurred_at": f"2025-01-0{seq}T08:00:00+00:00",
                "actor": "system",
                "action": "legacy.event",
                "object_type": "test",
                "object_id": str(seq),
                "details": canonical_json({"n": seq}).decode(),
            }
            digest = event_hash(**fields, prev_hash=prev, hash_format=1)
            conn.execute(
                text(
                    "INSERT INTO audit_events (seq, occurred_at, actor, action, object_type,"
                    " object_id, details, prev_hash, hash) VALUES (:seq, :occurred_at, :actor,"
                    " :action, :object_type, :object_id, :details, :prev_hash, :hash)"
                ),
                {**fields, "prev_hash": prev, "hash": digest},
            )
            prev = digest
        conn.execute(text("UPDATE audit_head SET seq = 3, hash = :h WHERE id = 1"), {"h": prev})
    engine.dispose()
    db.upgrade(settings)
    records = Records(settings)
    init_keys(records, SYSTEM)  # appends a format-2 event after the legacy ones
    yield records
    records.close()


def test_old_events_keep_format_1_and_new_ones_link_to_them(legacy: Records) -> None:
    with legacy.transaction() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [e.hash_format for e in events[:3]] == [1, 1, 1]
        new = events[3]
        assert new.hash_format == 2 and new.prev_hash == events[2].hash
        digest = sha256_hex(
            event_content(
                seq=new.seq,
                occurred_at=new.occurred_at,
                actor=new.actor,
                action=new.action,
                object_type=new.object_type,
                object_id=new.object_id,
                details=new.details,
            )
        )
        assert new.hash == link_hash(new.prev_hash, digest)
    report = svc.verify_store(legacy)
    assert report.ok, report.findings
    assert report.counts["audit_events"] == 4
