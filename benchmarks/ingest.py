"""Ingest throughput, measured (prints figures; not a test).

(a) raw tesseract on generated scanned A4 pages at 300 dpi, with the same
    settings and parallelism as the pipeline (`OMP_THREAD_LIMIT=1`, pages in
    parallel across the cores);
(b) the full pipeline on the same pages (as one multi-page scan and as single
    page scans): wall time, ratio to (a), peak RSS of the service and its workers;
(c) born-digital documents per second (DOCX, HTML, text, PDF with text).

    .venv/bin/python benchmarks/ingest.py [--pages 40] [--born-digital 200]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eakte import db  # noqa: E402
from eakte.config import Settings, load_settings  # noqa: E402
from eakte.ingest import Inbox, InboxService  # noqa: E402
from eakte.records import SYSTEM, Records, init_keys  # noqa: E402
from eakte.records._demo import load_demo  # noqa: E402


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
    records.close()
    Inbox(settings).ensure()
    return settings


def run_inbox(settings: Settings, files: list[Path]) -> float:
    """Drop files into the inbox, run the service until all are done; seconds."""
    service = InboxService(settings)
    started = time.perf_counter()
    for path in files:
        target = settings.inbox_dir / path.name
        target.write_bytes(path.read_bytes())
    import threading

    runner = threading.Thread(target=service.run)
    runner.start()
    records = Records(settings)
    from sqlalchemy import func, select

    from eakte.models import IngestItem

    while True:
        with records.reading() as session:
            done = session.scalar(select(func.count()).select_from(IngestItem)) or 0
        if done >= len(files):
            break
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    service.stop()
    runner.join()
    records.close()
    return elapsed


# -- scanned pages ---------------------------------------------------------------


def make_pages(folder: Path, count: int) -> list[Path]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from letters import generate  # type: ignore[import-not-found]

    generate(folder, count, seed=7)
    return sorted(folder.glob("*_clean_1.png"))[:count]


def raw_tesseract(pages: list[Path], languages: str) -> float:
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

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, pages))
    return time.perf_counter() - started


def as_multipage_pdf(pages: list[Path], target: Path) -> Path:
    import img2pdf

    target.write_bytes(img2pdf.convert([str(p) for p in pages]))
    return target


# -- born-digital documents --------------------------------------------------------


def docx_bytes(text: str) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.splitlines())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
            'formats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/word/document.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"'
            "/></Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
            '"word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>',
        )
    return buffer.getvalue()


def born_digital(folder: Path, count: int) -> list[Path]:
    files = []
    for n in range(count):
        text = (
            f"Stadt Musterstadt\nMusterstadt, {1 + n % 28:02d}.11.2024\n"
            f"Az.: 32.10.05-{n:04d}/2024\nBetreff: Antrag Nummer {n}\n"
            + "Sehr geehrte Damen und Herren, wir bitten um Prüfung des Antrags. "
            * 20
        )
        kind = n % 3
        if kind == 0:
            path = folder / f"brief-{n}.docx"
            path.write_bytes(docx_bytes(text))
        elif kind == 1:
            path = folder / f"seite-{n}.html"
            path.write_text(f"<html><body><pre>{text}</pre></body></html>", encoding="utf-8")
        else:
            path = folder / f"notiz-{n}.txt"
            path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--born-digital", type=int, default=200)
    parser.add_argument("--skip-ocr", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eakte-bench-ingest-") as tmp:
        root = Path(tmp)
        if not args.skip_ocr:
            pages = make_pages(root / "pages", args.pages)
            languages = "deu+eng"
            raw = raw_tesseract(pages, languages)
            print(
                f"(a) raw tesseract: {len(pages)} pages in {raw:6.1f} s "
                f"({len(pages) / raw:.2f} pages/s)"
            )
            scan = as_multipage_pdf(pages, root / "scan.pdf")
            settings = installation(root / "one")
            seconds = run_inbox(settings, [scan])
            print(
                f"(b) pipeline, one {len(pages)}-page scan: {seconds:6.1f} s "
                f"({len(pages) / seconds:.2f} pages/s, {raw / seconds:.0%} of raw tesseract)"
            )
            settings = installation(root / "single")
            seconds = run_inbox(settings, pages)
            own, children = rss_mib()
            print(
                f"(b) pipeline, {len(pages)} single-page scans: {seconds:6.1f} s "
                f"({len(pages) / seconds:.2f} pages/s, {raw / seconds:.0%} of raw tesseract)"
            )
            print(f"    peak RSS: service {own:.0f} MiB, largest worker {children:.0f} MiB")
        if args.born_digital:
            (root / "digital").mkdir()
            files = born_digital(root / "digital", args.born_digital)
            settings = installation(root / "born")
            seconds = run_inbox(settings, files)
            print(
                f"(c) born-digital: {len(files)} documents in {seconds:6.1f} s "
                f"({len(files) / seconds:.1f} documents/s)"
            )


if __name__ == "__main__":
    main()
