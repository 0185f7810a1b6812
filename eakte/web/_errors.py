"""One place where errors become responses: a page for browsers, JSON for the API."""

from __future__ import annotations

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from eakte.exceptions import AuthenticationFailed, EakteError, NotFound, PermissionDenied


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _respond(status: int, title: str, message: str) -> Response:
    if _wants_json():
        response = jsonify({"error": message, "status": status})
        response.status_code = status
        return response
    html = render_template("error.html", title=title, message=message)
    return Response(html, status=status, mimetype="text/html")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AuthenticationFailed)
    def _not_logged_in(exc: AuthenticationFailed) -> Response:
        if _wants_json():
            return _respond(401, _("Not logged in"), str(exc))
        return redirect(url_for("auth.login", next=request.path))

    @app.errorhandler(PermissionDenied)
    def _forbidden(exc: PermissionDenied) -> Response:
        return _respond(403, _("Not allowed"), _("You may not see or do this."))

    @app.errorhandler(NotFound)
    def _missing(exc: NotFound) -> Response:
        return _respond(404, _("Not found"), _("This page or record does not exist."))

    @app.errorhandler(EakteError)
    def _domain(exc: EakteError) -> Response:
        status = getattr(exc, "http_status", 500)
        return _respond(status, _("That did not work"), str(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        titles = {
            404: _("Not found"),
            405: _("Not allowed"),
            413: _("File too large"),
            429: _("Too many attempts"),
            400: _("Bad request"),
        }
        messages = {
            404: _("This page or record does not exist."),
            413: _("The file is larger than the server accepts."),
            429: _("Too many attempts. Wait a minute and try again."),
        }
        return _respond(
            status, titles.get(status, _("Error")), messages.get(status, exc.description or "")
        )
