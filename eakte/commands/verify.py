"""``eakte verify``: check the whole store and the audit chain."""

from __future__ import annotations

import sys

import click

from eakte import records
from eakte.cli import AppContext, pass_app, print_json
from eakte.signing._findings import Severity

FINDINGS_EXIT_CODE = 10


@click.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@click.option(
    "--quick", is_flag=True, help="Check that content exists instead of re-hashing every byte."
)
@pass_app
def verify(app: AppContext, as_json: bool, quick: bool) -> None:
    """Verify every version (content, manifest, signature, chain) and the audit log.

    Exits 10 when any integrity error is found.
    """
    report = records.verify_store(app.records, check_content=not quick)
    if as_json:
        print_json(report.as_dict())
    else:
        counts = report.counts
        click.echo(
            f"Checked {counts.get('documents', 0)} documents, {counts.get('versions', 0)} "
            f"versions, {counts.get('audit_events', 0)} audit events."
        )
        for finding in report.findings:
            label = "ERROR" if finding.severity is Severity.ERROR else "warning"
            click.echo(f"{label}: [{finding.code}] {finding.subject}: {finding.message}")
        errors = sum(f.severity is Severity.ERROR for f in report.findings)
        click.echo("OK: no integrity errors." if report.ok else f"FAILED: {errors} error(s).")
    sys.exit(0 if report.ok else FINDINGS_EXIT_CODE)


COMMANDS = [verify]
