"""Two real processes appending to the audit log at the same time never fork the chain."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from eakte.config import Settings
from eakte.models import AuditEvent
from eakte.records import Records
from eakte.signing._audit_verify import verify_audit_chain
from tests.conftest import TEST_PASSPHRASE

ROOT = Path(__file__).resolve().parents[3]
PER_WORKER = 60


def test_two_processes_never_fork_the_chain(
    records: Records, settings: Settings, tmp_path: Path
) -> None:
    start = tmp_path / "start"
    env = {
        **os.environ,
        "EAKTE_DATA_DIR": str(settings.data_dir),
        "EAKTE_DATABASE_URL": settings.resolved_database_url,
        "EAKTE_KEY_PASSPHRASE": TEST_PASSPHRASE,
        "EAKTE_AUDIT_CHECKPOINT_EVERY": "7",
    }
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.records._append_worker",
                name,
                str(PER_WORKER),
                str(start),
            ],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
        )
        for name in ("a", "b")
    ]
    time.sleep(1.0)  # both connected and waiting
    start.touch()
    for worker in workers:
        _, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr.decode()

    with records.reading() as session:
        seqs = session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
        by_worker = dict(
            session.execute(select(AuditEvent.actor, func.count()).group_by(AuditEvent.actor)).all()
        )
        keys = {k.key_id: k.public_pem for k in records.keyring().list()}
        findings = list(verify_audit_chain(session, records.store, keys))
    assert findings == []
    assert seqs == list(range(1, len(seqs) + 1))
    assert by_worker["worker:a"] == by_worker["worker:b"] == PER_WORKER
    # the two workers really interleaved (otherwise the test proves nothing)
    with records.reading() as session:
        actors = session.scalars(
            select(AuditEvent.actor)
            .where(AuditEvent.actor.like("worker:%"))
            .order_by(AuditEvent.seq)
        ).all()
    switches = sum(1 for x, y in zip(actors, actors[1:], strict=False) if x != y)
    assert switches >= 2
