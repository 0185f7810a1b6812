"""Is tesseract installed, new enough, and does it have the languages we need?

Shaped like OCRmyPDF's ``_exec/_probe.py``: asking whether the program is
usable is kept apart from running it. Every call of tesseract, probes included,
gets ``OMP_THREAD_LIMIT=1`` (:func:`tesseract_env`): one thread per page, pages
in parallel, is twice as fast on this hardware as OpenMP threading.
"""

from __future__ import annotations

import os
import re
import subprocess

from eakte.exceptions import ExtractionError

#: OCRmyPDF 17 needs tesseract 4.1.1 or newer and refuses 5.4.0 (regressions).
MIN_VERSION = (4, 1, 1)
BROKEN_VERSIONS = {(5, 4, 0)}

_LANGUAGE = re.compile(r"[A-Za-z0-9_]+")
_VERSION = re.compile(r"tesseract\s+v?(\d+)\.(\d+)(?:\.(\d+))?")
_INSTALL = "Install it (Debian/Ubuntu: apt-get install tesseract-ocr) and try again."


def tesseract_env() -> dict[str, str]:
    """The environment for every tesseract process: one OpenMP thread."""
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _run(*args: str) -> str:
    try:
        proc = subprocess.run(
            ["tesseract", *args],
            capture_output=True,
            text=True,
            env=tesseract_env(),
            timeout=60,
            check=False,
        )
    except FileNotFoundError as e:
        raise ExtractionError(f"Tesseract OCR is not installed or not on PATH. {_INSTALL}") from e
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ExtractionError(f"Tesseract OCR could not be started ({e}). {_INSTALL}") from e
    if proc.returncode != 0:
        raise ExtractionError(
            f"'tesseract {' '.join(args)}' failed with exit code {proc.returncode}: "
            f"{(proc.stderr or proc.stdout).strip()[:500]}. Reinstall tesseract-ocr."
        )
    # Tesseract 4 printed its version to stderr, tesseract 5 prints to stdout.
    return proc.stdout + proc.stderr


def tesseract_version() -> str:
    """The installed tesseract's version, e.g. ``"5.3.0"``; fails if it is unusable."""
    output = _run("--version")
    match = _VERSION.search(output)
    if match is None:
        raise ExtractionError(
            f"Cannot tell which tesseract is installed (it reported {output[:200]!r}). {_INSTALL}"
        )
    numbers = tuple(int(part or 0) for part in match.groups())
    version = ".".join(str(n) for n in numbers)
    if numbers < MIN_VERSION or numbers in BROKEN_VERSIONS:
        raise ExtractionError(
            f"Tesseract {version} is not supported: eakte (through OCRmyPDF) needs "
            "tesseract 4.1.1 or newer, but not 5.4.0. Install a supported version "
            "(Debian 12 ships 5.3.0: apt-get install tesseract-ocr)."
        )
    return version


def available_languages() -> set[str]:
    """Language data installed for tesseract (``deu``, ``eng``, ``osd``, …)."""
    output = _run("--list-langs")
    return {
        line.strip()
        for line in output.splitlines()
        if line.strip() and not line.startswith("List of available languages")
    }


def parse_languages(languages: str) -> list[str]:
    """``"deu+eng"`` → ``["deu", "eng"]``; refuses anything that is not a language name."""
    names = languages.split("+")
    if not all(_LANGUAGE.fullmatch(name) for name in names):
        raise ExtractionError(
            f"The OCR languages {languages!r} are not valid: give tesseract language "
            "names joined by '+', e.g. 'deu+eng' (setting EAKTE_OCR_LANGUAGES)."
        )
    return names


def debian_package(language: str) -> str:
    """Debian's package for a tesseract language: ``chi_sim`` → ``tesseract-ocr-chi-sim``."""
    return "tesseract-ocr-" + language.lower().replace("_", "-")


def check_languages(languages: str, *, osd: bool = False) -> list[str]:
    """Check that tesseract and the languages (and orientation data) are installed.

    Returns the language names. ``osd`` adds the orientation and script data
    that page orientation detection needs.
    """
    names = parse_languages(languages)
    tesseract_version()
    wanted = [*names, "osd"] if osd else names
    installed = available_languages()
    missing = [name for name in wanted if name not in installed]
    if missing:
        packages = " ".join(debian_package(name) for name in missing)
        raise ExtractionError(
            f"Tesseract has no language data for: {', '.join(missing)}. Install it "
            f"(Debian/Ubuntu: apt-get install {packages}) or change the OCR languages "
            "(setting EAKTE_OCR_LANGUAGES)."
        )
    return names
