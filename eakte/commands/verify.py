"""``eakte verify``: check the whole store and the audit chain, or one auditor package."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from eakte import records
from eakte.cli import AppContext, pass_app, print_json, read_key_option
from eakte.export._limits import DEFAULT_MAX_GB, max_total_bytes
from eakte.export._verify_bag import Progress
from eakte.signing._findings import Finding, Severity

FINDINGS_EXIT_CODE = 10


@click.command("verify")
@click.argument(
    "package",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@click.option(
    "--quick", is_flag=True, help="Check that content exists instead of re-hashing every byte."
)
@click.option(
    "--trusted-key",
    "trusted_keys",
    multiple=True,
    metavar="PEM_OR_KEY_ID",
    help="With PACKAGE: a public key (PEM file) or key id the package's trust anchor must "
    "be. Repeatable.",
)
@click.option(
    "--max-gb",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_MAX_GB,
    show_default=True,
    envvar="EAKTE_PACKAGE_MAX_GB",
    help="With PACKAGE: the most GiB its files may unpack to (also EAKTE_PACKAGE_MAX_GB); "
    "a larger package is refused before anything is hashed.",
)
@pass_app
def verify(
    app: AppContext,
    package: Path | None,
    as_json: bool,
    quick: bool,
    trusted_keys: tuple[str, ...],
    max_gb: float,
) -> None:
    """Verify every version (content, manifest, signature, chain) and the audit log.

    With PACKAGE (an auditor package from `eakte export`) verify that package
    offline instead: BagIt fixity, signatures, version chains, the audit
    segments against their signed checkpoints and the xdomea message. No
    settings, database or object store are used.

    Exits 10 when any integrity error is found.
    """
    if package is not None:
        if quick:
            raise click.UsageError("--quick applies to the store, not to a PACKAGE.")
        ok = _verify_package(package, trusted_keys, as_json, max_total_bytes(max_gb))
    elif trusted_keys:
        raise click.UsageError("--trusted-key needs a PACKAGE.")
    else:
        ok = _verify_store(app, quick, as_json)
    sys.exit(0 if ok else FINDINGS_EXIT_CODE)


def _verify_store(app: AppContext, quick: bool, as_json: bool) -> bool:
    report = records.verify_store(app.records, check_content=not quick)
    if as_json:
        print_json(report.as_dict())
        return report.ok
    counts = report.counts
    click.echo(
        f"Checked {counts.get('documents', 0)} documents, {counts.get('versions', 0)} "
        f"versions, {counts.get('audit_events', 0)} audit events."
    )
    _echo_findings(report.findings, grouped=False)
    errors = sum(f.severity is Severity.ERROR for f in report.findings)
    click.echo("OK: no integrity errors." if report.ok else f"FAILED: {errors} error(s).")
    return report.ok


def _verify_package(
    package: Path, trusted_keys: tuple[str, ...], as_json: bool, max_total: int
) -> bool:
    """Offline: nothing here may touch ``app`` (settings, database, object store)."""
    from eakte.export._verify_package import verify_package

    keys = [read_key_option(value) for value in trusted_keys]
    with _progress_bar(enabled=not as_json) as progress:
        report = verify_package(package, keys, progress, max_total)
    if as_json:
        print_json(report.as_dict())
        return report.ok
    counts = report.counts
    click.echo(f"Package {package}")
    if counts:  # else the package was not read as far as its index
        click.echo(
            f"Checked {counts.get('documents', 0)} documents, {counts.get('versions', 0)} "
            f"versions, {counts.get('files', 0)} files ({counts.get('bytes', 0):,} bytes), "
            f"{counts.get('audit_events', 0)} audit events, "
            f"{counts.get('checkpoints', 0)} signed checkpoints."
        )
    if report.keys:
        click.echo("Signing keys:")
        for key in report.keys:
            how = key.anchored or "NOT anchored by the audit chain"
            retired = f"; retired {key.retired_at}" if key.retired_at else ""
            click.echo(f"  {key.key_id}  {how}{retired}")
    if report.anchor_key and report.anchor_trusted:
        click.echo(f"Trust anchor {report.anchor_key} is one of the trusted keys.")
    elif report.anchor_key and report.anchor_trusted is None:
        click.echo(
            f"Trust anchor fingerprint: {report.anchor_key}\n"
            "  Compare it with the fingerprint the issuing office publishes "
            "(`eakte keys list` there), or pass --trusted-key."
        )
    _echo_findings(report.findings, grouped=True)
    errors = sum(f.severity is Severity.ERROR for f in report.findings)
    if not report.ok:
        click.echo(f"FAILED: {errors} error(s).")
    elif report.anchor_trusted:
        click.echo("OK: the package is complete and unaltered.")
    else:
        click.echo(
            "OK: the package is complete and unaltered as far as its own keys vouch, "
            "but the trust anchor is unconfirmed (compare its fingerprint above with the "
            "issuing office's, or pass --trusted-key)."
        )
    return report.ok



def _echo_findings(findings: list[Finding], *, grouped: bool) -> None:
    if not grouped:
        for finding in findings:
            label = "ERROR" if finding.severity is Severity.ERROR else "warning"
            click.echo(f"{label}: [{finding.code}] {finding.subject}: {finding.message}")
        return
    for severity, title in ((Severity.ERROR, "Errors"), (Severity.WARNING, "Warnings")):
        chosen = sorted((f for f in findings if f.severity is severity), key=lambda f: f.code)
        if chosen:
            click.echo(f"{title} ({len(chosen)}):")
        for finding in chosen:
            click.echo(f"  [{finding.code}] {finding.subject}: {finding.message}")


@contextmanager
def _progress_bar(*, enabled: bool) -> Iterator[Progress | None]:
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress as Bar

    with Bar(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Hashing", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield progress


COMMANDS = [verify]
