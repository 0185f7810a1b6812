"""Auditor export and offline verification of a large package: throughput and peak RSS.

Builds an installation in a temporary directory (SQLite, or ``--database-url``
for an empty PostgreSQL database): the demo data, two Akten in 32 with two
Vorgänge each, and documents whose versions hold incompressible generated
bytes ("scanned PDFs" of ``--file-mb`` MB each; every third version also has a
PDF/A rendition of half that size) until ``--gigabytes`` of content are stored,
all through the real records service (content-addressed store, signed
manifests, audit log).

Then ``eakte export --all`` runs as a child process, and after it
``eakte verify PACKAGE`` (when the verify command takes a package). For each
the wall time, the throughput over the package's content bytes and the
child's peak RSS (VmHWM from /proc, polled; ru_maxrss as a cross-check) are
printed.

    .venv/bin/python benchmarks/export.py [--gigabytes 2] [--file-mb 40]
        [--database-url URL] [--keep FOLDER]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.services

from eakte import db  # noqa: E402
from eakte.config import load_settings  # noqa: E402
from eakte.records import (  # noqa: E402
    SYSTEM,
    Records,
    VersionInput,
    add_version,
    create_case,
    create_case_file,
    create_document,
    init_keys,
)
from eakte.records._demo import load_demo  # noqa: E402
from eakte.storage import ObjectKind  # noqa: E402
from tests.services.streams import GeneratedStream, MiB  # noqa: E402

PASSPHRASE = "benchmark"
MB = 1_000_000
TARGET_PEAK_RSS_MB = 300


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_kib: int
    returncode: int
    stdout: str
    stderr: str


def stream(size: int, seed: int) -> io.BufferedReader:
    return io.BufferedReader(GeneratedStream(size, seed), MiB)


def fill(records: Records, gigabytes: float, file_mb: float) -> tuple[int, int]:
    """Documents with generated content until ``gigabytes`` are stored; (versions, bytes)."""
    target = int(gigabytes * 1e9)
    size = max(int(file_mb * MB), 1)
    akten = [
        create_case_file(
            records, SYSTEM, plan_code="1.2", title=f"Sondernutzungen {n}", orgunit="32"
        )
        for n in (1, 2)
    ]
    places = [
        create_case(
            records, SYSTEM, case_file_reference=akte.reference, title=f"Antrag {m}"
        ).reference
        for akte in akten
        for m in (1, 2)
    ]
    stored = versions = 0
    document_id: str | None = None
    while stored < target:
        seed = versions + 1
        renditions = {}
        if seed % 3 == 0:
            pdfa = records.store.put(ObjectKind.RENDITION, stream(size // 2, -seed))
            renditions["pdfa"] = pdfa.sha256
            stored += pdfa.size
        version = VersionInput(
            filename=f"scan-{seed:05d}.pdf",
            media_type="application/pdf",
            metadata={"pages": 12},
            source="scan",
            renditions=renditions,
        )
        if document_id is not None and seed % 4 == 0:  # every fourth: a new version
            add_version(records, SYSTEM, document_id, stream(size, seed), version)
        else:
            document_id = create_document(
                records,
                SYSTEM,
                title=f"Eingescannter Antrag {seed}",
                orgunit="32",
                case=places[seed % len(places)],
                content=stream(size, seed),
                version=version,
            ).document_id
        stored += size
        versions += 1
        print(f"\r  {stored / 1e9:5.2f} GB stored in {versions} versions", end="", flush=True)
    print()
    return versions, stored


def run_measured(args: list[str], env: dict[str, str]) -> Run:
    """Run a child process; poll its VmHWM (peak resident set) until it ends."""
    started = time.perf_counter()
    child = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    status = Path(f"/proc/{child.pid}/status")
    while child.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.05)
    stdout, stderr = child.communicate()
    seconds = time.perf_counter() - started
    if peak == 0:  # ended before the first look: the largest child so far
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Run(seconds, peak, child.returncode, stdout, stderr)


def report(name: str, run: Run, content_bytes: int) -> None:
    rate = content_bytes / MB / run.seconds
    peak_mb = run.peak_rss_kib * 1024 / MB
    verdict = "ok" if peak_mb <= TARGET_PEAK_RSS_MB else f"ABOVE {TARGET_PEAK_RSS_MB} MB"
    print(
        f"{name:<7} {run.seconds:7.1f} s  {rate:7.1f} MB/s over {content_bytes / MB:,.0f} MB "
        f"content  peak RSS {peak_mb:6.1f} MB ({verdict})"
    )


def verify_takes_a_package(env: dict[str, str]) -> bool:
    shown = subprocess.run(
        [sys.executable, "-m", "eakte", "verify", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return "PACKAGE" in shown.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=2.0, help="content to export")
    parser.add_argument("--file-mb", type=float, default=40.0, help="size of one version")
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database")
    parser.add_argument("--keep", type=Path, default=None, help="build in FOLDER and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eakte-export-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        bench(folder, args)


def bench(folder: Path, args: argparse.Namespace) -> None:
    settings = load_settings(
        data_dir=folder / "var",
        database_url=args.database_url,
        key_passphrase=PASSPHRASE,
        audit_checkpoint_seconds=60,
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("EAKTE_")} | {
        "EAKTE_DATA_DIR": str(settings.data_dir),
        "EAKTE_DATABASE_URL": settings.resolved_database_url,
        "EAKTE_KEY_PASSPHRASE": PASSPHRASE,
    }
    settings.ensure_data_dir()
    db.upgrade(settings)
    records = Records(settings)
    try:
        if not (settings.data_dir / ".filled").exists():
            init_keys(records, SYSTEM)
            load_demo(records)
            print(f"Filling {folder} with {args.gigabytes} GB of content ...")
            started = time.perf_counter()
            versions, stored = fill(records, args.gigabytes, args.file_mb)
            took = time.perf_counter() - started
            print(f"  {versions} versions, {stored / MB:,.0f} MB in {took:.0f} s")
            (settings.data_dir / ".filled").touch()
        else:
            print(f"Reusing the installation in {folder}")
    finally:
        records.close()

    package = folder / "package.zip"
    package.unlink(missing_ok=True)
    command = [sys.executable, "-m", "eakte"]
    export = run_measured([*command, "export", "--all", "-o", str(package), "--json"], env)
    if export.returncode != 0:
        sys.exit(f"eakte export failed ({export.returncode}): {export.stderr.strip()}")
    result = json.loads(export.stdout)
    content = int(result["counts"]["bytes"])
    print(
        f"Package: {package.stat().st_size / MB:,.0f} MB, {result['counts']['files']} primary "
        f"files, {result['counts']['versions']} versions, {result['counts']['audit_events']} "
        "audit events"
    )
    report("export", export, content)

    if not verify_takes_a_package(env):
        print("verify  skipped: `eakte verify` does not take a package yet")
        return
    verify = run_measured([*command, "verify", str(package), "--json"], env)
    report("verify", verify, content)
    if verify.returncode != 0:
        print(f"verify  found problems (exit {verify.returncode}):")
        print((verify.stdout or verify.stderr)[:2000])


if __name__ == "__main__":
    main()
