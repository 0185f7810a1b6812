"""The JSON API under /api/v1 (read-only): search, document metadata, versions.

Every request carries ``Authorization: Bearer <token>``; the token acts with its
user's roles, and the services check permissions as for the web pages. No
session cookie is used, so the blueprint is exempt from CSRF (it answers GET
only). docs/openapi.yaml describes the endpoints and their JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request

from eakte.exceptions import AuthenticationFailed, QueryError, SearchUnavailable
from eakte.records import Principal, authenticate_token, document_report
from eakte.search import Hit, SearchService
from eakte.web._context import records

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PAGE_SIZE = 20
VERSION_FIELDS = (
    "number",
    "sha256",
    "size",
    "media_type",
    "filename",
    "created_at",
    "created_by",
    "source",
    "key_id",
    "signature_valid",
)
METADATA = (
    "document_id",
    "title",
    "reference",
    "document_date",
    "sender",
    "document_type",
    "language",
    "page_count",
    "orgunit",
    "case_file",
    "parent_id",
    "created_at",
    "confidential",
)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)


def _principal() -> Principal:
    found: Principal = g.api_principal
    return found


@bp.before_request
def _authenticate() -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed(
            "An API token is needed: send 'Authorization: Bearer <token>' "
            "(`eakte tokens create` makes one)."
        )
    g.api_principal = authenticate_token(records(), token.strip())


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(AuthenticationFailed)
def _unauthorized(exc: AuthenticationFailed) -> Response:
    response = jsonify({"error": str(exc), "status": 401})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="eakte"'
    return response


@bp.errorhandler(QueryError)
def _bad_query(exc: QueryError) -> Response:
    response = jsonify({"error": str(exc), "status": 400})
    response.status_code = 400
    return response


@bp.errorhandler(SearchUnavailable)
def _no_index(exc: SearchUnavailable) -> Response:
    response = jsonify({"error": str(exc), "status": 503})
    response.status_code = 503
    return response


def _search_service() -> SearchService:
    """One per app, shared with the search page."""
    found: SearchService | None = current_app.extensions.get("eakte.search")
    if found is None:
        found = current_app.extensions["eakte.search"] = SearchService(records())
    return found


def _hit(hit: Hit) -> dict[str, Any]:
    return {
        "document_id": hit.doc_id,
        "title": hit.title,
        "reference": hit.reference or None,
        "orgunit": hit.orgunit,
        "document_type": hit.doc_type or None,
        "sender": hit.sender or None,
        "document_date": hit.document_date.isoformat() if hit.document_date else None,
        "received": hit.received.isoformat(),
        "workflow_state": hit.state or None,
        "version_count": hit.version_count,
        "score": hit.score,
        "snippet": "".join(text for text, _ in hit.snippet.parts),
    }


@bp.get("/search")
def search() -> Response:
    text = request.args.get("q", "").strip()
    page_arg = request.args.get("page", "1")
    if not text or not page_arg.isdigit() or int(page_arg) < 1:
        raise QueryError("Give a query as ?q=… and a page number of 1 or more as ?page=….")
    result = _search_service().search(_principal(), text, page=int(page_arg), page_size=PAGE_SIZE)
    return jsonify(
        {
            "query": result.query,
            "total": result.total,
            "page": result.page,
            "page_size": result.page_size,
            "hits": [_hit(h) for h in result.hits],
            "facets": result.facets,
            "suggestion": result.suggestion,
        }
    )


@bp.get("/documents/<document_id>")
def document(document_id: str) -> Response:
    report = document_report(records(), _principal(), document_id)
    body = {key: report.get(key) for key in METADATA}
    body["version_count"] = len(report["versions"])
    return jsonify(body)


@bp.get("/documents/<document_id>/versions")
def versions(document_id: str) -> Response:
    report = document_report(records(), _principal(), document_id)
    return jsonify(
        {
            "document_id": report["document_id"],
            "versions": [{k: v.get(k) for k in VERSION_FIELDS} for v in report["versions"]],
        }
    )
