"""Ingest throughput, measured (prints figures; not a test).

(a) raw tesseract on generated scanned A4 pages at 300 dpi: one tesseract per
    page with its defaults (`--psm 3`), `pdf txt` output, `OMP_THREAD_LIMIT=1`,
    pages in parallel across the cores;
(b) the full pipeline on the same pages (as one multi-page scan and as single
    page scans), with the inbox service already running (its start and the first
    documents are timed apart): wall time, ratio to (a), CPU time (and the part
    of it besides the pipeline's own tesseracts, which on a busy machine is the
    steadier figure), peak RSS of the service and its workers;
(c) born-digital files per second, for each kind (DOCX, XLSX, PPTX, ODT, ODS,
    PDF with text, HTML, text, e-mail with attachments).

    .venv/bin/python benchmarks/ingest.py [--pages 40] [--rounds 3] [--born-digital 30]
        [--workers N]  (ingest workers; default: the setting's default, one per core)
        [--memory]     (sample the whole process tree's memory: the 1 GB target is for a
                        100-page batch, `--pages 100 --rounds 1 --memory`)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eakte import db  # noqa: E402
from eakte.config import Settings, load_settings  # noqa: E402
from eakte.ingest import Inbox, InboxService  # noqa: E402
from eakte.ingest._executor import worker_count  # noqa: E402
from eakte.records import SYSTEM, Records, init_keys  # noqa: E402
from eakte.records._demo import load_demo  # noqa: E402
from eakte.workflow import load_at_start  # noqa: E402


def rss_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def installation(root: Path, **extra: object) -> Settings:
    settings = load_settings(
        data_dir=root / "var",
        inbox_dir=root / "inbox",
        key_passphrase="benchmark",
        inbox_settle_seconds=0.2,
        inbox_rescan_seconds=2,
        **extra,
    )
    settings.ensure_data_dir()
    db.upgrade(settings)
    records = Records(settings)
    init_keys(records, SYSTEM)
    load_demo(records)
    load_at_start(records)  # as `eakte serve` and `eakte watch` do: routing rules start workflows
    records.close()
    Inbox(settings).ensure()
    return settings


def count_items(records: Records) -> int:
    from sqlalchemy import func, select

    from eakte.models import IngestItem

    with records.reading() as session:
        return session.scalar(select(func.count()).select_from(IngestItem)) or 0


def drop_and_wait(settings: Settings, records: Records, files: list[Path]) -> float:
    """Drop files into the inbox and wait until each has an ingest item and no job is
    left in the processing area (a mail's job ends after its attachments); seconds."""
    expected = count_items(records) + len(files)
    processing = settings.resolved_processing_dir
    started = time.perf_counter()
    for path in files:
        target = settings.inbox_dir / path.name
        target.write_bytes(path.read_bytes())
    while True:
        time.sleep(0.05)
        # Cheap looks first: the database is asked only once the folders seem done,
        # so that the benchmark's polling takes little from the pipeline it measures.
        if any(not job.name.startswith(".") for job in processing.iterdir()):
            continue
        if any((settings.inbox_dir / path.name).exists() for path in files):
            continue
        if count_items(records) >= expected:
            return time.perf_counter() - started


def cpu_seconds() -> tuple[float, float]:
    """CPU time used so far by this process and all its descendants, live or reaped
    (a process's reaped children count in its cutime/cstime), and the part of it
    spent in tesseract (the reaped children of the OCR workers). Unlike wall time,
    this does not grow when other programs share the cores."""
    own = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )
    ticks: dict[int, int] = {}
    ocr_workers: dict[int, int] = {}  # pid: CPU ticks of its reaped tesseracts
    for pid in descendants():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        ticks[pid] = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        if b"eakte.ocr._worker" in command:
            ocr_workers[pid] = int(fields[13]) + int(fields[14])
    tick = os.sysconf("SC_CLK_TCK")
    tesseract = sum(ocr_workers.values()) / tick
    return own + sum(ticks.values()) / tick, tesseract


