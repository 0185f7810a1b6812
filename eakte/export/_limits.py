"""Limits for untrusted packages and containers (``eakte verify PACKAGE``, ``eakte import``).

A package comes from outside: a ZIP of 600 KB can declare members of many
gigabytes (a deflate bomb), point several entries at the same bytes
(overlapping entries, CVE-2024-0450, not caught by Python 3.11's zipfile), or
hold a single line or XML text node of hundreds of megabytes. Everything here
is checked before anything is hashed, copied or parsed:

* :func:`check_archive` - entry count, the sum of declared sizes, the
  compression ratio of each member and of the whole, overlapping entries;
* :data:`MAX_PACKAGE_JSON` / :data:`MAX_SMALL_FILE` - the most bytes read into
  memory for package.json and for any other proof file (manifests, signatures,
  keys, checkpoints, event files);
* :func:`read_line` / :func:`iter_lines` - lines of manifests and chain files;
* :data:`MAX_XML_TEXT` / :data:`MAX_XML_DEPTH` - what lxml accepts without
  ``huge_tree`` (libxml2's own defaults); xdomea never needs more.

The one configurable limit is the total unpacked size, ``EAKTE_PACKAGE_MAX_GB``
(setting ``package_max_gb``; ``eakte verify PACKAGE --max-gb``).
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator
from functools import partial
from typing import IO

from eakte.signing._findings import Finding, Severity

GIB = 1 << 30
MIB = 1 << 20

MAX_ENTRIES = 1_000_000  # ZIP entries (files and folders)
DEFAULT_MAX_GB = 64.0  # sum of the declared (unpacked) sizes, in GiB; configurable
MAX_TOTAL_BYTES = int(DEFAULT_MAX_GB * GIB)
MAX_RATIO = 1000  # unpacked : packed, per member (and for the whole archive)
RATIO_MIN_SIZE = 1 * MIB  # members (and archives) smaller than this may compress better
MAX_PACKAGE_JSON = 64 * MIB  # package.json (eakte's index of the package)
MAX_SMALL_FILE = 4 * MIB  # manifests, signatures, keys, checkpoints, event files, bag tag files
MAX_LINE = 64 * 1024  # one line of a manifest, tag manifest or audit chain file
MAX_XML_TEXT = 10_000_000  # one XML text node (libxml2's limit without huge_tree)
MAX_XML_DEPTH = 256  # element nesting (libxml2's limit without huge_tree)
MAX_XML_PART = 64 * MIB  # text and attribute values in one top-level part of a message

# Codes of the findings of check_archive; every one of them is fatal (nothing is hashed).
TOO_LARGE = "package-too-large"
ZIP_BOMB = "zip-bomb"
ZIP_OVERLAP = "zip-overlap"

_LOCAL_HEADER = struct.Struct("<4s22sHH")  # signature, fixed fields, name length, extra length
_LOCAL_SIGNATURE = b"PK\x03\x04"

_error = partial(Finding, Severity.ERROR)


class LineTooLongError(ValueError):
    """A line longer than the limit (a malformed manifest or chain file)."""


def max_total_bytes(max_gb: float | None = None) -> int:
    """The limit of the total unpacked size in bytes: ``max_gb`` GiB, default 64 GiB."""
    return int((DEFAULT_MAX_GB if max_gb is None else max_gb) * GIB)


def check_archive(
    zf: zipfile.ZipFile, archive_size: int, max_total: int = MAX_TOTAL_BYTES
) -> list[Finding]:
    """Fatal findings about the ZIP as a whole; [] when it may be read.

    Looks only at the central directory and at the local headers (30 bytes
    plus name per entry): the number of entries, the sum of the declared
    sizes (``max_total``), the ratio of each member larger than 1 MiB and of
    the whole archive (more than 1000 : 1 is a bomb), and whether any entry's
    bytes overlap the next entry. Reading a member never yields more than its
    declared size (zipfile stops there), so after these checks the work of
    hashing or copying is bounded.
    """
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        return [
            _error(
                "package-too-large",
                "package",
                f"The ZIP holds {len(infos):,} entries; at most {MAX_ENTRIES:,} are accepted.",
            )
        ]
    findings: list[Finding] = []
    total = sum(info.file_size for info in infos)
    if total > max_total:
        findings.append(
            _error(
                "package-too-large",
                "package",
                f"Its members unpack to {total:,} bytes; at most {max_total:,} bytes "
                f"({max_total / GIB:g} GiB) are accepted (EAKTE_PACKAGE_MAX_GB).",
            )
        )
    for info in infos:
        if info.file_size > RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            findings.append(
                _error(
                    "zip-bomb",
                    info.filename,
                    f"Declares {info.file_size:,} bytes packed into {info.compress_size:,} "
                    f"(more than {MAX_RATIO}:1): a zip bomb.",
                )
            )
    if not findings and total > RATIO_MIN_SIZE and total > MAX_RATIO * max(archive_size, 1):
        findings.append(
            _error(
                "zip-bomb",
                "package",
                f"Its members unpack to {total:,} bytes from a ZIP of {archive_size:,} bytes "
                f"(more than {MAX_RATIO}:1): a zip bomb.",
            )
        )
    findings.extend(_overlaps(zf, infos, archive_size))
    return findings


def _overlaps(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], archive_size: int
) -> Iterator[Finding]:
    """Entries whose local header and data reach into the next entry (or the directory)."""
    fp = zf.fp
    if fp is None:  # pragma: no cover - a closed ZipFile
        return
    end_of_data = min(int(getattr(zf, "start_dir", archive_size)), archive_size)
    ordered = sorted(infos, key=lambda info: info.header_offset)
    for n, info in enumerate(ordered):
        limit = ordered[n + 1].header_offset if n + 1 < len(ordered) else end_of_data
        fp.seek(info.header_offset)
        header = fp.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
            yield _error("zip-overlap", info.filename, "Its local header is missing or damaged.")
            return
        _, _, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        end = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
        end += info.compress_size
        if end > limit:
            yield _error(
                "zip-overlap",
                info.filename,
                f"Its data (bytes {info.header_offset:,}-{end:,}) overlap the next entry "
                f"or the central directory (at {limit:,}): overlapping entries, a zip bomb.",
            )
            return


def read_line(stream: IO[bytes], limit: int = MAX_LINE) -> bytes:
    """The next line (with its newline), b"" at the end; LineTooLongError beyond ``limit``."""
    line = stream.readline(limit + 1)
    if len(line) > limit:
        raise LineTooLongError(f"a line is longer than {limit:,} bytes")
    return line


def iter_lines(stream: IO[bytes], limit: int = MAX_LINE) -> Iterator[bytes]:
    """Every line of ``stream`` like ``for line in stream``, but none longer than ``limit``."""
    while line := read_line(stream, limit):
        yield line
