"""Read an xdomea 3.0.0 Aussonderung.Aussonderung.0503 message, one Schriftgutobjekt at a time.

The file is parsed with lxml's ``iterparse``; each Schriftgutobjekt is turned
into records (:mod:`eakte.export._xdomea_records`) and then cleared, so memory
holds one Akte at a time. The file may come from outside: lxml's limits stay
on (no ``huge_tree``: no text node over 10 MB, nesting at most 256 deep).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from eakte.export._model import MessageHeader, RecordObject
from eakte.export._schema import limit_message
from eakte.export._xdomea_records import NS, RecordReader, XdomeaError, header_from, q

__all__ = ["XdomeaError", "read_message"]

ROOT = "Aussonderung.Aussonderung.0503"
_Element = Any  # lxml's _Element (lxml has no type stubs here)


def read_message(path: Path) -> tuple[MessageHeader, Iterator[RecordObject]]:
    """Stream a 0503 message (lxml iterparse, clearing elements): one Schriftgutobjekt at a time.

    Raises :class:`XdomeaError` for a file that is not a well-formed xdomea
    3.0.0 Aussonderung.Aussonderung.0503 message (also later, while iterating,
    when the damage is further down in the file).
    """
    _check_root(path)
    events = etree.iterparse(
        str(path),
        events=("end",),
        tag=(q("Kopf"), q("Schriftgutobjekt")),
        remove_comments=True,
        resolve_entities=False,
        no_network=True,
    )
    try:
        _, kopf = next(events)
    except StopIteration:
        raise XdomeaError(
            f"{path}: the message has no Kopf; it is not a complete 0503 message."
        ) from None
    except etree.XMLSyntaxError as exc:
        raise _malformed(path, exc) from exc
    if kopf.tag != q("Kopf"):
        raise XdomeaError(
            f"{path}: the message does not start with a Kopf (line {kopf.sourceline})."
        )
    reader = RecordReader(path, header_from(path, kopf))
    _release(kopf)
    return reader.header, _records(path, reader, events)


def _check_root(path: Path) -> None:
    try:
        with path.open("rb") as source:
            for _, root in etree.iterparse(
                source, events=("start",), resolve_entities=False, no_network=True
            ):
                tag = etree.QName(root)
                break
            else:  # pragma: no cover - libxml2 reports an empty document as a syntax error
                raise XdomeaError(f"{path} is empty.")
    except OSError as exc:
        raise XdomeaError(f"{path} cannot be read: {exc}. Check the path.") from exc
    except etree.XMLSyntaxError as exc:
        raise _malformed(path, exc) from exc
    if tag.namespace != NS:
        raise XdomeaError(
            f"{path} is not an xdomea 3.0.0 message (root element {tag.localname} in namespace "
            f"{tag.namespace or 'none'}). Only xdomea 3.0.0 (urn:xoev-de:xdomea:schema:3.0.0) "
            f"can be read; ask the sender for a 3.0.0 message."
        )
    if tag.localname != ROOT:
        raise XdomeaError(
            f"{path} is an xdomea {tag.localname} message, not {ROOT} (0503). "
            f"Only Aussonderung messages with their records can be read."
        )


def _malformed(path: Path, exc: etree.XMLSyntaxError) -> XdomeaError:
    too_large = limit_message(exc)
    if too_large:
        return XdomeaError(
            f"{path} is {too_large}. The file is damaged or not an xdomea message; "
            f"ask the sender for a new copy."
        )
    return XdomeaError(
        f"{path} is not well-formed XML (line {exc.lineno}: {exc.msg}). "
        f"The file is damaged or not an xdomea message; ask the sender for a new copy."
    )


def _release(elem: _Element) -> None:
    """Free a parsed element and everything before it."""
    elem.clear(keep_tail=True)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _records(path: Path, reader: RecordReader, events: Any) -> Iterator[RecordObject]:
    try:
        for _, sgo in events:
            yield from reader.schriftgutobjekt(sgo)
            _release(sgo)
    except etree.XMLSyntaxError as exc:
        raise _malformed(path, exc) from exc
