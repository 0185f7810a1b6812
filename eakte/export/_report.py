"""The package's German report (``data/bericht.html``): what is inside, how to check it.

Rendered with Jinja2 (autoescaped) straight into a file, chunk by chunk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class ReportData:
    prozess_id: str
    created_at: datetime
    created_by: str
    installation: str
    selection: str  # in words
    case_files: list[dict[str, Any]]  # reference, title, closed_at
    cases: list[dict[str, Any]]
    documents: list[dict[str, Any]]  # package.json's document entries
    keys: list[str]
    anchor_key: str
    checkpoint_seq: int
    export_seq: int  # the export.created event that seals the package
    message_sha256: str
    segments: list[dict[str, Any]]
    counts: dict[str, int]
    message: str
    bag: str


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["datum"] = _datum
    env.filters["zahl"] = _zahl
    return env


def render_report(data: ReportData, out: BinaryIO) -> None:
    """Write the report as UTF-8 HTML into ``out``."""
    template = _environment().get_template("bericht.html")
    for chunk in template.generate(r=data):
        out.write(chunk.encode("utf-8"))


def _datum(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        return moment.strftime("%d.%m.%Y %H:%M UTC")
    return value.strftime("%d.%m.%Y")


def _zahl(value: int) -> str:
    return f"{value:,}".replace(",", ".")
