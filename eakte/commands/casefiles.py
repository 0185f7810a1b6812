"""Case files (Akten) and cases (Vorgänge) from the command line."""

from __future__ import annotations

import click

from eakte import records
from eakte.cli import AppContext, pass_app, print_json
from eakte.records import SYSTEM


@click.group("casefiles")
def casefiles() -> None:
    """Case files (Akten) and their cases (Vorgänge)."""


@casefiles.command("add")
@click.argument("plan_code")
@click.argument("title")
@click.option("--orgunit", required=True, help="Code of the owning org unit.")
@click.option("--year", type=int, default=None, help="Year in the reference (default: now).")
@click.option("--reference", default=None, help="Use this Aktenzeichen instead of allocating.")
@pass_app
def casefiles_add(
    app: AppContext,
    plan_code: str,
    title: str,
    orgunit: str,
    year: int | None,
    reference: str | None,
) -> None:
    """Open a case file under a file plan item; prints its Aktenzeichen."""
    case_file = records.create_case_file(
        app.records,
        SYSTEM,
        plan_code=plan_code,
        title=title,
        orgunit=orgunit,
        year=year,
        reference=reference,
    )
    click.echo(case_file.reference)


@casefiles.command("add-case")
@click.argument("reference")
@click.argument("title")
@pass_app
def casefiles_add_case(app: AppContext, reference: str, title: str) -> None:
    """Open a case (Vorgang) in the case file REFERENCE; prints its reference."""
    case = records.create_case(app.records, SYSTEM, case_file_reference=reference, title=title)
    click.echo(case.reference)


@casefiles.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def casefiles_list(app: AppContext, as_json: bool) -> None:
    """List case files."""
    rows = [
        {
            "reference": c.reference,
            "title": c.title,
            "orgunit": c.orgunit.code,
            "plan": c.plan_item.code,
            "closed": c.closed_at is not None,
        }
        for c in records.list_case_files(app.records, SYSTEM)
    ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        click.echo(f"{row['reference']:<24} {row['orgunit']:<6} {row['title']}")


COMMANDS = [casefiles]
