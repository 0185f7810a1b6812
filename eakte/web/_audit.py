"""Protokoll: the audit trail of one object, and a query over the whole trail.

Who sees which events is decided by :func:`eakte.records.query_audit`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from eakte.exceptions import RecordsError
from eakte.records import query_audit
from eakte.web._context import principal, records

bp = Blueprint("audit", __name__, url_prefix="/protokoll")
BERLIN = ZoneInfo("Europe/Berlin")  # the day a date field means
PAGE_SIZE = 50
# action → words for people; unknown actions are shown as they are
ACTIONS = {
    "case.closed": lazy_gettext("Case closed"),
    "case.created": lazy_gettext("Case created"),
    "casefile.created": lazy_gettext("Case file created"),
    "document.created": lazy_gettext("Document created"),
    "document.moved": lazy_gettext("Document moved"),
    "document.filed": lazy_gettext("Document filed"),
    "document.metadata_updated": lazy_gettext("Metadata changed"),
    "document.version_added": lazy_gettext("New version added"),
    "document.read": lazy_gettext("Document read"),
    "fileplan.item_created": lazy_gettext("File plan item created"),
    "ingest.stored": lazy_gettext("Received and stored"),
    "ingest.duplicate": lazy_gettext("Received again (duplicate)"),
    "ingest.failed": lazy_gettext("Receipt failed"),
    "ingest.retried": lazy_gettext("Failed file put back into the inbox"),
    "ingest.workflow_failed": lazy_gettext("Workflow could not be started"),
    "key.created": lazy_gettext("Signing key created"),
    "key.rotated": lazy_gettext("Signing key rotated"),
    "orgunit.created": lazy_gettext("Org unit created"),
    "resubmission.due": lazy_gettext("Resubmission due"),
    "resubmission.set": lazy_gettext("Resubmission set"),
    "role.granted": lazy_gettext("Role granted"),
    "role.revoked": lazy_gettext("Role revoked"),
    "task.done": lazy_gettext("Task done"),
    "token.created": lazy_gettext("API token created"),
    "token.revoked": lazy_gettext("API token revoked"),
    "user.activated": lazy_gettext("Account activated"),
    "user.created": lazy_gettext("User created"),
    "user.deactivated": lazy_gettext("Account deactivated"),
    "user.password_changed": lazy_gettext("Password changed"),
    "workflow.definition.loaded": lazy_gettext("Workflow definition loaded"),
    "workflow.started": lazy_gettext("Workflow started"),
    "workflow.transition": lazy_gettext("Workflow step taken"),
    "workflow.zda": lazy_gettext("Closed and filed (zdA)"),
    "workflow.circulation_started": lazy_gettext("Circulation started"),
    "workflow.refused": lazy_gettext("Co-signing refused"),
    "workflow.overdue": lazy_gettext("Deadline passed"),
    "workflow.escalated": lazy_gettext("Escalated"),
    "workflow.handed_over": lazy_gettext("Handed over"),
}
OBJECT_TYPES = {
    "document": lazy_gettext("Document"),
    "casefile": lazy_gettext("Case file"),
    "case": lazy_gettext("Case"),
    "workflow": lazy_gettext("Workflow"),
    "user": lazy_gettext("User"),
    "orgunit": lazy_gettext("Org unit"),
    "fileplan_item": lazy_gettext("File plan item"),
    "api_token": lazy_gettext("API token"),
    "workflow_definition": lazy_gettext("Workflow definition"),
    "task": lazy_gettext("Task"),
    "signing_key": lazy_gettext("Signing key"),
    "ingest_item": lazy_gettext("Incoming file"),
    "ingest_file": lazy_gettext("Failed inbox file"),
}


def _day(name: str, *, end: bool = False) -> datetime | None:
    """A date field as the start of that day in Berlin (``end``: of the next day)."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise RecordsError(_("Enter dates as YYYY-MM-DD.")) from None
    if end:
        day += timedelta(days=1)
    return datetime.combine(day, time(), tzinfo=BERLIN)


def _page() -> int:
    text = request.args.get("seite", "1")
    return max(1, int(text)) if text.isdigit() else 1


def _render(template: str, **filters: str | None) -> tuple[str, int]:
    page, error, result = _page(), None, None
    try:
        since, until = _day("von"), _day("bis", end=True)
    except RecordsError as exc:
        error = str(exc)
    else:
        result = query_audit(
            records(),
            principal(),
            since=since,
            until=until,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
            actor=filters.get("actor") or None,
            action=filters.get("action") or None,
            object_type=filters.get("object_type") or None,
            object_id=filters.get("object_id") or None,
        )
    args = {k: v for k, v in request.args.items() if k != "seite"}
    args.update(request.view_args or {})  # for the pager's links
    html = render_template(
        template,
        result=result,
        error=error,
        page=page,
        args=args,
        filters=filters,
        actions=ACTIONS,
        object_types=OBJECT_TYPES,
    )
    return html, 400 if error else 200


@bp.route("", strict_slashes=False)
def index() -> tuple[str, int]:
    filters = {
        key: request.args.get(key, "").strip() or None
        for key in ("actor", "action", "object_type", "object_id")
    }
    return _render("audit.html", **filters)


@bp.route("/<object_type>/<object_id>")
def object(object_type: str, object_id: str) -> tuple[str, int]:
    return _render("audit_object.html", object_type=object_type, object_id=object_id)
