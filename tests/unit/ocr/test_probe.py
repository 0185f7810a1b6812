"""The tesseract probe, with fake tesseract programs on PATH (fault injection)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from eakte.exceptions import ExtractionError
from eakte.ocr import _probe
from eakte.ocr._probe import check_languages, debian_package, parse_languages


def fake_tesseract(folder: Path, version_output: str, langs: tuple[str, ...]) -> Path:
    folder.mkdir()
    script = folder / "tesseract"
    listing = "\\n".join(("List of available languages in /x (3):", *langs))
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--list-langs" ]; then printf "' + listing + '\\n"; exit 0; fi\n'
        f"printf '{version_output}\\n'\n"
        '[ "$OMP_THREAD_LIMIT" = "1" ] || exit 3\n'
    )
    script.chmod(0o755)
    return folder


Install = Callable[..., None]


@pytest.fixture
def on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Install:
    def install(version_output: str, langs: tuple[str, ...] = ("deu", "eng", "osd")) -> None:
        monkeypatch.setenv("PATH", str(fake_tesseract(tmp_path / "bin", version_output, langs)))

    return install


def test_version_and_languages(on_path: Install) -> None:
    on_path("tesseract 5.3.0\\n leptonica-1.82.0")
    assert _probe.tesseract_version() == "5.3.0"
    assert _probe.available_languages() == {"deu", "eng", "osd"}
    assert check_languages("deu+eng", osd=True) == ["deu", "eng"]


def test_probes_run_with_one_openmp_thread(on_path: Install) -> None:
    on_path("tesseract 5.3.0")  # the fake exits 3 without OMP_THREAD_LIMIT=1
    _probe.tesseract_version()


def test_missing_tesseract(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ExtractionError, match="not installed.*apt-get install tesseract-ocr"):
        _probe.tesseract_version()


@pytest.mark.parametrize("version", ["tesseract 3.05.02", "tesseract 4.0.0", "tesseract 5.4.0"])
def test_unsupported_versions(on_path: Install, version: str) -> None:
    on_path(version)
    with pytest.raises(ExtractionError, match="not supported"):
        _probe.tesseract_version()


def test_unreadable_version(on_path: Install) -> None:
    on_path("something else")
    with pytest.raises(ExtractionError, match="Cannot tell which tesseract"):
        _probe.tesseract_version()


def test_missing_language_names_the_debian_package(on_path: Install) -> None:
    on_path("tesseract 5.3.0", langs=("eng",))
    with pytest.raises(ExtractionError) as caught:
        check_languages("deu+eng+chi_sim", osd=True)
    message = caught.value.message
    assert "deu, chi_sim, osd" in message
    assert "apt-get install tesseract-ocr-deu tesseract-ocr-chi-sim tesseract-ocr-osd" in message


def test_osd_is_only_needed_for_orientation(on_path: Install) -> None:
    on_path("tesseract 5.3.0", langs=("deu", "eng"))
    assert check_languages("deu+eng") == ["deu", "eng"]


@pytest.mark.parametrize("bad", ["", "deu+", "deu eng", "-c foo", "deu;rm"])
def test_language_names_are_checked(bad: str) -> None:
    with pytest.raises(ExtractionError, match="not valid"):
        parse_languages(bad)


def test_debian_package_names() -> None:
    assert debian_package("deu") == "tesseract-ocr-deu"
    assert debian_package("chi_sim") == "tesseract-ocr-chi-sim"
    assert debian_package("deu_latf") == "tesseract-ocr-deu-latf"
