"""Start page: my tasks, Wiedervorlagen due, the Posteingang of my org units,
recently viewed records, my roles. Each part is one read service (a dashboard)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from eakte.records import list_inbox, list_orgunits
from eakte.web._context import principal, records
from eakte.web._recent import recently_viewed
from eakte.workflow import tasks_for

bp = Blueprint("home", __name__)

INBOX_NEWEST = 5
TASKS_SHOWN = 30  # the most urgent; ?aufgaben=alle shows every one


@bp.route("/")
def index() -> str:
    me = principal()
    tasks = tasks_for(records(), me)
    steps = [t for t in tasks if t.kind != "resubmission"]
    show_all = request.args.get("aufgaben") == "alle"
    units = {u.id: u for u in list_orgunits(records())}
    my_units = sorted({(units[unit].code, units[unit].name, role.value) for unit, role in me.roles})
    return render_template(
        "index.html",
        user=me.name,
        tasks=steps if show_all else steps[:TASKS_SHOWN],
        task_count=len(steps),
        resubmissions=[t for t in tasks if t.kind == "resubmission"],
        inbox=list_inbox(records(), me, per_page=INBOX_NEWEST),
        recent=recently_viewed(),
        my_units=my_units,
    )
