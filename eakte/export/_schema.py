"""Validation of xdomea messages against the bundled xdomea 3.0.0 schema.

The schema is compiled once per process. A message is read with lxml's
``iterparse`` and validated one top-level part (Kopf, each Schriftgutobjekt)
at a time against its declaration in the schema; the order and number of the
parts are checked here. So a message with hundreds of thousands of documents
never has to fit into memory, and every error knows its line. (xmlschema's own
lazy mode reports content errors at the wrong element, hence this walk.)
The xdomea 3.0.0 schema has no identity constraints spanning parts.

The message may come from outside, so lxml's limits stay on (no ``huge_tree``:
no text node over 10 MB, no nesting deeper than 256) and one part may hold at
most 64 MiB of text (eakte/export/_limits.py); beyond that the message is
reported as too large and not read further.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import xmlschema
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from eakte.export._limits import MAX_XML_DEPTH, MAX_XML_PART, MAX_XML_TEXT, MIB

XSD = Path(__file__).parent / "xsd" / "xdomea-3.0.0" / "xdomea.xsd"
NS = "urn:xoev-de:xdomea:schema:3.0.0"
ROOT = "Aussonderung.Aussonderung.0503"
_PARTS = ("Kopf", "Anschreiben", "Schriftgutobjekt", "Aktenplan")  # the root's sequence
LIMITS = (
    f"xdomea needs no text node over {MAX_XML_TEXT // 1_000_000} MB, no nesting deeper than "
    f"{MAX_XML_DEPTH} and no part (Kopf, Schriftgutobjekt) with more than "
    f"{MAX_XML_PART // MIB} MiB of text"
)
TOO_LARGE = "too large to read"  # how a message over the limits begins


class MessageTooLargeError(ValueError):
    """The message breaks the limits of :data:`LIMITS`."""


def limit_message(exc: Exception) -> str | None:
    """``too large to read: ...`` when ``exc`` is libxml2 refusing a huge text or depth."""
    text = str(getattr(exc, "msg", None) or exc)
    if isinstance(exc, MessageTooLargeError):
        return f"{TOO_LARGE}: {text}; {LIMITS}"
    if "XML_PARSE_HUGE" in text or "Excessive depth" in text:
        line = getattr(exc, "lineno", None)
        where = f"line {line}: " if line else ""
        return f"{TOO_LARGE}: {where}{text.split(',')[0].strip()}; {LIMITS}"
    return None


@functools.cache
def xdomea_schema() -> xmlschema.XMLSchema:
    """The compiled xdomea 3.0.0 schema (built on first use, then kept)."""
    return xmlschema.XMLSchema(str(XSD))


def schema_errors(path: Path, limit: int = 20) -> list[str]:
    """Validate against the bundled xdomea 3.0.0 XSD (eakte/export/xsd/xdomea-3.0.0/xdomea.xsd)
    with xmlschema; [] when valid; otherwise at most ``limit`` readable messages, each
    naming the line, the element's path and the problem."""
    errors: list[str] = []
    try:
        for error in _errors(path):
            errors.append(error)
            if len(errors) >= limit:
                break
    except MessageTooLargeError as exc:
        errors.append(limit_message(exc) or str(exc))
    except etree.XMLSyntaxError as exc:
        errors.append(limit_message(exc) or f"not readable as XML: line {exc.lineno}: {exc.msg}")
    except OSError as exc:
        errors.append(f"cannot be read: {exc}")
    return errors


def _part_declarations() -> dict[str, Any]:
    """The declarations of the root's parts (Kopf, Anschreiben, Schriftgutobjekt, Aktenplan)."""
    root_type: Any = xdomea_schema().elements[ROOT].type
    return {e.local_name: e for e in root_type.content.iter_elements()}


def _errors(path: Path) -> Iterator[str]:
    declarations = _part_declarations()
    counts: Counter[str] = Counter()
    position = 0
    depth = 0
    part_text = 0  # characters of text and attributes read in the current part
    root: Any = None
    for event, elem in etree.iterparse(
        str(path),
        events=("start", "end"),
        remove_comments=True,
        remove_pis=True,
        resolve_entities=False,
        no_network=True,
    ):
        if event == "start":
            depth += 1
            if depth > MAX_XML_DEPTH:
                raise MessageTooLargeError(
                    f"line {elem.sourceline}: nested deeper than {depth - 1}"
                )
            if depth == 1:
                root = elem
                if elem.tag != f"{{{NS}}}{ROOT}":
                    yield (
                        f"line {elem.sourceline}: the root element is {_name(elem.tag)}, "
                        f"not xdomea:{ROOT} (an xdomea 3.0.0 Aussonderung message)"
                    )
                    return
            continue
        depth -= 1
        if depth > 1:
            part_text += len(elem.text or "") + len(elem.tail or "")
            part_text += sum(len(value) for value in elem.attrib.values())
            if part_text > MAX_XML_PART:
                raise MessageTooLargeError(
                    f"line {elem.sourceline}: one part holds more than {MAX_XML_PART // MIB} MiB "
                    "of text"
                )
            continue
        if depth != 1:
            continue
        part_text = 0
        qname = etree.QName(elem)
        name = qname.localname if qname.namespace == NS else _name(elem.tag)
        counts[name] += 1
        where = f"line {elem.sourceline}, /xdomea:{ROOT}/{_name(elem.tag)}[{counts[name]}]"
        if name not in declarations:
            yield f"{where}: unexpected element; allowed are xdomea:{', xdomea:'.join(_PARTS)}"
        elif _PARTS.index(name) < position:
            yield f"{where}: out of order; the order is xdomea:{', xdomea:'.join(_PARTS)}"
        elif (limit := declarations[name].max_occurs) is not None and counts[name] > limit:
            yield f"{where}: only {limit} allowed"
        else:
            position = _PARTS.index(name)
            for error in declarations[name].iter_errors(elem):
                yield _describe(error, name, counts[name])
        elem.clear()
        while elem.getprevious() is not None:
            del root[0]
    for name in ("Kopf", "Schriftgutobjekt"):
        if root is not None and counts[name] == 0:
            yield f"line {root.sourceline}, /xdomea:{ROOT}: xdomea:{name} is missing"


def _name(tag: str) -> str:
    return tag.replace(f"{{{NS}}}", "xdomea:")


def _describe(error: xmlschema.XMLSchemaValidationError, part: str, index: int) -> str:
    """``line N, /path/of/element: reason (value '...')``."""
    path = _name(str(error.path or ""))
    own = f"/xdomea:{part}"
    if path.startswith(own):
        path = f"/xdomea:{ROOT}/xdomea:{part}[{index}]{path[len(own) :]}"
    reason = _name(str(error.reason or error.message))
    if isinstance(error.obj, str) and repr(error.obj) not in reason:
        reason += f" (value {error.obj!r})"
    return f"line {error.sourceline}, {path}: {reason}"
