"""Posteingang: unfiled documents, filing them into an Akte or Vorgang, starting a workflow.

Every action is a plain POST form (CSRF) that works without JavaScript; the
target search also answers htmx with a suggestion list.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from eakte.exceptions import NotFound, RecordsError, WorkflowError
from eakte.models import Document
from eakte.records import (
    file_by_reference,
    file_in_new_case,
    file_in_new_case_file,
    find_targets,
    list_plan_items,
)
from eakte.web._context import principal, records
from eakte.workflow import inbox_page, start_workflow

bp = Blueprint("inbox", __name__)


@bp.route("/posteingang")
def index() -> str:
    page = request.args.get("seite", 1, type=int) or 1
    view = inbox_page(records(), principal(), page)
    return render_template("inbox.html", view=view, plan=list_plan_items(records()))


@bp.route("/posteingang/ziele")
def targets() -> str:
    """Akten and Vorgänge to file into, by reference or title (full page, or htmx options)."""
    query = (request.args.get("q") or request.args.get("target") or "")[:200]
    found = find_targets(records(), principal(), query)
    if request.headers.get("HX-Request"):
        return render_template("inbox_targets.html", targets=found)
    return render_template("inbox_search.html", query=query, targets=found)


@bp.post("/posteingang/<document_id>/zuordnen")
def assign(document_id: str) -> Response:
    reference = request.form.get("target", "")
    return _act(
        document_id,
        lambda: _filed_in(file_by_reference(records(), principal(), document_id, reference)),
        _("The document was filed in %(reference)s."),
    )


@bp.post("/posteingang/<document_id>/neue-akte")
def new_case_file(document_id: str) -> Response:
    plan, title = request.form.get("plan", ""), request.form.get("title", "")
    return _act(
        document_id,
        lambda: _filed_in(
            file_in_new_case_file(records(), principal(), document_id, plan_code=plan, title=title)
        ),
        _("New case file %(reference)s opened and the document filed there."),
    )


@bp.post("/posteingang/<document_id>/neuer-vorgang")
def new_case(document_id: str) -> Response:
    case_file, title = request.form.get("case_file", ""), request.form.get("title", "")
    return _act(
        document_id,
        lambda: _filed_in(
            file_in_new_case(records(), principal(), document_id, case_file=case_file, title=title)
        ),
        _("New case %(reference)s opened and the document filed there."),
    )


@bp.post("/posteingang/<document_id>/workflow")
def start(document_id: str) -> Response:
    name = request.form.get("workflow", "")
    return _act(
        document_id,
        lambda: start_workflow(records(), principal(), name, document_id=document_id).state_label,
        _("Workflow started: %(reference)s."),
    )


def _filed_in(document: Document) -> str:
    where = document.case or document.case_file
    return where.reference if where else ""


def _act(document_id: str, action: Callable[[], str], done: str) -> Response:
    """Run one service call; a user error comes back as a message on the page.

    ``done`` is a translated message with a ``%(reference)s`` placeholder for
    what the action returns. NotFound and PermissionDenied become error pages.
    """
    try:
        result = action()
    except NotFound:
        raise
    except (RecordsError, WorkflowError) as exc:
        flash(_("That did not work: %(reason)s", reason=str(exc)), "error")
    else:
        flash(done % {"reference": result})
    if request.form.get("next") == "document":
        return redirect(url_for("documents.show", document_id=document_id), 303)
    return redirect(url_for("inbox.index"), 303)
