"""Worker process for the concurrency test: append audit events as fast as possible.

Usage: python -m tests.integration.records._append_worker NAME COUNT START_FILE
(settings come from EAKTE_* variables; waits until START_FILE exists).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from eakte.config import load_settings
from eakte.records import Records


def main() -> None:
    name, count, start_file = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    records = Records(load_settings())
    with records.reading() as session:  # connect before the race starts
        session.connection()
    while not start_file.exists():
        time.sleep(0.001)
    for n in range(count):
        with records.transaction() as session:
            records.audit.append(
                session,
                actor=f"worker:{name}",
                action="test.appended",
                object_type="test",
                object_id=f"{name}-{n}",
            )
        time.sleep(0.002)  # outside the transaction: lets the other worker in
    records.close()


if __name__ == "__main__":
    main()
