"""The file plan (Aktenplan) and its items; CSV import (all rows or none)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import AlreadyExists, InvalidReference, NotFound, RecordsError
from eakte.models import Disposition, FilePlanItem
from eakte.records._context import Records
from eakte.records._principal import Permission, Principal, require
from eakte.records._references import check_plan_code


def plan_item_by_code(session: Session, code: str) -> FilePlanItem:
    item = session.scalar(select(FilePlanItem).where(FilePlanItem.code == code))
    if item is None:
        raise NotFound(f"Unknown file plan item {code!r}.")
    return item


def _checked_disposition(disposition: str) -> str:
    try:
        return Disposition(disposition.strip().upper()).value
    except ValueError:
        raise RecordsError(
            "Disposition must be A (archive), B (evaluate) or V (destroy)."
        ) from None


def create_plan_item(
    records: Records,
    principal: Principal,
    *,
    code: str,
    title: str,
    retention_years: int | None = None,
    disposition: str = Disposition.EVALUATE.value,
) -> FilePlanItem:
    """Add a node; its parent is the item whose code is the longest dotted prefix."""
    code = check_plan_code(code.strip())
    if not title.strip():
        raise RecordsError("A file plan item needs a title.")
    if retention_years is not None and not 0 <= retention_years <= 1000:
        raise RecordsError("Retention must be 0 to 1000 years, or unlimited.")
    disposition = _checked_disposition(disposition)
    with records.transaction() as session:
        require(session, principal, Permission.MANAGE_FILEPLAN)
        if session.scalar(select(FilePlanItem).where(FilePlanItem.code == code)) is not None:
            raise AlreadyExists(f"File plan item {code!r} exists already.")
        return _add_item(
            records, session, principal, code, title.strip(), retention_years, disposition
        )


def _add_item(
    records: Records,
    session: Session,
    principal: Principal,
    code: str,
    title: str,
    retention_years: int | None,
    disposition: str,
) -> FilePlanItem:
    parent_code = code.rpartition(".")[0]
    parent = plan_item_by_code(session, parent_code) if parent_code else None
    item = FilePlanItem(
        code=code,
        title=title,
        parent_id=parent.id if parent else None,
        retention_years=retention_years,
        disposition=disposition,
    )
    session.add(item)
    session.flush()
    records.audit.append(
        session,
        actor=principal.actor,
        action="fileplan.item_created",
        object_type="fileplan_item",
        object_id=item.id,
        details={
            "code": code,
            "title": title,
            "retention_years": retention_years,
            "disposition": disposition,
        },
    )
    return item


def plan_for_admin(records: Records, principal: Principal) -> list[FilePlanItem]:
    """The whole file plan, for those who manage it."""
    with records.reading() as session:
        require(session, principal, Permission.MANAGE_FILEPLAN)
        return list(session.scalars(select(FilePlanItem).order_by(FilePlanItem.code)).all())


def list_plan_items(records: Records) -> list[FilePlanItem]:
    with records.reading() as session:
        return list(session.scalars(select(FilePlanItem).order_by(FilePlanItem.code)).all())


# -- CSV import ------------------------------------------------------------------------

UNLIMITED = {"", "unbegrenzt", "unlimited", "dauernd"}
HEADER_NAMES = {"code", "kennzeichen"}


@dataclass(frozen=True)
class PlanRow:
    line: int
    code: str
    title: str
    retention_years: int | None
    disposition: str


@dataclass
class PlanImport:
    """What a CSV import did: nothing at all when ``errors`` is not empty."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)  # reported, never overwritten
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, problem)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_retention(text: str) -> int | None:
    """Years of retention; empty, "unbegrenzt", "dauernd" or "unlimited" mean unlimited."""
    text = text.strip().lower()
    if text in UNLIMITED:
        return None
    if not text.isdigit() or not 0 <= int(text) <= 1000:
        raise RecordsError(
            f"Retention must be 0 to 1000 years, or empty for unlimited (not {text!r})."
        )
    return int(text)


def _parse_row(line: int, cells: list[str]) -> PlanRow:
    cells = [c.strip() for c in cells]
    if len(cells) < 2 or len(cells) > 4:
        raise RecordsError(
            f"expected 2 to 4 columns (code;title;retention_years;disposition), found {len(cells)}"
        )
    cells += [""] * (4 - len(cells))
    code, title, retention, disposition = cells
    try:
        check_plan_code(code)
    except InvalidReference as exc:
        raise RecordsError(str(exc)) from None
    if not title:
        raise RecordsError("the title is empty")
    return PlanRow(
        line, code, title, parse_retention(retention), _checked_disposition(disposition or "B")
    )


def read_plan_csv(data: bytes) -> tuple[list[PlanRow], list[tuple[int, str]]]:
    """Rows and problems (with line numbers) of a CSV file; UTF-8 with or without BOM,
    separated by semicolons or commas; a header line is optional."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [(_line_of(data, exc.start), "the file is not UTF-8 text; save it as UTF-8")]
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if ";" in first or "," not in first else ","
    rows: list[PlanRow] = []
    errors: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if not rows and not errors and cells[0].strip().lower() in HEADER_NAMES:
            continue  # the header line
        try:
            rows.append(_parse_row(line, cells))
        except RecordsError as exc:
            errors.append((line, str(exc)))
    if not rows and not errors:
        errors.append((1, "the file contains no file plan items"))
    return rows, errors


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def import_plan_csv(records: Records, principal: Principal, data: bytes) -> PlanImport:
    """Check every row first; import all new items in one transaction, or none."""
    rows, errors = read_plan_csv(data)
    report = PlanImport(errors=errors)
    with records.transaction() as session:
        require(session, principal, Permission.MANAGE_FILEPLAN)
        known = set(session.scalars(select(FilePlanItem.code)).all())
        seen: dict[str, int] = {}
        for row in rows:
            if row.code in seen:
                report.errors.append(
                    (row.line, f"code {row.code} appears already in line {seen[row.code]}")
                )
                continue
            seen[row.code] = row.line
            parent = row.code.rpartition(".")[0]
            if parent and parent not in known and parent not in seen:
                report.errors.append(
                    (row.line, f"the parent item {parent} is neither in the file plan nor above")
                )
        if report.errors:
            report.errors.sort()
            return report
        for row in rows:
            if row.code in known:
                report.existing.append(row.code)
                continue
            _add_item(
                records,
                session,
                principal,
                row.code,
                row.title,
                row.retention_years,
                row.disposition,
            )
            report.created.append(row.code)
    return report