class TreeMemory:
    """Samples the memory of this process and all its descendants (service, ingest
    workers, OCR and Tika workers, tesseracts) while it runs: the peak of the summed
    RSS (which counts shared pages once per process) and of the summed PSS (shared
    pages split among their processes: what the tree really takes). Reading every
    process's smaps_rollup costs CPU, so this is on only with ``--memory``."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.peak_rss = self.peak_pss = 0.0
        self.largest = 0.0

    def __enter__(self) -> TreeMemory:  # once per round: the peaks are kept across rounds
        import threading

        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            rss = pss = largest = 0.0
            for pid in {os.getpid(), *descendants()}:
                try:
                    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
                except OSError:
                    continue  # gone meanwhile
                fields = dict(line.split(":", 1) for line in rollup.splitlines()[1:])
                own = int(fields["Rss"].split()[0]) / 1024
                rss, pss = rss + own, pss + int(fields["Pss"].split()[0]) / 1024
                largest = max(largest, own)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.largest = max(self.largest, largest)


def descendants() -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found: set[int] = set()
    frontier = {os.getpid()}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def run_inbox(
    settings: Settings, warmup: list[Path], files: list[Path], memory: TreeMemory | None = None
) -> tuple[float, float, float, float]:
    """Start the inbox service, let it take ``warmup`` (one file per worker: this
    starts the worker processes and their OCR workers), then time ``files``.
    Returns (seconds from start until the warm-up files were done, seconds for ``files``,
    CPU seconds for ``files``: the service, its workers, their tesseracts, and the
    polling of this benchmark; and the CPU seconds of their tesseracts alone)."""
    import threading

    service = InboxService(settings)
    records = Records(settings)
    runner = threading.Thread(target=service.run)
    started = time.perf_counter()
    runner.start()
    drop_and_wait(settings, records, warmup)
    cold = time.perf_counter() - started
    cpu, tesseract = cpu_seconds()
    if memory is None:
        seconds = drop_and_wait(settings, records, files)
    else:
        with memory:
            seconds = drop_and_wait(settings, records, files)
    cpu_after, tesseract_after = cpu_seconds()
    service.stop()
    runner.join()
    records.close()
    return cold, seconds, cpu_after - cpu, tesseract_after - tesseract


# -- scanned pages ---------------------------------------------------------------


def make_pages(folder: Path, count: int) -> list[Path]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from letters import generate  # type: ignore[import-not-found]

    generate(folder, count, seed=7)
    return sorted(folder.glob("*_clean_1.png"))[:count]


def raw_tesseract(pages: list[Path], languages: str) -> tuple[float, float]:
    """Seconds and CPU seconds for OCR of ``pages`` by plain tesseract."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    workers = os.cpu_count() or 1

    def one(page: Path) -> None:
        out = page.with_suffix("")
        subprocess.run(
            ["tesseract", str(page), str(out), "-l", languages, "pdf", "txt"],
            check=True,
            capture_output=True,
            env=env,
        )

    started, (cpu, _) = time.perf_counter(), cpu_seconds()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, pages))
    return time.perf_counter() - started, cpu_seconds()[0] - cpu


def as_multipage_pdf(pages: list[Path], target: Path) -> Path:
    import img2pdf

    target.write_bytes(img2pdf.convert([str(p) for p in pages]))
    return target


# -- born-digital documents --------------------------------------------------------

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
KINDS = ("docx", "xlsx", "pptx", "odt", "ods", "pdf", "html", "txt", "eml")


def letter_lines(n: int) -> list[str]:
    return [
        "Stadt Musterstadt - Ordnungsamt",
        f"Musterstadt, {1 + n % 28:02d}.11.2024",
        f"Az.: 32.10.05-{n:04d}/2024",
        f"Betreff: Antrag Nummer {n}",
        *["Sehr geehrte Damen und Herren, wir bitten um Prüfung des Antrags."] * 20,
        "Mit freundlichen Grüßen",
    ]


