"""Errors from OCR and Tika name the file as it was delivered, not as the job stores it."""

from __future__ import annotations

from eakte.exceptions import ExtractionError, InputRejected
from eakte.ingest._pipeline import _as_delivered


def test_the_delivered_name_replaces_the_jobs_own() -> None:
    error = InputRejected(
        "payload is not a readable image (payload.tmp stays).",
        "payload ist kein lesbares Bild.",
        "corrupt-image",
    )
    named = _as_delivered(error, "payload", "Brief Müller.png")
    assert isinstance(named, InputRejected) and named.code == "corrupt-image"
    assert named.message == "Brief Müller.png is not a readable image (payload.tmp stays)."
    assert named.message_de == "Brief Müller.png ist kein lesbares Bild."


def test_paths_keep_their_last_part() -> None:
    error = ExtractionError("Tika could not read /srv/inbox/.processing/j1/payload: boom")
    named = _as_delivered(error, "payload", r"a\1.pdf")
    assert isinstance(named, ExtractionError)
    assert named.message == error.message
    assert (
        _as_delivered(
            ExtractionError("OCR of attachment-2 failed"), "attachment-2", r"a\1.pdf"
        ).message
        == r"OCR of a\1.pdf failed"
    )
