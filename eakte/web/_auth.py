"""Login, logout and changing one's own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from eakte.exceptions import AuthenticationFailed, RecordsError
from eakte.records import authenticate, set_password
from eakte.records._orgs import MIN_PASSWORD_LENGTH
from eakte.web._context import principal, records

bp = Blueprint("auth", __name__)


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
            found = authenticate(
                records(), request.form.get("username", ""), request.form.get("password", "")
            )
        except AuthenticationFailed:
            error = _("User name or password is wrong.")
        else:
            lang = session.get("lang")
            session.clear()  # a new session id: no fixation
            session["user"] = found.name
            if lang:
                session["lang"] = lang
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error), 401 if error else 200  # type: ignore[return-value]


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/passwort", methods=["GET", "POST"])
def change_password() -> str | Response:
    error = None
    if request.method == "POST":
        me = principal()
        new = request.form.get("new_password", "")
        try:
            authenticate(records(), me.name, request.form.get("current_password", ""))
            if new != request.form.get("repeat_password", ""):
                raise RecordsError(_("The two new passwords differ."))
            if len(new) < MIN_PASSWORD_LENGTH:
                raise RecordsError(
                    _("The new password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
                )
            set_password(records(), me, username=me.name, password=new)
        except AuthenticationFailed:
            error = _("The current password is wrong.")
        except RecordsError as exc:
            error = str(exc)
        else:
            flash(_("Your password has been changed."))
            return redirect(url_for("home.index"))
    return render_template("password.html", error=error), 422 if error else 200  # type: ignore[return-value]
