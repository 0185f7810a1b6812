"""Text and metadata of incoming documents.

- :func:`extract_text`: text and metadata of a born-digital file by Apache Tika
  (in-process through iscc-tika, or a remote Tika server).
- :func:`load_rules` and :func:`analyse`: Aktenzeichen, the letter's own date,
  sender, document type and language from any text, by configurable rules.
"""

from __future__ import annotations

from ._analyse import Facts, analyse
from ._references import normalise_reference, reference_key
from ._rules import Rules, load_rules, pattern_regex
from ._tika import extract_text, tika_version
from ._tikaresult import TikaResult

__all__ = [
    "Facts",
    "Rules",
    "TikaResult",
    "analyse",
    "extract_text",
    "load_rules",
    "normalise_reference",
    "pattern_regex",
    "reference_key",
    "tika_version",
]
