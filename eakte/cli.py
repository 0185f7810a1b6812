"""The ``eakte`` command line: thin commands that parse, call a service, print.

Every :class:`~eakte.exceptions.EakteError` becomes a one-line message on
stderr and the error's exit code.
"""

from __future__ import annotations

import importlib
import json
import logging
import pkgutil
import sys
from pathlib import Path
from typing import Any

import click

from eakte import __version__
from eakte.config import Settings, load_settings
from eakte.exceptions import EakteError
from eakte.records import SYSTEM, Principal, Records, load_principal


class AppContext:
    """Settings and the records context, created on first use."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._records: Records | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
            logging.basicConfig(
                level=logging.WARNING,
                format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            )
            logging.getLogger("eakte").setLevel(self._settings.log_level)
        return self._settings

    @property
    def records(self) -> Records:
        if self._records is None:
            self.settings.ensure_data_dir()
            self._records = Records(self.settings)
        return self._records

    def principal(self, username: str | None) -> Principal:
        """Who a command acts as: the user named by ``--as``, or the system."""
        if not username:
            return SYSTEM
        with self.records.reading() as session:
            return load_principal(session, username)

    def close(self) -> None:
        if self._records is not None:
            self._records.close()


pass_app = click.make_pass_decorator(AppContext)


class EakteGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EakteError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)


def read_key_option(value: str) -> str:
    """A ``--trusted-key`` value: a key id or PEM text as given, or the PEM in that file."""
    path = Path(value)
    if "-----BEGIN" not in value and path.is_file():
        try:
            return path.read_text("ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter(
                f"cannot read {path}: {exc}", param_hint="--trusted-key"
            ) from exc
    return value


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@click.group(cls=EakteGroup)
@click.version_option(__version__, prog_name="eakte")
@click.pass_context
def main(ctx: click.Context) -> None:
    """eakte: electronic records for municipal administrations.

    Settings come from EAKTE_* environment variables (see docs/configuration.md).
    """
    app = AppContext()
    ctx.obj = app
    ctx.call_on_close(app.close)


def _register() -> None:
    """Add the ``COMMANDS`` of every public module in :mod:`eakte.commands`."""
    import eakte.commands as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for command in module.COMMANDS:
            main.add_command(command)


_register()
