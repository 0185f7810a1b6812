"""Login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from eakte.exceptions import AuthenticationFailed
from eakte.records import Records, authenticate

bp = Blueprint("auth", __name__)


def records() -> Records:
    value: Records = current_app.extensions["eakte.records"]
    return value


def _safe_next(target: str | None) -> str:
    """Only a local path; anything a browser could read as another host goes home."""
    if (
        target
        and target.startswith("/")
        and "\\" not in target
        and target.isprintable()
        and not any(ch.isspace() for ch in target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and not target.startswith("//"):
            return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    error = None
    if request.method == "POST":
        try:
            principal = authenticate(
                records(), request.form.get("username", ""), request.form.get("password", "")
            )
        except AuthenticationFailed:
            error = "Benutzername oder Passwort ist falsch."
        else:
            session.clear()
            session["user"] = principal.name
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error), 401 if error else 200  # type: ignore[return-value]


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    session.clear()
    return redirect(url_for("auth.login"))
