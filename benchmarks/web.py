"""Web UI latency, measured (prints figures; not a test).

Builds an installation in a temporary directory (SQLite, or ``--database-url``
for an empty PostgreSQL database): the demo data, 20 accounts in the demo's org
units, and ``--docs`` generated German documents (``german_corpus``, fixed seed)
filed in Akten and their Vorgänge. The rows are bulk-inserted into the records
core's tables (documents, case_files, cases; no content, no signatures:
benchmark data only) and the search index is built with ``SearchIndexer.reindex``.
Akten get a skewed number of documents (a few hundred in the biggest), as
in a real registry.

Then the real server (``eakte serve --no-watch``) runs on 127.0.0.1 in a child
process, and ``--users`` simulated users, each logged in with a session cookie
of its own, request for ``--seconds`` seconds the search page (1- and 2-word
queries, phrases, prefixes, filters, page 2, sorted by date) and the pages of
Akten and Vorgänge they may read. Each user waits ``--think`` seconds on average
(uniform between half and one and a half times) between two pages, as people
read a page before the next click; ``--think 0`` lets them request back to back,
which measures the server saturated.

Reports per page: requests, errors, median, p95, p99, max latency, throughput;
the server's peak RSS, and the load average of the machine. Exits non-zero when
a request failed (anything but 200 OK).

    .venv/bin/python benchmarks/web.py [--docs 100000] [--users 20] [--seconds 60]
        [--think 1.0[,0]] [--database-url URL] [--seed 1] [--keep FOLDER]

``--keep FOLDER`` builds the installation there and keeps it; a second run with
the same folder reuses it (for profiling; a kept PostgreSQL database is reused
the same way).
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import search as search_bench  # noqa: E402
from german_corpus import UNITS, documents  # noqa: E402

from eakte import db  # noqa: E402
from eakte.config import load_settings  # noqa: E402
from eakte.records import SYSTEM, Records, create_user, grant_role, init_keys  # noqa: E402
from eakte.records._demo import ADMIN_USER, load_demo  # noqa: E402
from eakte.search import SearchIndexer  # noqa: E402

PASSWORD = "Benchmark-2024!"
PASSPHRASE = "benchmark"
#: the file plan items whose Akten each org unit of the corpus keeps
PLAN_ITEMS = {
    "10": ["0.1", "0.2", "0.3"],
    "32": ["1.1", "1.2", "8.2"],
    "33": ["1.3", "4.1"],
    "63": ["6.1", "6.2", "6.3"],
    "70": ["7.1", "7.2"],
}
DOCS_PER_AKTE = 50  # on average; the number of Akten follows from --docs
IN_A_VORGANG = 0.8  # share of documents filed in a Vorgang (the rest lie in the Akte)
TARGET_P95_MS = 200.0
PAGES = ("search", "akte")


# -- the installation ------------------------------------------------------------------


@dataclass
class Installation:
    env: dict[str, str]
    accounts: list[tuple[str, str | None]]  # (username, org unit code; None: admin of all)
    readable: dict[str | None, list[str]]  # org unit code (None: all) -> references
    admin_password: str


def build(data_dir: Path, count: int, seed: int, database_url: str | None) -> Installation:
    overrides: dict[str, object] = {"data_dir": data_dir, "key_passphrase": PASSPHRASE}
    if database_url:
        overrides["database_url"] = database_url
    settings = load_settings(**overrides)
    settings.ensure_data_dir()
    db.upgrade(settings)
    records = Records(settings)
    init_keys(records, SYSTEM)
    demo = load_demo(records)
    assert demo.admin_password, "the database was not empty"
    accounts = _accounts(records)
    started = time.perf_counter()
    readable = _fill(records, count, seed)
    print(f"{count:,} documents in Akten inserted in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    SearchIndexer(records).reindex()
    print(f"search index built in {time.perf_counter() - started:.0f} s")
    records.close()
    env = {"EAKTE_DATA_DIR": str(data_dir), "EAKTE_KEY_PASSPHRASE": PASSPHRASE}
    if database_url:
        env["EAKTE_DATABASE_URL"] = database_url
    return Installation(env, accounts, readable, demo.admin_password)


def installation(data_dir: Path, args: argparse.Namespace) -> Installation:
    """A new installation, or the one kept by an earlier run with ``--keep``."""
    saved = data_dir / "benchmark-web.json"
    if saved.exists():
        print(f"reusing the installation in {data_dir}")
        inst = Installation(**json.loads(saved.read_text()))
        inst.readable[None] = inst.readable.pop("null")
        return inst
    inst = build(data_dir, args.docs, args.seed, args.database_url)
    if args.keep:
        saved.write_text(json.dumps(dataclasses.asdict(inst)))
    return inst


def _accounts(records: Records) -> list[tuple[str, str | None]]:
    """The admin, then clerks (Sachbearbeitung) and a head (Leitung) in each unit."""
    accounts: list[tuple[str, str | None]] = [(ADMIN_USER, None)]
    for unit in PLAN_ITEMS:
        for role, prefix in (("sachbearbeitung", "sb"), ("leitung", "al")):
            name = f"{prefix}{unit}"
            create_user(records, SYSTEM, username=name, display_name=name, password=PASSWORD)
            grant_role(records, SYSTEM, username=name, orgunit=unit, role=role)
            accounts.append((name, unit))
    return accounts


def _fill(records: Records, count: int, seed: int) -> dict[str | None, list[str]]:
    """Akten, Vorgänge and documents; returns the references readable per org unit."""
    from sqlalchemy import select

    from eakte.models import Case, CaseFile, Document, FilePlanItem, OrgUnit

    with records.reading() as session:
        units = {code: id_ for code, id_ in session.execute(select(OrgUnit.code, OrgUnit.id))}
        plan = {c: id_ for c, id_ in session.execute(select(FilePlanItem.code, FilePlanItem.id))}
    rng = random.Random(seed)
    akten: dict[str, list[tuple[str, list[tuple[str, str]], float]]] = defaultdict(list)
    readable: dict[str | None, list[str]] = defaultdict(list)
    file_rows, case_rows = [], []
    per_unit = max(1, count // DOCS_PER_AKTE // len(PLAN_ITEMS))
    created = datetime(2019, 1, 2, 8, tzinfo=UTC)
    for unit, items in PLAN_ITEMS.items():
        for number in range(per_unit):
            item, year = items[number % len(items)], 2019 + number % 7
            reference = f"{item}-{number + 1:04}/{year}"
            file_id = _id(rng)
            file_rows.append({"id": file_id, "reference": reference, "plan_item_id": plan[item],
                              "title": f"{UNITS[unit][2][number % 12]} {number + 1}",
                              "orgunit_id": units[unit], "created_at": created,
                              "created_by": "benchmark"})  # fmt: skip
            cases = []
            for seq in range(1, rng.randint(1, 8) + 1):
                case_id, case_ref = _id(rng), f"{reference}-{seq}"
                case_rows.append({"id": case_id, "case_file_id": file_id, "seq": seq,
                                  "reference": case_ref, "title": f"Vorgang {seq}",
                                  "created_at": created + timedelta(days=seq),
                                  "created_by": "benchmark", "owner": f"sb{unit}"})  # fmt: skip
                cases.append((case_id, case_ref))
            weight = rng.lognormvariate(0, 1)  # a few big Akten, many small ones
            akten[unit].append((file_id, cases, weight))
            readable[unit] += [reference, *(ref for _, ref in cases)]
    readable[None] = [ref for unit in PLAN_ITEMS for ref in readable[unit]]
    search_bench._insert(records, CaseFile, file_rows)
    search_bench._insert(records, Case, case_rows)
    rows: list[dict[str, object]] = []
    for doc in documents(count, seed=seed):
        file_id, cases, _ = rng.choices(akten[doc.orgunit], [a[2] for a in akten[doc.orgunit]])[0]
        in_case = rng.choice(cases)[0] if rng.random() < IN_A_VORGANG else None
        rows.append({"id": _id(rng), "title": doc.title, "orgunit_id": units[doc.orgunit],
                     "case_file_id": file_id, "case_id": in_case, "created_at": doc.received,
                     "created_by": "benchmark", "version_count": 1,
                     "document_date": doc.document_date, "sender": doc.sender,
                     "document_type": doc.document_type, "text": doc.text,
                     "language": "de"})  # fmt: skip
        if len(rows) == search_bench.INSERT_BATCH:
            search_bench._insert(records, Document, rows)
            rows = []
    if rows:
        search_bench._insert(records, Document, rows)
    print(f"{len(file_rows):,} Akten with {len(case_rows):,} Vorgänge")
    return dict(readable)


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# -- the server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(inst: Installation, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "eakte", "serve", "--no-watch"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    # all simulated users log in from 127.0.0.1: the per-address login limit would
    # stop the eleventh (in an office, each has an address of their own)
    env = {**os.environ, **inst.env, "EAKTE_LOGIN_RATE_LIMIT": "1000 per minute"}
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the peak resident set of the process so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- the simulated users -------------------------------------------------------------------


@dataclass
class Sample:
    page: str
    ms: float
    status: int
    path: str


class User:
    """One browser: its own connection (keep-alive) and session cookie."""

    def __init__(self, port: int, username: str, password: str, references: list[str], seed: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.username, self.password = username, password
        self.references = references
        self.rng = random.Random(seed)
        self.queries = search_bench.query_sets(200, seed)
        self.samples: list[Sample] = []
        self.failure: str | None = None

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()  # reconnects on the next request
            return 0, ""
        for header in response.headers.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def login(self) -> None:
        _, page = self.request("GET", "/login")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match, "no CSRF token on /login"
        form = {"username": self.username, "password": self.password, "csrf_token": match[1]}
        status, _ = self.request("POST", "/login", urlencode(form))
        if status != 302:
            raise SystemExit(f"{self.username} could not log in (HTTP {status})")

    def next_page(self) -> tuple[str, str]:
        if self.rng.random() < 0.5:
            reference = self.rng.choice(self.references)
            return "akte", "/akten/" + quote(reference, safe="/")
        kind = self.rng.choices(
            ["2-word AND", "1-word", "filtered", "phrase", "prefix"], [5, 2, 2, 1, 1]
        )[0]
        params = {"q": self.rng.choice(self.queries[kind])}
        chance = self.rng.random()
        if chance < 0.15:
            params["seite"] = "2"
        elif chance < 0.25:
            params["sortierung"] = self.rng.choice(["neueste", "aelteste"])
        return "search", "/suche?" + urlencode(params)

    def run(self, start: threading.Barrier, until: list[float], think: float) -> None:
        try:
            self._run(start, until, think)
        except BaseException as exc:  # noqa: BLE001  (reported; the others must not wait)
            self.failure = f"{self.username}: {exc!r}"
            start.abort()

    def _run(self, start: threading.Barrier, until: list[float], think: float) -> None:
        self.login()
        for _ in range(4):  # warm-up: the first pages open the index, fill the caches
            self.request("GET", self.next_page()[1])
        start.wait()
        while time.monotonic() < until[0]:
            page, path = self.next_page()
            started = time.perf_counter()
            status, _ = self.request("GET", path)
            self.samples.append(Sample(page, (time.perf_counter() - started) * 1000, status, path))
            if think:
                time.sleep(self.rng.uniform(0.5 * think, 1.5 * think))
        self.conn.close()


def load(inst: Installation, port: int, users: int, seconds: float, think: float,
         seed: int) -> tuple[list[Sample], float]:  # fmt: skip
    simulated = []
    for number in range(users):
        username, unit = inst.accounts[number % len(inst.accounts)]
        password = inst.admin_password if username == ADMIN_USER else PASSWORD
        simulated.append(User(port, username, password, inst.readable[unit], seed + number))
    until = [float("inf")]
    started: list[float] = []

    def begin() -> None:
        started.append(time.monotonic())
        until[0] = started[0] + seconds

    barrier = threading.Barrier(users, action=begin)
    threads = [threading.Thread(target=u.run, args=(barrier, until, think)) for u in simulated]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failures = [u.failure for u in simulated if u.failure]
    if failures:
        raise SystemExit("simulated users failed: " + "; ".join(failures))
    elapsed = time.monotonic() - started[0]
    return [s for u in simulated for s in u.samples], elapsed


# -- the report ----------------------------------------------------------------------------


@dataclass
class Figures:
    requests: int
    errors: int
    median: float
    p95: float
    p99: float
    max: float
    per_s: float
    statuses: dict[int, int] = field(default_factory=dict)


def figures(samples: list[Sample], elapsed: float) -> Figures:
    times = sorted(s.ms for s in samples)
    cuts = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
    statuses: dict[int, int] = defaultdict(int)
    for s in samples:
        statuses[s.status] += 1
    errors = sum(1 for s in samples if s.status != 200)
    return Figures(len(times), errors, statistics.median(times), cuts[94], cuts[98], times[-1],
                   len(times) / elapsed, dict(statuses))  # fmt: skip


def report(think: float, samples: list[Sample], elapsed: float, rss: float,
           args: argparse.Namespace) -> bool:  # fmt: skip
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\n{args.users} users for {elapsed:.0f} s, think time {think:.1f} s on average; "
          f"{args.docs:,} documents; {database}")  # fmt: skip
    print(f"{'page':8}{'requests':>10}{'errors':>8}{'median':>9}{'p95':>9}{'p99':>9}{'max':>9}"
          f"{'req/s':>8}   (ms)")  # fmt: skip
    ok = True
    for page in PAGES:
        chosen = [s for s in samples if s.page == page]
        if not chosen:
            continue
        f = figures(chosen, elapsed)
        print(f"{page:8}{f.requests:>10,}{f.errors:>8}{f.median:>9.1f}{f.p95:>9.1f}{f.p99:>9.1f}"
              f"{f.max:>9.1f}{f.per_s:>8.1f}")  # fmt: skip
        if f.errors:
            print(f"  HTTP statuses: {f.statuses}; e.g. "
                  + ", ".join(s.path for s in chosen if s.status != 200)[:300])  # fmt: skip
        verdict = "met" if f.p95 <= TARGET_P95_MS and not f.errors else "NOT met"
        print(f"  target p95 ≤ {TARGET_P95_MS:.0f} ms and no errors: {verdict}")
        ok = ok and not f.errors
    slowest = sorted(samples, key=lambda s: s.ms)[-3:]
    print("slowest: " + "; ".join(f"{s.ms:.0f} ms {s.path}" for s in reversed(slowest)))
    print(f"server peak RSS so far: {rss:.0f} MiB")
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")  # fmt: skip
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--think",
        type=lambda text: [float(x) for x in text.split(",")],
        default=[1.0],
        help="mean seconds between pages; several (1,0) run one after the other",
    )
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="build in (or reuse) this folder, keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eakte-bench-web-") as tmp:
        inst = installation(args.keep or Path(tmp) / "data", args)
        port = free_port()
        server = start_server(inst, port, (args.keep or Path(tmp)) / "server.log")
        try:
            runs: list[tuple[float, list[Sample], float, float]] = []
            for think in args.think:
                samples, elapsed = load(inst, port, args.users, args.seconds, think, args.seed)
                runs.append((think, samples, elapsed, peak_rss_mib(server.pid)))
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    ok = [report(think, samples, elapsed, rss, args) for think, samples, elapsed, rss in runs]
    if not all(ok):
        sys.exit(1)


if __name__ == "__main__":
    main()
