"""App factory: settings, languages, security headers, CSRF, rate limits, blueprints."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, redirect, request, session, url_for
from flask_babel import get_locale, lazy_gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response as WerkzeugResponse

from eakte.config import Settings
from eakte.records import Records
from eakte.web._errors import register_error_handlers
from eakte.web._i18n import init_i18n

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)
PUBLIC_ENDPOINTS = {"auth.login", "static"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
USERNAME_LIMIT = "30 per hour"  # per user name, from any address
# the main navigation; a page appears once its blueprint is registered
NAV = [
    ("home.index", lazy_gettext("Start")),
    ("inbox.index", lazy_gettext("Inbox")),
    ("search.search", lazy_gettext("Search")),
    ("fileplan.index", lazy_gettext("File plan")),
    ("upload.index", lazy_gettext("Upload")),
    ("admin.index", lazy_gettext("Administration")),
    ("audit.index", lazy_gettext("Audit trail")),
]


def _secret_key(settings: Settings) -> str:
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path: Path = settings.data_dir / "secret_key"
    if not path.exists():
        settings.ensure_data_dir()
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="ascii")
    return path.read_text(encoding="ascii").strip()


def create_app(settings: Settings, records: Records | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=(
            settings.secure_cookies
            if settings.secure_cookies is not None
            else settings.host not in LOOPBACK_HOSTS
        ),
        MAX_CONTENT_LENGTH=settings.max_file_mb * 1024 * 1024,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_url,
        RATELIMIT_HEADERS_ENABLED=False,
    )
    app.extensions["eakte.records"] = records or Records(settings)
    app.extensions["eakte.settings"] = settings
    settings.ensure_data_dir()
    init_i18n(app, settings.data_dir / "cache" / "translations")
    CSRFProtect(app)
    register_error_handlers(app)

    from eakte.web import _auth, _home

    app.register_blueprint(_auth.bp)
    app.register_blueprint(_home.bp)
    from eakte.web import _admin, _api, _audit

    app.register_blueprint(_admin.bp)
    app.register_blueprint(_audit.bp)
    _api.init_app(app)  # CSRF-exempt: token auth, no session
    from eakte.web import _documents, _inbox

    app.register_blueprint(_inbox.bp)
    app.register_blueprint(_documents.bp)
    from eakte.web import _search

    app.register_blueprint(_search.bp)
    from eakte.web import _fileplan, _upload, _workflow

    app.register_blueprint(_fileplan.bp)
    app.register_blueprint(_workflow.bp)
    app.register_blueprint(_upload.bp)
    _limit_logins(app, settings)

    @app.context_processor
    def _layout() -> dict[str, object]:
        return {
            "nav_items": _nav_items,
            "endpoints": lambda: set(app.view_functions),
            "get_locale": get_locale,
        }

    def _nav_items() -> list[tuple[str, str]]:
        return [(e, str(label)) for e, label in NAV if e in app.view_functions]

    @app.before_request
    def _require_login() -> WerkzeugResponse | None:
        if request.endpoint in PUBLIC_ENDPOINTS or "user" in session:
            return None
        if request.path.startswith("/api/"):
            return None  # the API answers 401 itself (token auth)
        return redirect(url_for("auth.login", next=request.path))

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        if "user" in session and request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"  # records stay off shared caches
        return response

    return app


def _limit_logins(app: Flask, settings: Settings) -> None:
    """Per client address and per user name; one limiter per app (tests build many)."""
    limiter = Limiter(get_remote_address, app=app, default_limits=[])
    view: Any = app.view_functions["auth.login"]
    view = limiter.limit(settings.login_rate_limit, methods=["POST"])(view)
    view = limiter.limit(
        USERNAME_LIMIT,
        methods=["POST"],
        key_func=lambda: "user:" + request.form.get("username", "").strip().lower(),
    )(view)
    app.view_functions["auth.login"] = view
    app.extensions["eakte.limiter"] = limiter
