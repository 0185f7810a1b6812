"""ocr_document's handling of worker replies, with a stub pool (no OCR involved)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from eakte._workerpool import WorkerLost
from eakte.exceptions import ExtractionError, InputRejected
from eakte.ocr import _document, _pool, ocr_document


class StubPool:
    """Answers with a canned reply, writing the sidecar text OCRmyPDF would have written."""

    def __init__(self, reply: dict[str, Any], sidecar: str = "", error: Exception | None = None):
        self.reply, self.sidecar, self.error = reply, sidecar, error
        self.requests: list[dict[str, Any]] = []
        self.limits: list[float] = []

    def run(self, request: dict[str, Any], time_limit: Callable[[int | None], float]) -> Any:
        self.requests.append(request)
        self.limits = [time_limit(None), time_limit(1), time_limit(10)]
        if self.error:
            raise self.error
        Path(request["sidecar"]).write_text(self.sidecar, encoding="utf-8")
        return self.reply


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Callable[..., StubPool]:
    monkeypatch.setattr(_document, "_checked_languages", lambda languages, osd: ("deu", "eng"))

    def install(
        reply: dict[str, Any], sidecar: str = "", error: Exception | None = None
    ) -> StubPool:
        pool = StubPool(reply, sidecar, error)
        monkeypatch.setattr(_pool, "POOL", pool)
        return pool

    return install


def failed(error: str, exit_code: int | None, message: str = "details") -> dict[str, Any]:
    return {"status": "failed", "error": error, "exit_code": exit_code, "message": message}


def run(tmp_path: Path, **options: Any) -> Any:
    source = tmp_path / "scan.pdf"
    source.write_bytes(b"%PDF-1.7")  # the stub pool does not read it
    return ocr_document(source, "pdf", tmp_path / "work", **options)


def test_result_from_the_sidecar(tmp_path: Path, stub: Callable[..., StubPool]) -> None:
    stub({"status": "ok", "pages": 3}, "[OCR skipped on page(s) 1]\fzwei\fdrei")
    result = run(tmp_path, rotate_pages=False)
    assert result.page_texts == (None, "zwei", "drei")
    assert result.pdfa == (tmp_path / "work" / "ocr.pdf").resolve()


def test_request_and_time_limits(tmp_path: Path, stub: Callable[..., StubPool]) -> None:
    pool = stub({"status": "ok", "pages": 1}, "eins")
    run(tmp_path, rotate_pages=False, jobs=2, page_timeout=10.0, max_image_pixels=1000)
    (request,) = pool.requests
    assert request["kind"] == "pdf" and request["max_image_pixels"] == 1000
    assert request["options"]["jobs"] == 2
    assert pool.limits == [70.0, 100.0, 60.0 + 5 * 40.0]  # 10 pages on 2 cores: 5 rounds


def test_rejection_keeps_code_and_both_languages(
    tmp_path: Path, stub: Callable[..., StubPool]
) -> None:
    stub({"status": "rejected", "code": "image-too-large", "message": "en", "de": "de"})
    with pytest.raises(InputRejected) as caught:
        run(tmp_path)
    assert (caught.value.code, caught.value.message, caught.value.message_de) == (
        "image-too-large",
        "en",
        "de",
    )


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (failed("EncryptedPdfError", 8), "encrypted-pdf"),
        (failed("InputFileError", 2), "corrupt-pdf"),
    ],
)
def test_ocrmypdf_input_faults(
    tmp_path: Path, stub: Callable[..., StubPool], reply: dict[str, Any], code: str
) -> None:
    stub(reply)
    with pytest.raises(InputRejected) as caught:
        run(tmp_path)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("reply", "hint"),
    [
        (failed("PdfaConversionFailedError", 10), "apt-get install ghostscript"),
        (failed("MissingDependencyError", 3), "Install the missing program"),
        (failed("SubprocessOutputError", 7), "tesseract's messages"),
        (failed("MemoryError", None), "tesseract's messages"),
    ],
)
def test_ocrmypdf_failures_are_ours(
    tmp_path: Path, stub: Callable[..., StubPool], reply: dict[str, Any], hint: str
) -> None:
    stub(reply)
    with pytest.raises(ExtractionError, match=hint):
        run(tmp_path)


def test_page_timeout_is_an_error_not_an_empty_page(
    tmp_path: Path, stub: Callable[..., StubPool]
) -> None:
    warning = "ocrmypdf._exec.tesseract: [tesseract] took too long to OCR - skipping"
    stub({"status": "ok", "pages": 2, "warnings": [warning]}, "eins\f[skipped page]")
    with pytest.raises(ExtractionError, match=r"longer than 5 s on page\(s\) 2"):
        run(tmp_path, page_timeout=5.0, rotate_pages=False)


def test_other_skipped_page_is_an_error(tmp_path: Path, stub: Callable[..., StubPool]) -> None:
    stub({"status": "ok", "pages": 1, "warnings": ["Image too large"]}, "[skipped page]")
    with pytest.raises(ExtractionError, match=r"could not read page\(s\) 1"):
        run(tmp_path, rotate_pages=False)


@pytest.mark.parametrize(
    ("error", "match"),
    [
        (TimeoutError(), "did not finish in time"),
        (WorkerLost("ended unexpectedly with exit code -9"), "exit code -9"),
    ],
)
def test_worker_trouble(
    tmp_path: Path, stub: Callable[..., StubPool], error: Exception, match: str
) -> None:
    stub({}, error=error)
    with pytest.raises(ExtractionError, match=match):
        run(tmp_path)


def test_kind_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="kind"):
        ocr_document(tmp_path / "x", "docx", tmp_path)  # type: ignore[arg-type]


def test_missing_source(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="does not exist"):
        ocr_document(tmp_path / "gone.png", "image", tmp_path / "work")
