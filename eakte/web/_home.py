"""Start page."""

from __future__ import annotations

from flask import Blueprint, render_template, session

from eakte.records import list_case_files, list_orgunits, list_plan_items, load_principal
from eakte.web._auth import records

bp = Blueprint("home", __name__)


@bp.route("/")
def index() -> str:
    with records().reading() as db_session:
        principal = load_principal(db_session, session["user"])
    units = {u.id: u for u in list_orgunits(records())}
    my_units = sorted(
        {(units[unit].code, units[unit].name, role.value) for unit, role in principal.roles}
    )
    return render_template(
        "index.html",
        user=principal.name,
        my_units=my_units,
        plan=list_plan_items(records()),
        case_files=list_case_files(records(), principal),
    )
