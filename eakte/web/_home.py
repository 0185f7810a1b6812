"""Start page."""

from __future__ import annotations

from flask import Blueprint, render_template

from eakte.records import list_case_files, list_orgunits, list_plan_items
from eakte.web._context import principal, records

bp = Blueprint("home", __name__)


@bp.route("/")
def index() -> str:
    me = principal()
    units = {u.id: u for u in list_orgunits(records())}
    my_units = sorted({(units[unit].code, units[unit].name, role.value) for unit, role in me.roles})
    return render_template(
        "index.html",
        user=me.name,
        my_units=my_units,
        plan=list_plan_items(records()),
        case_files=list_case_files(records(), me),
    )