def born_digital_file(folder: Path, kind: str, n: int) -> Path:
    """A letter of this kind, different for every n (no two are duplicates)."""
    sys.path.insert(0, str(FIXTURES))
    from make_fixtures import pdf_bytes, text_pdf  # type: ignore[import-not-found]
    from office_files import docx, ods, odt, pptx, xlsx  # type: ignore[import-not-found]
    from pictures import png, render  # type: ignore[import-not-found]
    from texts import mail_eml  # type: ignore[import-not-found]

    lines = letter_lines(n)
    rows: list[list[str | float]] = [[line, float(i)] for i, line in enumerate(lines)]
    title = f"Antrag {n}"
    path = folder / f"{kind}-{n:05d}.{kind}"
    data: bytes
    if kind == "docx":
        data = docx(title, lines)
    elif kind == "xlsx":
        data = xlsx(title, "Tabelle", rows)
    elif kind == "pptx":
        data = pptx(title, [lines[:4], lines[4:8]])
    elif kind == "odt":
        data = odt(title, lines)
    elif kind == "ods":
        data = ods(title, "Tabelle", rows)
    elif kind == "pdf":
        data = pdf_bytes(text_pdf([lines], title))
    elif kind == "html":
        data = f"<html><body><p>{'<br>'.join(lines)}</p></body></html>".encode()
    elif kind == "txt":
        data = "\n".join(lines).encode()
    else:  # a mail with a PDF and a DOCX attached, and a logo inline
        annex = pdf_bytes(text_pdf([[f"Anlage zu Antrag {n}"]], "Anlage"))
        logo = png(render([str(n)], 72, height_mm=20), 72)
        data = f"X-Benchmark: {n}\n".encode() + mail_eml(annex, docx(title, lines), logo)
    path.write_bytes(data)
    return path


def born_digital(settings: Settings, folder: Path, per_kind: int) -> None:
    """Per kind: documents per second with the service running (a mail counts its
    attachments as documents too)."""
    import threading

    folder.mkdir()
    service = InboxService(settings)
    records = Records(settings)
    runner = threading.Thread(target=service.run)
    runner.start()
    warmup = [born_digital_file(folder, "docx", 90_000 + n) for n in range(worker_count(settings))]
    drop_and_wait(settings, records, warmup)
    total_files = total_seconds = 0.0
    for number, kind in enumerate(KINDS):
        files = [born_digital_file(folder, kind, number * 1000 + n) for n in range(per_kind)]
        before = documents_count(records)
        seconds = drop_and_wait(settings, records, files)
        documents = documents_count(records) - before
        total_files += len(files)
        total_seconds += seconds
        print(
            f"(c) born-digital {kind:4}: {len(files)} files in {seconds:5.1f} s "
            f"({len(files) / seconds:5.1f} files/s)"
            + (f", {documents} documents with the attachments" if kind == "eml" else "")
        )
    print(
        f"(c) born-digital, all kinds: {total_files:.0f} files in {total_seconds:.1f} s "
        f"({total_files / total_seconds:.1f} files/s)"
    )
    service.stop()
    runner.join()
    records.close()


def documents_count(records: Records) -> int:
    from sqlalchemy import func, select

    from eakte.models import Document

    with records.reading() as session:
        return session.scalar(select(func.count()).select_from(Document)) or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--born-digital", type=int, default=30, help="files per kind")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (a) and (b)")
    parser.add_argument("--skip-ocr", action="store_true")
    parser.add_argument("--workers", type=int, default=0, help="ingest workers (0: default)")
    parser.add_argument(
        "--memory", action="store_true", help="sample the whole process tree's memory (costs CPU)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eakte-bench-ingest-") as tmp:
        root = Path(tmp)
        if not args.skip_ocr:
            scanned(root, args.pages, args.rounds, args.workers, args.memory)
        if args.born_digital:
            settings = installation(root / "born")
            born_digital(settings, root / "digital", args.born_digital)


