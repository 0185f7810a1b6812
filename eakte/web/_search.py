"""Search page ``/suche``: one box, results with snippets, facets, sorting, pages.

Facets and filters are links that add a filter of the query language
(``oe:32``) to the query, so every result page is a plain, bookmarkable GET
URL and works without JavaScript. Permissions are applied by the SearchService.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response

from eakte.search import Hit, QueryError, SearchResult, SearchService, SearchUnavailable, Sort
from eakte.web._context import principal, records

bp = Blueprint("search", __name__)

PAGE_SIZE = 20
MAX_QUERY = 1000
#: facets in the order shown, with their query filter
FACET_FILTERS = (
    ("orgunit", "oe"),
    ("doc_type", "typ"),
    ("year", "jahr"),
    ("state", "status"),
    ("workflow", "workflow"),
)


def service() -> SearchService:
    """One read-side search service per app (it keeps the open index)."""
    found: SearchService | None = current_app.extensions.get("eakte.search")
    if found is None:
        found = current_app.extensions["eakte.search"] = SearchService(records())
    return found


def _page() -> int:
    value = request.args.get("seite", "1")
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1


def _sort() -> Sort:
    try:
        return Sort(request.args.get("sortierung", Sort.RELEVANCE.value))
    except ValueError:
        return Sort.RELEVANCE


def filter_term(name: str, value: str) -> str:
    """``name:value`` in the query language, quoted when the value has spaces."""
    return f'{name}:"{value}"' if any(c.isspace() for c in value) else f"{name}:{value}"


def with_filter(query: str, term: str) -> str:
    return f"{query} {term}".strip()


def has_filter(query: str, term: str) -> bool:
    return re.search(rf"(?:^|\s){re.escape(term)}(?:\s|$)", query) is not None


def without_filter(query: str, term: str) -> str:
    return " ".join(query.replace(term, " ").split())


def snippet_html(hit: Hit) -> Markup:
    """The highlighter escapes the text itself and adds only ``<mark>``: the one
    piece of HTML on this page that is not escaped by the template."""
    return Markup(hit.snippet.html())  # noqa: S704


@bp.route("/suche")
def search() -> Response | tuple[str, int] | str:
    text = request.args.get("q", "").strip()[:MAX_QUERY]
    sort, page = _sort(), _page()
    context: dict[str, object] = {
        "q": text,
        "sort": sort,
        "sorts": [(s.value, _sort_label(s)) for s in Sort],
        "facet_filters": FACET_FILTERS,
        "filter_term": filter_term,
        "with_filter": with_filter,
        "without_filter": without_filter,
        "has_filter": has_filter,
        "snippet_html": snippet_html,
        "result": None,
        "error": None,
    }
    if not text:
        return render_template("search.html", **context)
    me = principal()
    try:
        target = service().jump_target(me, text)
        if target is not None:
            return redirect(_case_file_url(target))
        result: SearchResult = service().search(me, text, sort=sort, page=page, page_size=PAGE_SIZE)
    except QueryError as e:
        context["error"] = e.message
        return render_template("search.html", **context), 422
    except SearchUnavailable as e:
        context["unavailable"] = e.message
        return render_template("search.html", **context), 503
    context["result"] = result
    context["pages"] = max(1, -(-result.total // PAGE_SIZE))
    return render_template("search.html", **context)


def _sort_label(sort: Sort) -> str:
    labels = {
        Sort.RELEVANCE: _("Relevance"),
        Sort.NEWEST: _("Newest first"),
        Sort.OLDEST: _("Oldest first"),
    }
    return str(labels[sort])


def _case_file_url(reference: str) -> str:
    if "fileplan.casefile" in current_app.view_functions:
        return url_for("fileplan.casefile", reference=reference)
    return "/akten/" + quote(reference, safe="/")
