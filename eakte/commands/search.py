"""Full-text search from the command line: ``eakte search QUERY``, ``reindex``, ``check``."""

from __future__ import annotations

from typing import Any

import click

from eakte.cli import AppContext, pass_app, print_json
from eakte.search import SearchIndexer, SearchResult, SearchService, Sort


class _QueryFirst(click.Group):
    """``eakte search Antrag`` runs the query; ``eakte search reindex`` the subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["query", *args]
        return super().parse_args(ctx, args)


@click.group("search", cls=_QueryFirst)
def search() -> None:
    """Search documents (query syntax: docs/suche.md), or maintain the index.

    \b
    eakte search 'Antrag Sperrmüll typ:Antrag' [--json] [--as USER]
    eakte search reindex
    eakte search check
    """


@search.command("query")
@click.argument("words", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--as", "username", default=None, help="Search with this user's permissions.")
@click.option(
    "--sort",
    type=click.Choice([s.value for s in Sort]),
    default=Sort.RELEVANCE.value,
    show_default=True,
    help="Order of the hits.",
)
@click.option("--page", type=int, default=1, show_default=True, help="Page of results.")
@click.option("--page-size", type=int, default=10, show_default=True, help="Hits per page.")
@pass_app
def search_query(
    app: AppContext,
    words: tuple[str, ...],
    as_json: bool,
    username: str | None,
    sort: str,
    page: int,
    page_size: int,
) -> None:
    """Search with the query WORDS (all words must occur)."""
    principal = app.principal(username)
    service = SearchService(app.records)
    try:
        result = service.search(
            principal, " ".join(words), sort=Sort(sort), page=page, page_size=page_size
        )
    finally:
        service.close()
    if as_json:
        print_json(_as_dict(result))
    else:
        _print(result)


def _as_dict(result: SearchResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
        "suggestion": result.suggestion,
        "facets": result.facets,
        "hits": [
            {
                "id": hit.doc_id,
                "title": hit.title,
                "reference": hit.reference,
                "orgunit": hit.orgunit,
                "type": hit.doc_type,
                "sender": hit.sender,
                "received": hit.received.isoformat(),
                "document_date": hit.document_date.isoformat() if hit.document_date else None,
                "state": hit.state,
                "versions": hit.version_count,
                "score": round(hit.score, 4),
                "snippet": hit.snippet.html(),
            }
            for hit in result.hits
        ],
    }


def _print(result: SearchResult) -> None:
    click.echo(f"{result.total} Treffer")
    if result.suggestion:
        click.echo(f"Meinten Sie: {result.suggestion}")
    for hit in result.hits:
        click.echo("")
        label = " · ".join(p for p in (hit.reference, hit.doc_type, hit.orgunit) if p)
        click.echo(click.style(hit.title, bold=True) + (f"  ({label})" if label else ""))
        click.echo(f"  {hit.doc_id}")
        click.echo("  " + hit.snippet.plain("»", "«"))
    for name, counts in result.facets.items():
        if counts:
            shown = ", ".join(f"{key} ({count})" for key, count in counts.items())
            click.echo(f"\n{name}: {shown}")


@search.command("reindex")
@pass_app
def search_reindex(app: AppContext) -> None:
    """Rebuild the index from the database; searches use the old one until it is done."""
    from rich.progress import Progress

    indexer = SearchIndexer(app.records)
    with Progress(transient=True) as bar:
        task = bar.add_task("Indexing", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        count = indexer.reindex(progress)
    indexer.close()
    click.echo(f"{count} documents indexed.")


@search.command("check")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--repair", is_flag=True, help="Index what is missing or stale afterwards.")
@pass_app
def search_check(app: AppContext, as_json: bool, repair: bool) -> None:
    """Compare the index with the database; exit code 10 when they differ."""
    indexer = SearchIndexer(app.records)
    report = indexer.check()
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "missing": report.missing,
                "extra": report.extra,
                "stale": report.stale,
                "behind": report.behind,
            }
        )
    else:
        click.echo("Index and database agree." if report.ok else "Index and database differ:")
        for label, ids in (
            ("missing from the index", report.missing),
            ("in the index only", report.extra),
            ("older version indexed", report.stale),
        ):
            for doc_id in ids:
                click.echo(f"  {label}: {doc_id}")
        if report.behind:
            click.echo(f"  audit events not yet indexed: {report.behind}")
    if repair and not report.ok:
        count = indexer.repair(report)
        click.echo(f"Repaired: {count} documents indexed.")
    indexer.close()
    if not report.ok and not repair:
        raise SystemExit(10)


COMMANDS = [search]
