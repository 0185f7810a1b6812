"""Full-text search, measured (prints figures; not a test).

Generates N German municipal documents of about 300 words (``german_corpus``,
fixed seed) and writes them straight into a fresh installation's database (bulk
insert: no content, no signatures; benchmark data only). Then, for each backend,
in a child process of its own so that peak memory does not mix:

(a) a full ``SearchIndexer.reindex()``: documents/s, seconds, size of the index
    generation on disk, peak RSS of the process;
(b) query latency through ``SearchService.search`` (page of 10 with facets and
    highlighting, as the web page asks), p50 and p95 per query class, after a
    warm-up; the queries are drawn from the corpus vocabulary with a fixed seed.

Everything lives in a temporary directory that is removed at the end. Whoosh
needs about 23 minutes for 100,000 documents and 200 queries per class (2 cores):
``--whoosh-docs`` gives it a smaller database of its own (the first N documents).

    .venv/bin/python benchmarks/search.py [--docs 100000] [--backends tantivy,whoosh]
        [--queries 200] [--whoosh-docs N] [--seed 1]
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from german_corpus import GENERAL, HEADS, LAST, TAILS, UNITS, documents  # noqa: E402

from eakte import db  # noqa: E402
from eakte.config import Settings, load_settings  # noqa: E402
from eakte.records import (  # noqa: E402
    SYSTEM,
    Principal,
    Records,
    create_user,
    grant_role,
    init_keys,
)
from eakte.records._demo import ADMIN_USER, load_demo  # noqa: E402
from eakte.records._principal import load_principal  # noqa: E402
from eakte.search import SearchIndexer, SearchService, _location  # noqa: E402

INSERT_BATCH = 5_000
WARMUP = 20  # queries per class before timing
CLERK, CLERK_UNIT = "sb32", "32"  # the restricted user: Sachbearbeitung in 32 only
CLASSES = {
    "1-word": ADMIN_USER,
    "2-word AND": ADMIN_USER,
    "phrase": ADMIN_USER,
    "prefix": ADMIN_USER,
    "filtered": ADMIN_USER,
    "2-word, user of 32": CLERK,
}
COMMON = ["Antrag", "Bescheid", "Widerspruch", "Frist", "Gebühr", "Unterlagen", "Stellungnahme",
          "Anhörung", "Zustellung", "Stadtkasse", "Straße", "Strasse", "Grundstück"]  # fmt: skip
# targets for the default backend at 100,000 documents
TARGET_DOCS, TARGET_P95_MS, TARGET_REINDEX_S, TARGET_RSS_MIB = 100_000, 20.0, 120.0, 1024.0


# -- the installation ------------------------------------------------------------------


def installation(data_dir: Path, count: int, seed: int) -> tuple[float, int]:
    """A fresh installation with the demo data, a restricted user and ``count``
    generated documents; returns (seconds for the documents, words written)."""
    settings = load_settings(data_dir=data_dir, key_passphrase="benchmark")
    settings.ensure_data_dir()
    db.upgrade(settings)
    records = Records(settings)
    init_keys(records, SYSTEM)
    load_demo(records)
    create_user(records, SYSTEM, username=CLERK, display_name=CLERK, password="Benchmark-2024!")
    grant_role(records, SYSTEM, username=CLERK, orgunit=CLERK_UNIT, role="sachbearbeitung")
    started = time.perf_counter()
    words = insert_documents(records, count, seed)
    seconds = time.perf_counter() - started
    records.close()
    return seconds, words


def insert_documents(records: Records, count: int, seed: int) -> int:
    from sqlalchemy import select

    from eakte.models import Document, OrgUnit

    with records.reading() as session:
        units = {code: id_ for code, id_ in session.execute(select(OrgUnit.code, OrgUnit.id))}
    rng = random.Random(seed)
    words = inserted = 0
    rows: list[dict[str, object]] = []
    for doc in documents(count, seed=seed):
        words += len(doc.text.split())
        rows.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "title": doc.title,
                "orgunit_id": units[doc.orgunit],
                "created_at": doc.received,
                "created_by": "benchmark",
                "version_count": 1,
                "document_date": doc.document_date,
                "sender": doc.sender,
                "document_type": doc.document_type,
                "text": doc.text,
                "language": "de",
            }
        )
        if len(rows) == INSERT_BATCH:
            _insert(records, Document, rows)
            inserted += len(rows)
            rows = []
            print(f"  inserted {inserted}/{count} documents", file=sys.stderr)
    if rows:
        _insert(records, Document, rows)
    return words


def _insert(records: Records, model: type, rows: list[dict[str, object]]) -> None:
    from sqlalchemy import insert

    with records.transaction() as session:
        session.execute(insert(model), rows)


# -- the queries -------------------------------------------------------------------------


def _phrase(rng: random.Random) -> str:
    """2 to 4 consecutive words of a template (no slot, number or sign between), quoted."""
    while True:
        template = rng.choice(GENERAL + rng.choice(list(UNITS.values()))[3])
        runs: list[list[str]] = [[]]
        for token in re.split(r"\s+|\{\w+\}", template):
            word = token.strip(".,;:!?()„“")
            if word.isalpha():
                runs[-1].append(word)
            if not word.isalpha() or word != token:
                runs.append([])
        words = rng.choice(runs)
        if len(words) >= 2:
            size = rng.randint(2, min(4, len(words)))
            start = rng.randrange(len(words) - size + 1)
            return '"' + " ".join(words[start : start + size]) + '"'


def query_sets(count: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    units = list(UNITS)

    def word(unit: str | None = None) -> str:
        unit = unit or rng.choice(units)
        kind = rng.random()
        if kind < 0.5:
            return rng.choice(UNITS[unit][2])  # a topic of the unit
        if kind < 0.7:
            return rng.choice(COMMON)
        if kind < 0.85:
            return rng.choice(LAST)
        return rng.choice(HEADS) + rng.choice(TAILS)

    def prefix() -> str:
        if rng.random() < 0.2:
            return "Genehm*"
        long = [w for w in (word() for _ in range(10)) if len(w) >= 7]
        chosen = long[0] if long else "Genehmigung"
        return chosen[: rng.randint(4, 6)] + "*"

    def filtered() -> str:
        unit = rng.choice(units)
        doc_type = rng.choice(UNITS[unit][1])
        return f"{word(unit)} typ:{doc_type} oe:{unit} datum:{rng.randint(2019, 2025)}"

    return {
        "1-word": [word() for _ in range(count)],
        "2-word AND": [f"{word(u)} {word(u)}" for u in (rng.choice(units) for _ in range(count))],
        "phrase": [_phrase(rng) for _ in range(count)],
        "prefix": [prefix() for _ in range(count)],
        "filtered": [filtered() for _ in range(count)],
        "2-word, user of 32": [f"{word(CLERK_UNIT)} {word(CLERK_UNIT)}" for _ in range(count)],
    }


# -- one backend, in a child process ------------------------------------------------------


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _size_mib(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def worker(backend: str, data_dir: Path, queries: int, seed: int) -> dict[str, Any]:
    settings = load_settings(data_dir=data_dir, key_passphrase="benchmark", search_backend=backend)
    records = Records(settings)
    before = _maxrss_mib()

    def progress(done: int, total: int) -> None:
        print(f"  {backend}: indexed {done}/{total}", file=sys.stderr)

    started = time.perf_counter()
    indexed = SearchIndexer(records).reindex(progress)
    seconds = time.perf_counter() - started
    peak = _maxrss_mib()
    generation = _location.current_generation(settings)
    assert generation is not None
    result: dict[str, Any] = {
        "docs": indexed,
        "reindex_s": seconds,
        "docs_per_s": indexed / seconds,
        "index_mib": _size_mib(generation),
        "rss_before_mib": before,
        "rss_peak_mib": peak,
    }
    service = SearchService(records)
    with records.reading() as session:
        principals = {name: load_principal(session, name) for name in set(CLASSES.values())}
    warmup = query_sets(WARMUP, seed + 1)
    for name, texts in warmup.items():
        for text in texts:
            service.search(principals[CLASSES[name]], text, page_size=10)
    latencies = {}
    for name, texts in query_sets(queries, seed).items():
        print(f"  {backend}: {len(texts)} queries {name}", file=sys.stderr)
        latencies[name] = _timed(service, principals[CLASSES[name]], texts)
    service.close()
    records.close()
    result["queries"] = latencies
    result["rss_peak_with_queries_mib"] = _maxrss_mib()
    return result


def _timed(service: SearchService, principal: Principal, texts: list[str]) -> dict[str, float]:
    times, totals, empty = [], [], 0
    for text in texts:
        started = time.perf_counter()
        found = service.search(principal, text, page_size=10)
        times.append((time.perf_counter() - started) * 1000)
        totals.append(found.total)
        empty += found.total == 0
    return {
        "p50": statistics.median(times),
        "p95": _p95(times),
        "hits": statistics.mean(totals),
        "empty": empty,
    }


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def run_worker(backend: str, data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", backend]
    command += ["--data-dir", str(data_dir), "--queries", str(args.queries)]
    command += ["--seed", str(args.seed)]
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


# -- the report ------------------------------------------------------------------------


def report(results: dict[str, dict[str, Any]], queries: int) -> None:
    names = list(results)
    width = 26
    print()
    print(f"{'':28}" + "".join(f"{name:>{width}}" for name in names))

    def row(label: str, cell: Callable[[dict[str, Any]], str]) -> None:
        print(f"{label:28}" + "".join(f"{cell(results[n]):>{width}}" for n in names))

    row("documents indexed", lambda r: f"{r['docs']:,}")
    row("full reindex, s", lambda r: f"{r['reindex_s']:.1f}")
    row("indexing, docs/s", lambda r: f"{r['docs_per_s']:,.0f}")
    row("index size, MiB", lambda r: f"{r['index_mib']:.0f}")
    row("peak RSS indexing, MiB", lambda r: f"{r['rss_peak_mib']:.0f}")
    row("  (RSS before reindex)", lambda r: f"{r['rss_before_mib']:.0f}")
    row("peak RSS with queries, MiB", lambda r: f"{r['rss_peak_with_queries_mib']:.0f}")
    print(f"query latency, ms (p50 / p95 of {queries}; mean hits, queries with none)")
    for name in CLASSES:
        row(f"  {name}", functools.partial(_latency, name))


def _latency(name: str, result: dict[str, Any]) -> str:
    return "{p50:.1f} / {p95:.1f} ({hits:,.0f}, {empty:.0f})".format(**result["queries"][name])


def targets(results: dict[str, dict[str, Any]], default: str) -> None:
    if default not in results:
        return
    r = results[default]
    docs, p95 = r["docs"], r["queries"]["2-word AND"]["p95"]
    print(f"\nTargets for the default backend ({default}) at {TARGET_DOCS:,} documents:")
    if docs != TARGET_DOCS:
        print(f"  (measured at {docs:,} documents: indicative only)")
    checks = [
        (f"p95 2-word query with facets and highlighting ≤ {TARGET_P95_MS:.0f} ms", p95,
         TARGET_P95_MS, "ms"),
        (f"full reindex ≤ {TARGET_REINDEX_S:.0f} s", r["reindex_s"], TARGET_REINDEX_S, "s"),
        (f"peak RSS while indexing ≤ {TARGET_RSS_MIB:.0f} MiB", r["rss_peak_mib"],
         TARGET_RSS_MIB, "MiB"),
    ]  # fmt: skip
    for label, value, limit, unit in checks:
        verdict = "met" if value <= limit else "NOT met"
        print(f"  {label:55} {value:8.1f} {unit:3}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--backends", default="tantivy,whoosh")
    parser.add_argument("--queries", type=int, default=200, help="timed queries per class")
    parser.add_argument("--whoosh-docs", type=int, help="index fewer documents with whoosh")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.data_dir, args.queries, args.seed)))
        return
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    with tempfile.TemporaryDirectory(prefix="eakte-bench-search-") as tmp:
        data_dirs: dict[int, Path] = {}
        results = {}
        for backend in backends:
            count = args.docs
            if backend == "whoosh" and args.whoosh_docs:
                count = min(count, args.whoosh_docs)
            if count not in data_dirs:
                data_dirs[count] = Path(tmp) / f"docs-{count}"
                seconds, words = installation(data_dirs[count], count, args.seed)
                print(
                    f"{count:,} documents ({words / max(count, 1):.0f} words each on average) "
                    f"generated and inserted in {seconds:.1f} s"
                )
            results[backend] = run_worker(backend, data_dirs[count], args)
        report(results, args.queries)
        targets(results, Settings.model_fields["search_backend"].default)
        if any(r["docs"] != args.docs for r in results.values()):
            print(
                f"\nNote: whoosh was capped at {args.whoosh_docs:,} documents (--whoosh-docs): "
                "its figures are for fewer documents than the others'."
            )


if __name__ == "__main__":
    main()
