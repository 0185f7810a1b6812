"""Time to add N small document versions, on SQLite/PostgreSQL × fs/S3.

Prints figures; not a test. Starts a throwaway PostgreSQL cluster and a
SeaweedFS S3 server (as the test suite does) and removes them afterwards.

    .venv/bin/python benchmarks/records.py [--count 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eakte import db  # noqa: E402
from eakte.config import load_settings  # noqa: E402
from eakte.records import SYSTEM, Records, VersionInput, add_version, create_document  # noqa: E402
from eakte.records._demo import load_demo  # noqa: E402
from eakte.records._keys import init_keys  # noqa: E402
from eakte.storage import ObjectStore  # noqa: E402
from tests.services.postgres import PostgresCluster  # noqa: E402
from tests.services.s3 import SeaweedS3, find_weed  # noqa: E402


def run(database_url: str, store: ObjectStore | None, workdir: Path, count: int) -> float:
    settings = load_settings(
        data_dir=workdir / "var", database_url=database_url, key_passphrase="benchmark"
    )
    settings.ensure_data_dir()
    db.upgrade(settings)
    records = Records(settings, store=store)
    init_keys(records, SYSTEM)
    load_demo(records)
    first = create_document(
        records,
        SYSTEM,
        title="Benchmark",
        orgunit="32",
        content=b"v0",
        version=VersionInput(filename="v0.txt", media_type="text/plain"),
    )
    started = time.perf_counter()
    for n in range(count):
        add_version(
            records,
            SYSTEM,
            first.document_id,
            f"Version {n} des Schreibens".encode(),
            VersionInput(filename=f"v{n}.txt", media_type="text/plain"),
        )
    elapsed = time.perf_counter() - started
    records.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eakte-bench-") as tmp:
        root = Path(tmp)
        cluster = PostgresCluster()
        cluster.start()
        weed = find_weed()
        server = SeaweedS3(root / "weed", weed) if weed else None
        try:
            if server:
                server.start()
            for db_name in ("sqlite", "postgresql"):
                for backend in ("fs", "s3"):
                    if backend == "s3" and server is None:
                        print(f"{db_name:<10} {backend:<3}  skipped (no weed binary)")
                        continue
                    workdir = root / f"{db_name}-{backend}"
                    url = (
                        f"sqlite:///{workdir / 'eakte.sqlite3'}"
                        if db_name == "sqlite"
                        else cluster.url(cluster.create_database())
                    )
                    workdir.mkdir()
                    store = None
                    if server is not None and backend == "s3":
                        store = server.store(workdir / "s3tmp", bucket=f"bench-{db_name}")
                    seconds = run(url, store, workdir, args.count)
                    print(
                        f"{db_name:<10} {backend:<3}  {args.count} versions in {seconds:6.2f} s"
                        f"  ({args.count / seconds:7.1f} versions/s,"
                        f" {1000 * seconds / args.count:5.2f} ms each)"
                    )
        finally:
            if server:
                server.stop()
            cluster.stop()


if __name__ == "__main__":
    main()
