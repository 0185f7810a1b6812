"""The input faults OCR can find, each with a message in English and German that says what to do.

Infrastructure failures (tesseract missing or crashing, time limits) are
:class:`~eakte.exceptions.ExtractionError` and are raised where they happen.
"""

from __future__ import annotations

from eakte.exceptions import InputRejected


def encrypted_pdf(name: str) -> InputRejected:
    return InputRejected(
        f"{name} is an encrypted PDF (password or usage restrictions), so its pages cannot "
        "be read for OCR. Remove the protection, e.g. open it and save or print it as a new "
        "PDF without a password, and submit the new file.",
        f"{name} ist eine verschlüsselte PDF-Datei (Kennwort oder Nutzungsbeschränkungen), "
        "deshalb können ihre Seiten nicht für die Texterkennung gelesen werden. Entfernen Sie "
        "den Schutz, z. B. indem Sie die Datei öffnen und ohne Kennwort als neue PDF-Datei "
        "speichern oder drucken, und reichen Sie die neue Datei ein.",
        "encrypted-pdf",
    )


def corrupt_pdf(name: str, detail: str) -> InputRejected:
    return InputRejected(
        f"{name} is not a readable PDF: it is damaged or incomplete ({detail}). Check the "
        "original, save or scan it again, and submit the new file.",
        f"{name} ist keine lesbare PDF-Datei: sie ist beschädigt oder unvollständig "
        f"({detail}). Prüfen Sie das Original, speichern oder scannen Sie es erneut und "
        "reichen Sie die neue Datei ein.",
        "corrupt-pdf",
    )


def corrupt_image(name: str, detail: str) -> InputRejected:
    return InputRejected(
        f"{name} is not a readable image: it is damaged or incomplete ({detail}). Scan the "
        "document again or export the image anew, and submit the new file.",
        f"{name} ist kein lesbares Bild: die Datei ist beschädigt oder unvollständig "
        f"({detail}). Scannen Sie das Dokument erneut oder speichern Sie das Bild neu, und "
        "reichen Sie die neue Datei ein.",
        "corrupt-image",
    )


def unsupported_image(name: str, image_format: str) -> InputRejected:
    return InputRejected(
        f"{name} is a {image_format} image; scans are accepted as PNG, JPEG or TIFF. Save "
        "the scan in one of these formats and submit it again.",
        f"{name} ist ein Bild im Format {image_format}; Scans werden als PNG, JPEG oder TIFF "
        "angenommen. Speichern Sie den Scan in einem dieser Formate und reichen Sie ihn "
        "erneut ein.",
        "unsupported-image",
    )


def _de(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def image_too_large(name: str, page: int, pixels: int | None, limit: int) -> InputRejected:
    size = f"{pixels:,} pixels" if pixels else "more pixels than can be decoded safely"
    size_de = f"{_de(pixels)} Pixel" if pixels else "zu viele Pixel"
    return InputRejected(
        f"Page {page} of {name} has {size}, more than the limit of {limit:,}. Scan it at a "
        "lower resolution (300 dpi is enough for text) or split it into several images, "
        "and submit it again.",
        f"Seite {page} von {name} hat {size_de}, mehr als die Grenze von {_de(limit)}. "
        "Scannen Sie mit geringerer Auflösung (300 dpi genügen für Text) oder teilen Sie "
        "das Bild auf, und reichen Sie es erneut ein.",
        "image-too-large",
    )
