"""OCR throughput: ``ocr_document`` against plain tesseract on the same pages.

Prints figures; not a test. Generates N A4 pages of German text at 300 dpi
(deterministic), then measures

(a) raw tesseract: one ``tesseract page.png out pdf txt`` per page,
    ``OMP_THREAD_LIMIT=1``, ``--jobs`` pages in parallel, same languages;
    once with tesseract's default page segmentation and once with ``--psm 1``
    (orientation detection in the run), which is what ``ocr_document`` uses;
(b) ``ocr_document`` on the same pages as one multi-page image-only PDF:
    wall time, pages/s, ratio to raw tesseract throughput (target ≥ 90 %),
    CPU time and peak memory;
(c) the fixed cost per document: a one-page document against one raw page;
(d) the OCR worker's own CPU time per one-page document, without its
    tesseracts (what OCR costs besides tesseract; wall-time figures swing
    with other load on the machine, this does not).

    .venv/bin/python benchmarks/ocr.py [--pages 40] [--jobs 2] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import img2pdf  # noqa: E402

from eakte.ocr import ocr_document, tesseract_version  # noqa: E402
from eakte.ocr._pool import POOL  # noqa: E402
from tests.unit.ocr.scans import a4_page  # noqa: E402

LANGUAGES = "deu+eng"
SINGLES = 4  # one-page documents for the fixed cost per document
OWN_CPU_PAGES = 16  # one-page documents for the worker's own CPU time


def _process_tree(root: int) -> tuple[int, float]:
    """Summed RSS (KiB) of ``root`` and its descendants, and the CPU seconds of the
    descendants (with their waited-for children), from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        cpu[pid] = sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[pid] = int(line.split()[1])
    total_rss, total_cpu, todo = 0, 0.0, [root]
    while todo:
        pid = todo.pop()
        total_rss += rss.get(pid, 0)
        total_cpu += cpu.get(pid, 0.0) if pid != root else 0.0
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total_rss, total_cpu


def cpu_seconds() -> float:
    """CPU time of this process, its waited-for children and its live descendants
    (the OCR worker, whose tesseracts it waits for)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    live = _process_tree(os.getpid())[1]
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + live


@contextmanager
def measured(
    label: str, pages: int, results: dict[str, list[dict[str, float]]]
) -> Iterator[dict[str, float]]:
    """Wall time, CPU time and the peak summed RSS of the process tree (sampled every 50 ms)."""
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], _process_tree(os.getpid())[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    figures: dict[str, float] = {"pages": pages}
    cpu, wall = cpu_seconds(), time.perf_counter()
    yield figures
    figures["wall"] = time.perf_counter() - wall
    stop.set()
    sampler.join()
    figures["cpu"] = cpu_seconds() - cpu
    figures["peak_mib"] = peak[0] / 1024
    results.setdefault(label, []).append(figures)
    load = os.getloadavg()[0]
    print(
        f"  {label:<38} {figures['wall']:7.1f} s wall  {pages / figures['wall']:5.2f} pages/s  "
        f"{figures['cpu']:7.1f} s CPU  peak tree RSS {figures['peak_mib']:6.0f} MiB  "
        f"(load {load:.1f})",
        flush=True,
    )


def worker_cpu() -> tuple[float, float]:
    """CPU seconds of this process's OCR workers themselves, and of their reaped
    children (tesseract), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    own = children = 0.0
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == os.getpid() and b"eakte.ocr._worker" in command:
            own += (int(stat[11]) + int(stat[12])) / tick
            children += (int(stat[13]) + int(stat[14])) / tick
    return own, children


def own_cost(pngs: list[Path], out: Path) -> None:
    """(d): one-page documents one at a time, as ingest hands them over (decoded)."""
    before = worker_cpu()
    for png in pngs:
        ocr_document(png, "image", out / png.stem, jobs=1, decoded=True)
    own, children = (b - a for a, b in zip(before, worker_cpu(), strict=True))
    print(
        f"(d) OCR worker's own CPU per one-page document: {own / len(pngs) * 1000:.0f} ms "
        f"(its tesseracts: {children / len(pngs) * 1000:.0f} ms), {len(pngs)} pages"
    )


