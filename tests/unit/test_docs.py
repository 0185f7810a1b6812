"""Docs that cannot drift: settings, CLI reference and links are checked against the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eakte import _clidoc
from eakte.config import CONFIG_ENV, ENV_PREFIX, Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"
ENV_NAME = re.compile(r"\bEAKTE_[A-Z0-9_]*[A-Z0-9]\b")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def env_names() -> set[str]:
    return {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


# -- settings ----------------------------------------------------------------


def test_every_setting_is_documented() -> None:
    text = read("configuration.md")
    missing = sorted(
        name for name in env_names() | {CONFIG_ENV} if not re.search(rf"\b{name}\b", text)
    )
    assert not missing, f"docs/configuration.md does not document: {', '.join(missing)}"


def test_every_setting_has_a_table_row() -> None:
    text = read("configuration.md")
    missing = sorted(
        name for name in env_names() if not re.search(rf"^\| `{name}` \|", text, re.MULTILINE)
    )
    assert not missing, f"docs/configuration.md has no table row for: {', '.join(missing)}"


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_docs_mention_only_real_settings(page: str) -> None:
    known = env_names() | {CONFIG_ENV}
    unknown = sorted(set(ENV_NAME.findall(read(page))) - known)
    assert not unknown, f"docs/{page} mentions settings that do not exist: {', '.join(unknown)}"


# -- command-line reference ----------------------------------------------------


def test_cli_reference_is_up_to_date() -> None:
    assert read("cli.md") == _clidoc.render_cli_reference(), (
        "docs/cli.md is out of date; regenerate it with "
        f"`{_clidoc.REGENERATE}` and commit the result."
    )


def test_every_command_is_in_the_cli_reference() -> None:
    text = read("cli.md")
    paths = _clidoc.command_paths()
    assert "eakte verify" in paths and "eakte keys init" in paths  # the walk reaches the tree
    missing = [path for path in paths if f"\n## {path}\n" not in text]
    assert not missing, (
        f"docs/cli.md lacks the commands {', '.join(missing)}; "
        f"regenerate it with `{_clidoc.REGENERATE}`."
    )


def test_cli_reference_does_not_depend_on_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _clidoc.render_cli_reference()
    monkeypatch.setenv("COLUMNS", "30")
    monkeypatch.setenv("LINES", "5")
    assert _clidoc.render_cli_reference() == expected


def test_clidoc_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "cli.md"
    assert _clidoc.main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == _clidoc.render_cli_reference()


# -- links between the pages ---------------------------------------------------


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: str) -> set[str]:
    text = re.sub(r"```.*?```", "", read(page), flags=re.DOTALL)
    return {slug(m) for m in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE)}


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_links_between_docs_resolve(page: str) -> None:
    broken = []
    for target in LINK.findall(read(page)):
        if "://" in target:
            continue
        name, _, anchor = target.partition("#")
        name = name or page
        exists = (DOCS / name).is_file()
        if not exists or (anchor and name.endswith(".md") and anchor not in anchors(name)):
            broken.append(target)
    assert not broken, f"docs/{page} has broken links: {', '.join(broken)}"


def test_index_lists_every_page() -> None:
    index = read("README.md")
    missing = sorted(
        p.name for p in DOCS.glob("*.md") if p.name != "README.md" and f"]({p.name})" not in index
    )
    assert not missing, f"docs/README.md does not link to: {', '.join(missing)}"
