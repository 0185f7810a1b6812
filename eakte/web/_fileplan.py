"""The file plan (Aktenplan) and the page of an Akte or a Vorgang, with its forms:
a new Vorgang, a workflow on a Vorgang, a Wiedervorlage."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from eakte import workflow as wf
from eakte.exceptions import EakteError, NotFound, PermissionDenied, RecordsError
from eakte.records import create_case, file_plan_tree
from eakte.web._context import principal, records
from eakte.web._recent import remember

bp = Blueprint("fileplan", __name__)
ACTIONS = ("new_case", "start_workflow", "resubmission")


@bp.route("/aktenplan")
def index() -> str:
    return render_template("fileplan.html", tree=file_plan_tree(records(), principal()))


@bp.route("/akten/<path:reference>", methods=["GET", "POST"])
def casefile(reference: str) -> Response | tuple[str, int] | str:
    if request.method == "POST":
        try:
            return _act(reference)
        except (NotFound, PermissionDenied):
            raise
        except EakteError as exc:  # shown on the page, the form kept
            page = wf.record_page(records(), principal(), reference)
            status = getattr(exc, "http_status", 400)
            return _render(page, error=_explain(exc), form=request.form), status
    page = wf.record_page(records(), principal(), reference)
    shown = page.record.case or page.record
    kind = "case" if page.record.case else "casefile"
    url = url_for("fileplan.casefile", reference=shown.reference)
    remember(kind, shown.reference, f"{shown.reference} {shown.title}", url)
    return _render(page)


def _render(page: wf.RecordPage, error: str | None = None, form: object = None) -> str:
    return render_template(
        "akte.html", page=page, r=page.record, error=error, form=form or {}, today=date.today()
    )


def _act(reference: str) -> Response:
    action = request.form.get("action", "")
    me = principal()
    if action == "new_case":
        case = create_case(
            records(), me, case_file_reference=reference, title=request.form.get("title", "")
        )
        flash(_("Vorgang %(ref)s opened.", ref=case.reference))
        return redirect(url_for("fileplan.casefile", reference=case.reference))
    if action == "start_workflow":
        outcome = wf.start_workflow(
            records(),
            me,
            request.form.get("workflow", ""),
            case=reference,
            reason=request.form.get("comment") or None,
        )
        flash(_("Workflow started: now at “%(state)s”.", state=outcome.state_label))
    elif action == "resubmission":
        wf.set_resubmission(
            records(),
            me,
            reference,
            _date(request.form.get("due", "")),
            request.form.get("note", ""),
        )
        flash(_("Wiedervorlage set."))
    else:
        raise RecordsError(f"Unknown action {action!r}.")
    return redirect(url_for("fileplan.casefile", reference=reference))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise RecordsError("Enter the date as YYYY-MM-DD.") from None


def _explain(exc: EakteError) -> str:
    """A German summary for the engine's English messages (the detail follows it)."""
    return str(_("That did not work: %(detail)s", detail=str(exc)))