def raw_tesseract(pngs: list[Path], out: Path, jobs: int, psm: int | None) -> None:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    extra = ["--psm", str(psm)] if psm is not None else []

    def one(png: Path) -> None:
        command = [
            "tesseract",
            "-l",
            LANGUAGES,
            *extra,
            str(png),
            str(out / png.stem),
            "pdf",
            "txt",
        ]
        subprocess.run(command, env=env, check=True, capture_output=True)

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, pngs))


def make_pages(folder: Path, count: int) -> tuple[list[Path], Path]:
    pngs = []
    for n in range(count):
        path = folder / f"page-{n:03d}.png"
        a4_page(n).save(path, dpi=(300, 300))
        pngs.append(path)
    pdf = folder / "scan.pdf"
    pdf.write_bytes(img2pdf.convert([str(p) for p in pngs]))
    return pngs, pdf


Run = tuple[str, int, Callable[[Path], object]]


def plan(pngs: list[Path], pdf: Path, jobs: int) -> list[Run]:
    """(label, pages, run into an output folder) for every measurement of one round."""
    pages, singles = len(pngs), pngs[:SINGLES]

    def one_by_one(out: Path) -> None:
        for png in singles:
            ocr_document(png, "image", out / png.stem, jobs=1)

    return [
        ("(a) tesseract, default psm", pages, lambda o: raw_tesseract(pngs, o, jobs, None)),
        ("(a) tesseract --psm 1", pages, lambda o: raw_tesseract(pngs, o, jobs, 1)),
        ("(b) ocr_document", pages, lambda o: ocr_document(pdf, "pdf", o, jobs=jobs)),
        (
            "(b) ocr_document, rotate_pages=False",
            pages,
            lambda o: ocr_document(pdf, "pdf", o, jobs=jobs, rotate_pages=False),
        ),
        (
            "(c) tesseract --psm 1, 1 at a time",
            len(singles),
            lambda o: raw_tesseract(singles, o, 1, 1),
        ),
        ("(c) 1-page documents, 1 at a time", len(singles), one_by_one),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    print(f"tesseract {tesseract_version()}, {os.cpu_count()} cores, {args.pages} A4 pages")
    results: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="eakte-bench-ocr-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        pngs, pdf = make_pages(folder, args.pages)
        size = pdf.stat().st_size >> 20
        print(f"generated in {time.perf_counter() - started:.1f} s (PDF: {size} MiB)")
        ocr_document(pngs[0], "image", folder / "warm-up", jobs=1)  # start the worker
        for repetition in range(args.repeat):
            print(f"run {repetition + 1}:")
            for number, (label, pages, run) in enumerate(plan(pngs, pdf, args.jobs)):
                out = folder / f"out-{repetition}-{number}"
                out.mkdir()
                with measured(label, pages, results):
                    run(out)
        own_cost(pngs[:OWN_CPU_PAGES], folder / "own-cost")
        POOL.close()  # the worker's own CPU time and RSS count once it has exited
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"largest single child process (ru_maxrss): {children.ru_maxrss / 1024:.0f} MiB")
    report(results)


def report(results: dict[str, list[dict[str, float]]]) -> None:
    def median(label: str, key: str) -> float:
        return statistics.median(figures[key] for figures in results[label])

    def best(label: str) -> float:
        return min(figures["wall"] for figures in results[label])

    for ours in ("(b) ocr_document", "(b) ocr_document, rotate_pages=False"):
        for raw in ("(a) tesseract, default psm", "(a) tesseract --psm 1"):
            throughput = median(raw, "wall") / median(ours, "wall")
            print(
                f"{ours[4:]} vs {raw[4:]}: throughput {throughput:.1%} (median), "
                f"{best(raw) / best(ours):.1%} (best); "
                f"CPU {median(raw, 'cpu') / median(ours, 'cpu'):.1%}  (target ≥ 90 %)"
            )
    singles = median("(c) 1-page documents, 1 at a time", "wall")
    count = median("(c) 1-page documents, 1 at a time", "pages")
    fixed = (singles - median("(c) tesseract --psm 1, 1 at a time", "wall")) / count
    each = singles / count
    print(f"fixed cost per one-page document (warm worker): {fixed:.2f} s of {each:.2f} s")
    peak = median("(b) ocr_document", "peak_mib")
    print(f"peak RSS of the process tree during (b): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
