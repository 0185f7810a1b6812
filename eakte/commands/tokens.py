"""API tokens: ``eakte tokens create/list/revoke`` (the token is printed once)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import click

from eakte.cli import AppContext, pass_app, print_json
from eakte.records import SYSTEM, TokenInfo, create_token, list_tokens, revoke_token


def _as_dict(info: TokenInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "user": info.username,
        "name": info.name,
        "prefix": info.prefix,
        "created_at": info.created_at.isoformat(),
        "expires_at": info.expires_at.isoformat() if info.expires_at else None,
        "last_used_at": info.last_used_at.isoformat() if info.last_used_at else None,
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
        "active": info.active,
    }


@click.group("tokens")
def tokens() -> None:
    """API tokens for the JSON API under /api/v1 (see docs/openapi.yaml)."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. 'Fachverfahren X'.")
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day the token works (YYYY-MM-DD, UTC); without: until revoked.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def tokens_create(
    app: AppContext, username: str, name: str, expires: datetime | None, as_json: bool
) -> None:
    """Create a token that acts as USERNAME; it is printed only now."""
    until = datetime.combine(expires.date(), time.max, tzinfo=UTC) if expires else None
    new = create_token(app.records, SYSTEM, username=username, name=name, expires_at=until)
    if as_json:
        print_json({**_as_dict(new.info), "token": new.secret})
        return
    click.echo(new.secret)
    click.echo(
        f"Token {new.info.id} for {username} created. Store it now: eakte keeps only its hash.",
        err=True,
    )


@tokens.command("list")
@click.option("--user", "username", default=None, help="Only this user's tokens.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def tokens_list(app: AppContext, username: str | None, as_json: bool) -> None:
    """List tokens (prefix only; the token itself is never stored)."""
    found = list_tokens(app.records, SYSTEM, username=username)
    if as_json:
        print_json([_as_dict(info) for info in found])
        return
    for info in found:
        state = "revoked" if info.revoked_at else "active" if info.active else "expired"
        used = info.last_used_at.isoformat(timespec="minutes") if info.last_used_at else "never"
        click.echo(
            f"{info.id}  {info.prefix}…  {info.username:<16} {state:<8} last used {used}  "
            f"{info.name}"
        )


@tokens.command("revoke")
@click.argument("token_id", metavar="ID")
@pass_app
def tokens_revoke(app: AppContext, token_id: str) -> None:
    """Revoke a token for good (ID as shown by `eakte tokens list`)."""
    info = revoke_token(app.records, SYSTEM, token_id)
    click.echo(f"Token {info.prefix}… of {info.username} revoked.")


COMMANDS = [tokens]
