"""Render the command-line reference (``docs/cli.md``) from the click commands themselves.

The output depends only on the command tree, never on the terminal, so a test
can compare it with the committed file. Regenerate the file with::

    .venv/bin/python -m eakte._clidoc docs/cli.md
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from pathlib import Path

import click

REGENERATE = ".venv/bin/python -m eakte._clidoc docs/cli.md"

_HEADER = f"""\
# Command-line reference

<!-- Generated from the click commands by `{REGENERATE}`; do not edit by hand. -->

Every command honours `EAKTE_DATA_DIR` and the other `EAKTE_*` settings
(see [configuration.md](configuration.md)), accepts `--help`, and on failure
exits non-zero with a one-line reason on stderr.
"""


def iter_commands(
    command: click.Command, ctx: click.Context
) -> Iterator[tuple[click.Command, click.Context]]:
    """The command and all its visible subcommands, depth first, sorted by name."""
    yield command, ctx
    if isinstance(command, click.Group):
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            yield from iter_commands(sub, click.Context(sub, info_name=name, parent=ctx))


def command_paths(root: click.Command | None = None) -> list[str]:
    """Every command path below ``eakte``, e.g. ``eakte keys init`` (the root included)."""
    return [ctx.command_path for _, ctx in iter_commands(*_root(root))]


def render_cli_reference(root: click.Command | None = None) -> str:
    """Markdown reference of every command: help text, usage, options and arguments."""
    sections = [_HEADER]
    for command, ctx in iter_commands(*_root(root)):
        sections.append(_render_command(command, ctx))
    return "\n".join(sections)


def _root(root: click.Command | None) -> tuple[click.Command, click.Context]:
    if root is None:
        from eakte.cli import main

        root = main
    return root, click.Context(root, info_name="eakte")


def _render_command(command: click.Command, ctx: click.Context) -> str:
    lines = [f"## {ctx.command_path}", ""]
    help_text = _help_text(command)
    if help_text:
        lines += [help_text, ""]
    usage = " ".join([ctx.command_path, *command.collect_usage_pieces(ctx)])
    lines += ["```", f"Usage: {usage}", "```", ""]
    params = [p for p in command.get_params(ctx) if not _skipped(p, ctx)]
    arguments = [p for p in params if isinstance(p, click.Argument)]
    options = [p for p in params if isinstance(p, click.Option)]
    if arguments:
        lines += ["Arguments:", ""]
        lines += [_render_argument(arg) for arg in arguments]
        lines.append("")
    if options:
        lines += ["Options:", ""]
        lines += [_render_option(opt, ctx) for opt in options]
        lines.append("")
    if isinstance(command, click.Group):
        lines += ["Commands:", ""]
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                summary = sub.get_short_help_str(limit=200)
                lines.append(f"- `{ctx.command_path} {name}`: {summary}")
        lines.append("")
    return "\n".join(lines)


def _help_text(command: click.Command) -> str:
    """The command's docstring without click's ``\\b`` and ``\\f`` markers."""
    text = inspect.cleandoc(command.help or "").split("\f", 1)[0]
    kept = [line for line in text.splitlines() if line.strip() != "\b"]
    return "\n".join(kept).strip()


def _skipped(param: click.Parameter, ctx: click.Context) -> bool:
    """Hidden options and the ``--help`` option every command has."""
    if isinstance(param, click.Option):
        return param.hidden or param is ctx.command.get_help_option(ctx)
    return False


def _render_argument(arg: click.Argument) -> str:
    notes = []
    if not arg.required:
        notes.append("optional")
    if arg.nargs == -1:
        notes.append("repeatable")
    suffix = f" ({', '.join(notes)})" if notes else ""
    return f"- `{arg.human_readable_name}`{suffix}"


def _render_option(opt: click.Option, ctx: click.Context) -> str:
    record = opt.get_help_record(ctx)
    declaration, help_text = record if record is not None else (opt.opts[0], "")
    help_text = " ".join(help_text.split())  # one line, whatever click joined
    extras = []
    default = opt.get_default(ctx, call=False)
    # Only literal defaults: click marks "no default" with private sentinel objects.
    if (
        not opt.show_default
        and not opt.is_flag
        and isinstance(default, str | int | float)
        and default != ""
    ):
        extras.append(f"default: `{default}`")
    if opt.multiple:
        extras.append("may be given more than once")
    if extras:
        help_text = f"{help_text} ({'; '.join(extras)})" if help_text else "; ".join(extras)
    return f"- `{declaration}`" + (f": {help_text}" if help_text else "")


def main(argv: list[str] | None = None) -> int:
    """Print the reference, or write it to the path given as the only argument."""
    args = sys.argv[1:] if argv is None else argv
    text = render_cli_reference()
    if args:
        Path(args[0]).write_text(text, encoding="utf-8", newline="\n")
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