def scanned(root: Path, count: int, rounds: int, workers: int = 0, memory: bool = False) -> None:
    """Raw tesseract and the pipeline in turns, ``rounds`` times (the machine's speed
    drifts by several per cent between minutes); the medians are compared."""
    pages = make_pages(root / "pages", count + max(2, workers))
    pages, warmup = pages[:count], pages[count:]  # one warm-up page per worker
    scan = as_multipage_pdf(pages, root / "scan.pdf")
    settings = {"ingest_workers": workers} if workers else {}
    warmup = warmup[: workers or len(warmup)]
    raw: list[tuple[float, float]] = []  # (seconds, CPU seconds) per round
    one: list[tuple[float, float, float]] = []  # …and the CPU seconds of tesseract alone
    single: list[tuple[float, float, float]] = []
    colds = []
    trees = {"one": TreeMemory(), "single": TreeMemory()} if memory else {}
    for number in range(rounds):
        raw.append(raw_tesseract(pages, "deu+eng"))
        cold, *timed = run_inbox(
            installation(root / f"one-{number}", **settings), warmup, [scan], trees.get("one")
        )
        one.append((timed[0], timed[1], timed[2]))
        colds.append(cold)
        _, *timed = run_inbox(
            installation(root / f"single-{number}", **settings), warmup, pages, trees.get("single")
        )
        single.append((timed[0], timed[1], timed[2]))
        print(
            f"    round {number + 1}: raw {raw[-1][0]:.1f} s ({raw[-1][1]:.1f} s CPU), "
            f"one scan {one[-1][0]:.1f} s ({one[-1][1]:.1f} s CPU, "
            f"{raw[-1][0] / one[-1][0]:.0%}), single pages {single[-1][0]:.1f} s "
            f"({single[-1][1]:.1f} s CPU, {raw[-1][0] / single[-1][0]:.0%}); besides "
            f"tesseract {(one[-1][1] - one[-1][2]) / count * 1000:.0f} / "
            f"{(single[-1][1] - single[-1][2]) / count * 1000:.0f} ms CPU per page"
        )
    base, base_cpu = (statistics.median(values) for values in zip(*raw, strict=True))
    print(
        f"(a) raw tesseract: {count} pages in {base:6.1f} s ({count / base:.2f} pages/s), "
        f"{base_cpu:.1f} s CPU"
    )
    for label, runs in ((f"one {count}-page scan", one), (f"{count} single-page scans", single)):
        seconds, cpu = (statistics.median(values) for values in list(zip(*runs, strict=True))[:2])
        besides = statistics.median(run[1] - run[2] for run in runs)
        share = statistics.median(run[2] / run[1] for run in runs)
        print(
            f"(b) pipeline, {label}: {seconds:6.1f} s ({count / seconds:.2f} pages/s, "
            f"{base / seconds:.0%} of raw tesseract); {cpu:.1f} s CPU "
            f"(raw tesseract's CPU is {base_cpu / cpu:.0%} of it); besides its own "
            f"tesseracts {besides / count * 1000:.0f} ms CPU per page (tesseract "
            f"{share:.0%} of the pipeline's CPU)"
        )
    print(f"    service start and {len(warmup)} warm-up pages: {statistics.median(colds):.1f} s")
    own, children = rss_mib()
    print(f"    peak RSS: service {own:.0f} MiB, largest worker {children:.0f} MiB")
    for label, tree in (
        (f"one {count}-page scan", trees.get("one")),
        (f"{count} single-page scans", trees.get("single")),
    ):
        if tree is not None:
            print(
                f"    whole process tree, {label}: peak {tree.peak_pss:.0f} MiB PSS "
                f"({tree.peak_rss:.0f} MiB RSS summed over the processes; largest process "
                f"{tree.largest:.0f} MiB)"
            )


if __name__ == "__main__":
    main()
