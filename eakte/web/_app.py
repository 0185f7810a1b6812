"""App factory: settings, security headers, CSRF, blueprints."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, Response, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response as WerkzeugResponse

from eakte.config import Settings
from eakte.records import Records

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PUBLIC_ENDPOINTS = {"auth.login", "static"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


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
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
    )
    app.extensions["eakte.records"] = records or Records(settings)
    CSRFProtect(app)

    from eakte.web import _auth, _home

    app.register_blueprint(_auth.bp)
    app.register_blueprint(_home.bp)

    @app.before_request
    def _require_login() -> WerkzeugResponse | None:
        if request.endpoint in PUBLIC_ENDPOINTS or "user" in session:
            return None
        return redirect(url_for("auth.login", next=request.path))

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    return app
