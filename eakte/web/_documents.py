"""The document page: page previews, text, metadata (editable), versions with their
signatures checked live, downloads, a new version, the scan notes, workflows."""

from __future__ import annotations

import contextlib
import mimetypes
import string
from collections.abc import Iterator
from datetime import date
from typing import BinaryIO, cast
from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from eakte.exceptions import RecordsError
from eakte.preview import Size, page_count, render_page
from eakte.records import (
    VersionInput,
    add_version,
    clean_filename,
    document_report,
    open_download,
    update_metadata,
)
from eakte.web._context import principal, records
from eakte.web._recent import remember
from eakte.workflow import document_workflows

bp = Blueprint("documents", __name__)
CHUNK = 256 * 1024
_SAFE_NAME = frozenset(string.ascii_letters + string.digits + " ._-()+,")


@bp.route("/dokumente/<document_id>")
def show(document_id: str) -> str:
    report = document_report(records(), principal(), document_id)
    pages = page_count(records(), principal(), document_id)
    page = min(max(request.args.get("seite", 1, type=int) or 1, 1), max(pages, 1))
    workflows = document_workflows(records(), principal(), document_id)
    remember("document", document_id, report["title"], url_for(".show", document_id=document_id))
    return render_template("document.html", doc=report, pages=pages, page=page, workflows=workflows)


@bp.route("/dokumente/<document_id>/seiten/<int:number>.png")
def page_image(document_id: str, number: int) -> Response:
    return _png(render_page(records(), principal(), document_id, number, Size.PAGE))


@bp.route("/dokumente/<document_id>/vorschau.png")
def thumbnail(document_id: str) -> Response:
    return _png(render_page(records(), principal(), document_id, 1, Size.THUMB))


def _png(data: bytes) -> Response:
    return Response(data, mimetype="image/png")


@bp.route("/dokumente/<document_id>/versionen/<int:number>/original")
def original(document_id: str, number: int) -> Response:
    return _download(document_id, number, None)


@bp.route("/dokumente/<document_id>/versionen/<int:number>/pdfa")
def pdfa(document_id: str, number: int) -> Response:
    return _download(document_id, number, "pdfa")


def _download(document_id: str, number: int, rendition: str | None) -> Response:
    """Stream the bytes; the permission check and the read audit happen before the first."""
    stack = contextlib.ExitStack()
    download = stack.enter_context(
        open_download(records(), principal(), document_id, number, rendition)
    )

    def chunks() -> Iterator[bytes]:
        with stack:
            while chunk := download.reader.read(CHUNK):
                yield chunk

    response = Response(chunks(), mimetype=download.media_type)
    response.headers["Content-Disposition"] = content_disposition(download.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the exact name as RFC 5987 ``filename*``."""
    fallback = "".join(ch if ch in _SAFE_NAME else "_" for ch in filename)
    return f"attachment; filename=\"{fallback or 'download'}\"; filename*=UTF-8''{quote(filename)}"


@bp.post("/dokumente/<document_id>/metadaten")
def edit_metadata(document_id: str) -> WerkzeugResponse:
    form = request.form
    try:
        when = date.fromisoformat(form["document_date"]) if form.get("document_date") else None
        update_metadata(
            records(),
            principal(),
            document_id,
            title=form.get("title", ""),
            document_date=when,
            sender=form.get("sender", ""),
            document_type=form.get("document_type", ""),
            confidential=form.get("confidential") == "on",
        )
    except ValueError:
        flash(_("The document date must be a date such as 2026-03-31."), "error")
    except RecordsError as exc:
        if exc.http_status == 404:
            raise
        flash(_("That did not work: %(reason)s", reason=str(exc)), "error")
    else:
        flash(_("The metadata were saved."))
    return redirect(url_for(".show", document_id=document_id), 303)


@bp.post("/dokumente/<document_id>/versionen")
def upload_version(document_id: str) -> WerkzeugResponse:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file for the new version."), "error")
        return redirect(url_for(".show", document_id=document_id), 303)
    name = clean_filename(upload.filename)
    try:
        row = add_version(
            records(),
            principal(),
            document_id,
            cast(BinaryIO, upload.stream),
            VersionInput(filename=name, media_type=_media_type(name), source="upload"),
        )
    except RecordsError as exc:
        if exc.http_status == 404:
            raise
        flash(_("That did not work: %(reason)s", reason=str(exc)), "error")
    else:
        flash(_("Version %(number)d was added and signed.", number=row.number))
    return redirect(url_for(".show", document_id=document_id), 303)


def _media_type(filename: str) -> str:
    """A label for the download only: previews and checks look at the bytes themselves."""
    guessed, _encoding = mimetypes.guess_type(filename, strict=False)
    return guessed or "application/octet-stream"
