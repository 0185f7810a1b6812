"""Upload: several files at once into the inbox pipeline, with progress and status.

Each file becomes an inbox job (see :mod:`eakte.ingest._upload`) that this web
process runs in a background thread, so an upload is processed whether or not
an inbox watcher runs here (``eakte serve --no-watch``, a separate
``eakte watch``); a watcher that takes the job first runs it instead. The
page polls each job's status with htmx.
"""

from __future__ import annotations

import threading

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from eakte.exceptions import RecordsError
from eakte.ingest import UploadRunner, submit_upload, upload_status, upload_targets
from eakte.web._context import principal, records

bp = Blueprint("upload", __name__)
_starting = threading.Lock()


def runner() -> UploadRunner:
    """The app's runner, started at the first upload."""
    with _starting:
        found: UploadRunner | None = current_app.extensions.get("eakte.uploads")
        if found is None:
            found = current_app.extensions["eakte.uploads"] = UploadRunner(records())
        return found


@bp.route("/hochladen", methods=["GET", "POST"])
def index() -> str | tuple[str, int] | Response:
    me = principal()
    targets = upload_targets(records(), me)
    if request.method == "GET":
        return render_template("upload.html", targets=targets, jobs=[])
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        raise RecordsError(_("Choose at least one file."))
    jobs = []
    for upload in files:
        job = submit_upload(
            records(), me, upload.stream, upload.filename or "", request.form.get("orgunit", "")
        )
        runner().submit(job, me.name)
        jobs.append(upload_status(records(), me, job.job_id, runner()))
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":  # upload.js: one file
        return render_template("upload_status.html", jobs=jobs)
    return render_template("upload.html", targets=targets, jobs=jobs)


@bp.route("/hochladen/status/<job_id>")
def status(job_id: str) -> str:
    job = upload_status(records(), principal(), job_id, runner())
    return render_template("upload_status.html", jobs=[job])
