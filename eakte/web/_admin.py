"""Verwaltung: users and roles, org units, file plan (with CSV import), workflow
definitions, system status with retry of failed inbox files, API tokens.

Every service called here checks that the user may administer (or manage the
file plan); a user without the role gets 403 on every page and form.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from eakte.exceptions import RecordsError
from eakte.ingest._retry import retry_failed
from eakte.ingest._status import system_status, workflow_status
from eakte.models import Role
from eakte.records import (
    create_orgunit,
    create_plan_item,
    create_token,
    create_user,
    grant_role,
    import_plan_csv,
    list_tokens,
    revoke_role,
    revoke_token,
    set_password,
    set_user_active,
)
from eakte.records._fileplan import plan_for_admin
from eakte.records._orgs import admin_sections, get_user, user_directory
from eakte.web._context import principal, records
from eakte.workflow import sync_definitions

bp = Blueprint("admin", __name__, url_prefix="/verwaltung")
MAX_CSV_BYTES = 2 * 1024 * 1024
Page = str | Response | tuple[str, int]


def _form(name: str) -> str:
    return request.form.get(name, "").strip()


def _run(action: Callable[[], object]) -> str | None:
    """Run a service; the reason of a refused input, or None when it worked."""
    try:
        action()
    except RecordsError as exc:
        return str(exc)
    return None


@bp.route("", strict_slashes=False)
def index() -> str:
    sections = admin_sections(records(), principal())
    return render_template("admin.html", sections={s.name for s in sections})


# -- users ------------------------------------------------------------------------------


@bp.route("/benutzer", methods=["GET", "POST"])
def users() -> Page:
    me = principal()
    error = None
    if request.method == "POST":
        username = _form("username")
        error = _run(
            lambda: create_user(
                records(),
                me,
                username=username,
                display_name=_form("display_name"),
                password=request.form.get("password", ""),
            )
        )
        if error is None:
            flash(_("User %(name)s created.", name=username))
            return redirect(url_for(".user", username=username))
    directory = user_directory(records(), me)
    return render_template("admin_users.html", directory=directory, error=error), (
        422 if error else 200
    )


def _user_page(username: str, error: str | None = None) -> Page:
    me = principal()
    html = render_template(
        "admin_user.html",
        user=get_user(records(), me, username),
        directory=user_directory(records(), me),
        roles=[r.value for r in Role],
        tokens=list_tokens(records(), me, username=username),
        error=error,
    )
    return (html, 422) if error else html


def _user_action(username: str, action: Callable[[], object], done: str) -> Page:
    error = _run(action)
    if error:
        return _user_page(username, error)
    flash(done)
    return redirect(url_for(".user", username=username))


@bp.route("/benutzer/<username>")
def user(username: str) -> Page:
    return _user_page(username)


@bp.post("/benutzer/<username>/aktiv")
def user_active(username: str) -> Page:
    active = request.form.get("active") == "1"
    return _user_action(
        username,
        lambda: set_user_active(records(), principal(), username=username, active=active),
        _("Account activated.") if active else _("Account deactivated."),
    )


@bp.post("/benutzer/<username>/passwort")
def user_password(username: str) -> Page:
    password = request.form.get("password", "")
    if password != request.form.get("repeat_password", ""):
        get_user(records(), principal(), username)  # only administrators learn more
        return _user_page(username, _("The two new passwords differ."))
    return _user_action(
        username,
        lambda: set_password(records(), principal(), username=username, password=password),
        _("Password set. Give it to the user in a safe way."),
    )


@bp.post("/benutzer/<username>/rollen")
def user_grant(username: str) -> Page:
    orgunit, role = _form("orgunit"), _form("role")
    return _user_action(
        username,
        lambda: grant_role(records(), principal(), username=username, orgunit=orgunit, role=role),
        _("Role granted."),
    )


@bp.post("/benutzer/<username>/rollen/entziehen")
def user_revoke(username: str) -> Page:
    orgunit, role = _form("orgunit"), _form("role")
    return _user_action(
        username,
        lambda: revoke_role(records(), principal(), username=username, orgunit=orgunit, role=role),
        _("Role revoked."),
    )


# -- org units and file plan ------------------------------------------------------------


@bp.route("/organisationseinheiten", methods=["GET", "POST"])
def orgunits() -> Page:
    me = principal()
    error = None
    if request.method == "POST":
        code = _form("code")
        error = _run(
            lambda: create_orgunit(
                records(), me, code=code, name=_form("name"), parent=_form("parent") or None
            )
        )
        if error is None:
            flash(_("Org unit %(code)s created.", code=code))
            return redirect(url_for(".orgunits"))
    directory = user_directory(records(), me)
    return render_template("admin_orgunits.html", directory=directory, error=error), (
        422 if error else 200
    )


@bp.route("/aktenplan", methods=["GET", "POST"])
def fileplan() -> Page:
    me = principal()
    error = None
    if request.method == "POST":
        code, retention = _form("code"), _form("retention_years")
        error = _run(
            lambda: create_plan_item(
                records(),
                me,
                code=code,
                title=_form("title"),
                retention_years=_years(retention),
                disposition=_form("disposition") or "B",
            )
        )
        if error is None:
            flash(_("File plan item %(code)s created.", code=code))
            return redirect(url_for(".fileplan"))
    items = plan_for_admin(records(), me)
    return render_template("admin_fileplan.html", items=items, error=error), (422 if error else 200)


def _years(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise RecordsError(_("Retention must be a number of years, or empty for unlimited."))
    return int(text)


@bp.post("/aktenplan/import")
def fileplan_import() -> Page:
    me = principal()
    upload = request.files.get("file")
    data = upload.stream.read(MAX_CSV_BYTES + 1) if upload else b""
    report, error = None, None
    if not data or len(data) > MAX_CSV_BYTES:
        error = _("Choose a CSV file of at most 2 MB.")
    else:
        report = import_plan_csv(records(), me, data)
    items = plan_for_admin(records(), me)
    ok = report is not None and report.ok
    html = render_template("admin_fileplan.html", items=items, report=report, error=error)
    return html, 200 if ok else 422


# -- workflows, system status, tokens ---------------------------------------------------


@bp.route("/workflows")
def workflows() -> str:
    return render_template("admin_workflows.html", status=workflow_status(records(), principal()))


@bp.post("/workflows/laden")
def workflows_load() -> Response:
    report = sync_definitions(records(), principal())
    flash(
        _(
            "%(added)d definitions loaded, %(unchanged)d unchanged, %(problems)d problems.",
            added=len(report.added),
            unchanged=len(report.unchanged),
            problems=len(report.problems),
        )
    )
    return redirect(url_for(".workflows"))


@bp.route("/system")
def status() -> str:
    return render_template("admin_status.html", status=system_status(records(), principal()))


@bp.post("/system/fehlgeschlagen/<item_id>/wiederholen")
def retry(item_id: str) -> Response:
    done = retry_failed(records(), principal(), item_id)
    flash(_("%(name)s is back in the inbox and will be processed again.", name=done.name))
    return redirect(url_for(".status"))


@bp.route("/tokens", methods=["GET", "POST"])
def tokens() -> Page:
    me = principal()
    new, error = None, None
    if request.method == "POST":
        try:
            new = create_token(records(), me, username=_form("username"), name=_form("name"))
        except RecordsError as exc:
            error = str(exc)
    listed = list_tokens(records(), me)
    html = render_template(
        "admin_tokens.html",
        tokens=listed,
        new=new,
        users=user_directory(records(), me).users,
        error=error,
    )
    return html, 422 if error else 200


@bp.post("/tokens/<token_id>/widerrufen")
def token_revoke(token_id: str) -> Response:
    info = revoke_token(records(), principal(), token_id)
    flash(_("Token %(prefix)s… revoked.", prefix=info.prefix))
    if request.form.get("back") == "user":
        return redirect(url_for(".user", username=info.username))
    return redirect(url_for(".tokens"))
