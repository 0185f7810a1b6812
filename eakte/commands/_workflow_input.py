"""What ``eakte workflows`` reads: shared options, dates (TT.MM.JJJJ or ISO),
fields, co-signers, the acting user."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from eakte import workflow as wf
from eakte.config import Settings

F = TypeVar("F", bound=Callable[..., Any])


def german_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """A day written TT.MM.JJJJ (German) or JJJJ-MM-TT (ISO)."""
    if value is None:
        return None
    text = value.strip()
    for parse in (date.fromisoformat, lambda v: datetime.strptime(v, "%d.%m.%Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    raise click.BadParameter(f"{value!r} is no date: write TT.MM.JJJJ, e.g. 24.12.2026.")


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")(f)


def as_user(f: F) -> F:
    return click.option(
        "--as", "username", required=True, metavar="USER", help="Act as this user."
    )(f)


def as_admin(f: F) -> F:
    return click.option(
        "--as", "username", default=None, metavar="USER", help="Act as this user (default: system)."
    )(f)


def circulation_options(f: F) -> F:
    f = click.option(
        "--due", callback=german_date, metavar="TT.MM.JJJJ", help="Deadline of the Umlauf."
    )(f)
    f = click.option(
        "--mode",
        type=click.Choice(["sequential", "parallel"]),
        default="sequential",
        show_default=True,
        help="Co-signers one after another, or all at once.",
    )(f)
    return click.option(
        "--cosigner",
        "cosigners",
        multiple=True,
        metavar="USER|oe:CODE",
        help="Co-signer (Mitzeichnung): a user name, or oe:CODE for an org unit.",
    )(f)



def umlauf_spec(
    cosigners: tuple[str, ...], mode: str, due: date | None
) -> wf.CirculationSpec | None:
    if not cosigners:
        if due is not None:
            raise click.UsageError("--due is the deadline of an Umlauf: name the --cosigner too.")
        return None
    people = tuple(wf.Participant.parse(c) for c in cosigners)
    return wf.CirculationSpec(people, "parallel" if mode == "parallel" else "sequential", due)


def field_values(pairs: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.UsageError(
                f"Write fields as NAME=VALUE, e.g. betrag=1.234,50 (not {pair!r})."
            )
        if name.strip() in values:
            raise click.UsageError(f"The field {name.strip()!r} is given twice.")
        values[name.strip()] = value
    return values


def configured_folder(settings: Settings) -> Path:
    """Like :func:`eakte.workflow.definitions_folder`, from the settings alone (no database)."""
    folder = settings.resolved_workflows_dir
    return folder if folder.is_dir() else wf.shipped_examples()


@contextmanager
def problems_printed_here() -> Iterator[None]:
    """sync_definitions also logs each problem (for ``serve``); here they are printed once."""
    registry = logging.getLogger("eakte.workflow")
    level = registry.level
    registry.setLevel(logging.ERROR)
    try:
        yield
    finally:
        registry.setLevel(level)
