"""Workflow actions on a task: take a transition (with comment, fields and an Umlauf),
start an ad-hoc Umlauf, co-sign or refuse, mark a notice or Wiedervorlage done.

The engine checks permissions and guards; its messages are English, so each
error is shown as a German summary with the engine's detail, the form kept."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from eakte import workflow as wf
from eakte.exceptions import (
    CommentRequired,
    EakteError,
    FourEyesViolation,
    NotFound,
    PermissionDenied,
    RecordsError,
    WorkflowConflict,
)
from eakte.web._context import principal, records

bp = Blueprint("workflow", __name__)
FIELD_PREFIX = "field-"


@bp.route("/aufgaben/<task_id>", methods=["GET", "POST"])
def task(task_id: str) -> Response | tuple[str, int] | str:
    if request.method == "GET":
        return _render(task_id)
    try:
        message = _act(task_id, request.form)
    except NotFound:
        raise
    except EakteError as exc:  # shown on the page; the form keeps what was entered
        status = getattr(exc, "http_status", 400)
        return _render(task_id, error=_explain(exc), form=request.form), status
    flash(message)
    return redirect(url_for("workflow.task", task_id=task_id))


def _render(
    task_id: str, error: tuple[str, str] | None = None, form: MultiDict[str, str] | None = None
) -> str:
    page = wf.task_page(records(), principal(), task_id)
    return render_template(
        "workflow_task.html", t=page, error=error, form=form or MultiDict(), today=date.today()
    )


def _act(task_id: str, form: MultiDict[str, str]) -> str:
    action = form.get("action", "")
    me, comment = principal(), form.get("comment", "")
    if action == "take":
        fields = {
            key.removeprefix(FIELD_PREFIX): value
            for key, value in form.items()
            if key.startswith(FIELD_PREFIX)
        }
        outcome = wf.take(
            records(),
            me,
            task_id,
            form.get("transition", ""),
            comment=comment,
            fields=fields,
            circulation=_circulation(form) if form.get("umlauf") else None,
        )
        return str(_("Done. The workflow is now at “%(state)s”.", state=outcome.state_label))
    if action == "umlauf":
        spec = _circulation(form)
        wf.start_circulation(records(), me, task_id, spec)
        return str(_("The Umlauf has started."))
    if action == "cosign":
        wf.cosign(records(), me, task_id, comment)
        return str(_("You have co-signed."))
    if action == "refuse":
        wf.refuse(records(), me, task_id, comment)
        return str(_("You have refused to co-sign; the workflow goes back."))
    if action == "done":
        wf.complete_task(records(), me, task_id)
        return str(_("Marked as done."))
    raise RecordsError(f"Unknown action {action!r}.")


def _circulation(form: MultiDict[str, str]) -> wf.CirculationSpec:
    names = [name for name in form.getlist("cosigner") if name.strip()]
    due_text = form.get("umlauf_due", "").strip()
    try:
        due = date.fromisoformat(due_text) if due_text else None
    except ValueError:
        raise RecordsError("Enter the Umlauf's due date as YYYY-MM-DD.") from None
    participants = tuple(wf.Participant.parse(n) for n in names)
    if form.get("mode") == "parallel":
        return wf.CirculationSpec(participants, "parallel", due)
    return wf.CirculationSpec(participants, "sequential", due)


def _explain(exc: EakteError) -> tuple[str, str]:
    """(German summary, the engine's detail)."""
    detail = str(exc)
    if isinstance(exc, WorkflowConflict):
        summary = _(
            "Someone else was quicker: this task has been dealt with already. "
            "Reload the page to see where the workflow stands now."
        )
    elif isinstance(exc, PermissionDenied):
        summary = _("You may not take this step.")
    elif isinstance(exc, FourEyesViolation):
        summary = _(
            "Four-eyes principle: you took an earlier step of this workflow, "
            "so another person has to take this one."
        )
    elif isinstance(exc, CommentRequired):
        summary = _("Please give a reason in the comment field.")
    elif "co-sign" in detail or "Umlauf" in detail:
        summary = _("The Umlauf could not start: check the co-signers.")
    else:
        summary = _("The step could not be taken.")
    return summary, detail
