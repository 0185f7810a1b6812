"""Validation of xdomea messages against the bundled xdomea 3.0.0 schema.

The schema is compiled once per process. Messages are validated lazily
(xmlschema walks the file one top-level subtree at a time), so a message with
hundreds of thousands of documents does not have to fit into memory.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import xmlschema
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

XSD = Path(__file__).parent / "xsd" / "xdomea-3.0.0" / "xdomea.xsd"
_NS = "{urn:xoev-de:xdomea:schema:3.0.0}"


@functools.cache
def xdomea_schema() -> xmlschema.XMLSchema:
    """The compiled xdomea 3.0.0 schema (built on first use, then kept)."""
    return xmlschema.XMLSchema(str(XSD))


def schema_errors(path: Path, limit: int = 20) -> list[str]:
    """Validate against the bundled xdomea 3.0.0 XSD (eakte/export/xsd/xdomea-3.0.0/xdomea.xsd)
    with xmlschema; [] when valid; otherwise at most ``limit`` readable messages, each
    naming the line (when known), the element's path and the problem."""
    schema = xdomea_schema()
    errors: list[str] = []
    try:
        resource = xmlschema.XMLResource(str(path), lazy=True, iterparse=_iterparse)
        for error in schema.iter_errors(resource):
            errors.append(_describe(error))
            if len(errors) >= limit:
                break
    except (
        ParseError,
        etree.XMLSyntaxError,
        xmlschema.XMLResourceError,
        xmlschema.XMLSchemaException,
    ) as exc:
        errors.append(f"not readable as XML: {exc}")
    except OSError as exc:
        errors.append(f"cannot be read: {exc}")
    return errors


def _iterparse(source: Any, events: Any = None) -> Any:
    """lxml's iterparse (elements know their line), without entities or network access."""
    return etree.iterparse(
        source,
        events=events,
        resolve_entities=False,
        no_network=True,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )


def _describe(error: xmlschema.XMLSchemaValidationError) -> str:
    where = []
    line = error.sourceline
    if line is not None:
        where.append(f"line {line}")
    if error.path:
        where.append(str(error.path).replace(_NS, "xdomea:"))
    reason = error.reason or error.message
    prefix = ", ".join(where)
    return f"{prefix}: {reason}" if prefix else str(reason)
