"""Administration: database, demo data, users, org units, file plan."""

from __future__ import annotations

from pathlib import Path

import click

from eakte import db, records
from eakte.cli import AppContext, pass_app, print_json
from eakte.exceptions import RecordsError
from eakte.records import SYSTEM
from eakte.records._demo import load_demo
from eakte.records._fileplan import parse_retention


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@pass_app
def db_upgrade(app: AppContext) -> None:
    """Apply all migrations."""
    db.upgrade(app.settings)
    click.echo("Database schema is up to date.")


@click.command("demo")
@pass_app
def demo(app: AppContext) -> None:
    """Load the demo file plan, org units and an admin account (once)."""
    result = load_demo(app.records)
    if not result.loaded:
        click.echo("Demo data is loaded already; nothing changed.")
        return
    click.echo("Demo data loaded: 6 org units, demo file plan, admin account.")
    click.echo(f"Log in as {result.admin_user!r} with password: {result.admin_password}")
    click.echo("The password is shown only now; change it with `eakte users passwd admin`.")


@click.group("users")
def users() -> None:
    """User accounts and roles."""


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Display name.")
@click.password_option(help="Password (asked for when not given).")
@click.option("--role", "roles", multiple=True, metavar="ORGUNIT:ROLE", help="Grant a role.")
@pass_app
def users_add(
    app: AppContext, username: str, display_name: str, password: str, roles: tuple[str, ...]
) -> None:
    """Create a user account."""
    records.create_user(
        app.records, SYSTEM, username=username, display_name=display_name, password=password
    )
    for spec in roles:
        _grant(app, username, spec)
    click.echo(f"User {username} created.")


def _grant(app: AppContext, username: str, spec: str) -> None:
    orgunit, _, role = spec.partition(":")
    if not role:
        raise RecordsError(f"Write roles as ORGUNIT:ROLE, e.g. 32:sachbearbeitung (not {spec!r}).")
    records.grant_role(app.records, SYSTEM, username=username, orgunit=orgunit, role=role)


@users.command("grant")
@click.argument("username")
@click.argument("spec", metavar="ORGUNIT:ROLE")
@pass_app
def users_grant(app: AppContext, username: str, spec: str) -> None:
    """Grant a role in an org unit (and its sub-units)."""
    _grant(app, username, spec)
    click.echo(f"Granted {spec} to {username}.")


@users.command("passwd")
@click.argument("username")
@click.password_option(help="New password (asked for when not given).")
@pass_app
def users_passwd(app: AppContext, username: str, password: str) -> None:
    """Set a user's password."""
    records.set_password(app.records, SYSTEM, username=username, password=password)
    click.echo(f"Password of {username} changed.")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def users_list(app: AppContext, as_json: bool) -> None:
    """List users and their roles."""
    users = records.list_users(app.records, SYSTEM)
    roles = {u.id: sorted(f"{m.orgunit.code}:{m.role}" for m in u.memberships) for u in users}
    if as_json:
        print_json(
            [
                {
                    "username": u.username,
                    "name": u.display_name,
                    "active": u.active,
                    "roles": roles[u.id],
                }
                for u in users
            ]
        )
        return
    for u in users:
        click.echo(f"{u.username:<20} {u.display_name:<30} {', '.join(roles[u.id])}")


@click.group("orgunits")
def orgunits() -> None:
    """Org units (departments)."""


@orgunits.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--parent", default=None, help="Code of the parent org unit.")
@pass_app
def orgunits_add(app: AppContext, code: str, name: str, parent: str | None) -> None:
    """Create an org unit."""
    records.create_orgunit(app.records, SYSTEM, code=code, name=name, parent=parent)
    click.echo(f"Org unit {code} created.")


@orgunits.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def orgunits_list(app: AppContext, as_json: bool) -> None:
    """List org units."""
    units = records.list_orgunits(app.records)
    codes = {u.id: u.code for u in units}
    rows = [{"code": u.code, "name": u.name, "parent": codes.get(u.parent_id or "")} for u in units]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        click.echo(f"{row['code']:<8} {row['name']:<40} {row['parent'] or ''}")


@click.group("fileplan")
def fileplan() -> None:
    """The file plan (Aktenplan)."""


@fileplan.command("add")
@click.argument("code")
@click.argument("title")
@click.option("--retention", default="", help="Retention in years; empty for unlimited.")
@click.option("--disposition", default="B", type=click.Choice(["A", "B", "V"]))
@pass_app
def fileplan_add(app: AppContext, code: str, title: str, retention: str, disposition: str) -> None:
    """Add a file plan item."""
    records.create_plan_item(
        app.records,
        SYSTEM,
        code=code,
        title=title,
        retention_years=parse_retention(retention),
        disposition=disposition,
    )
    click.echo(f"File plan item {code} created.")


@fileplan.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def fileplan_import(app: AppContext, file: Path) -> None:
    """Import items from a CSV file with columns code;title;retention;disposition."""
    report = records.import_plan_csv(app.records, SYSTEM, file.read_bytes())
    if not report.ok:
        problems = "\n".join(f"  {file}, line {line}: {problem}" for line, problem in report.errors)
        raise RecordsError(
            f"Nothing was imported; correct these lines and run the import again:\n{problems}"
        )
    click.echo(
        f"Imported {len(report.created)} file plan items "
        f"({len(report.existing)} existed already and were left as they are)."
    )


@fileplan.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def fileplan_list(app: AppContext, as_json: bool) -> None:
    """List the file plan."""
    rows = [
        {
            "code": i.code,
            "title": i.title,
            "retention_years": i.retention_years,
            "disposition": i.disposition,
        }
        for i in records.list_plan_items(app.records)
    ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        years = row["retention_years"]
        retention = "unbegrenzt" if years is None else f"{years} Jahre"
        click.echo(f"{row['code']:<12} {row['title']:<45} {retention:<12} {row['disposition']}")


COMMANDS = [db_group, demo, users, orgunits, fileplan]
