"""Signing keys: ``eakte keys init|rotate|list|export-public``."""

from __future__ import annotations

from pathlib import Path

import click

from eakte import records
from eakte.cli import AppContext, pass_app, print_json
from eakte.exceptions import SigningKeyError
from eakte.records import SYSTEM


@click.group("keys")
def keys() -> None:
    """Ed25519 signing keys of this installation."""


@keys.command("init")
@click.option("--exists-ok", is_flag=True, help="Succeed quietly when a key exists already.")
@pass_app
def keys_init(app: AppContext, exists_ok: bool) -> None:
    """Create the first signing key."""
    if exists_ok and app.records.keyring().exists():
        records.sync_keys(app.records)
        return
    info = records.init_keys(app.records, SYSTEM)
    click.echo(f"Signing key {info.key_id} created in {app.settings.resolved_key_dir}.")


@keys.command("rotate")
@pass_app
def keys_rotate(app: AppContext) -> None:
    """Sign from now on with a new key; old public keys stay known."""
    info = records.rotate_keys(app.records, SYSTEM)
    click.echo(f"Signing key {info.key_id} is now active; the previous key is retired.")


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def keys_list(app: AppContext, as_json: bool) -> None:
    """List all keys, active and retired."""
    infos = app.records.keyring().list()
    rows = [
        {
            "key_id": i.key_id,
            "active": i.active,
            "created_at": i.created_at.isoformat(),
            "retired_at": i.retired_at.isoformat() if i.retired_at else None,
        }
        for i in infos
    ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        state = "active" if row["active"] else f"retired {row['retired_at']}"
        click.echo(f"{row['key_id']}  created {row['created_at']}  {state}")


@keys.command("export-public")
@click.argument("key_id", required=False)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to this file (or, with --all, into this folder as KEY_ID.pem).",
)
@click.option("--all", "all_keys", is_flag=True, help="Export every key, not only one.")
@pass_app
def keys_export_public(
    app: AppContext, key_id: str | None, output: Path | None, all_keys: bool
) -> None:
    """Print or write public keys (PEM) for offline verification with openssl."""
    keyring = app.records.keyring()
    if all_keys:
        if output is None:
            raise SigningKeyError("--all needs -o FOLDER to write one KEY_ID.pem per key.")
        output.mkdir(parents=True, exist_ok=True)
        for info in keyring.list():
            (output / f"{info.key_id}.pem").write_text(info.public_pem, encoding="ascii")
        click.echo(f"Wrote {len(keyring.list())} public keys to {output}.")
        return
    pem = keyring.public_pem(key_id or keyring.active().key_id)
    if output is None:
        click.echo(pem, nl=False)
    else:
        output.write_text(pem, encoding="ascii")
        click.echo(f"Wrote {output}.")


COMMANDS = [keys]
