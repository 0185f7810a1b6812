"""Per-request access to the records context and the logged-in principal.

Views parse the request, call one service function with :func:`principal`,
and render; the services check permissions.
"""

from __future__ import annotations

from flask import current_app, g, session

from eakte.exceptions import AuthenticationFailed, PermissionDenied
from eakte.records import Principal, Records, load_principal


def records() -> Records:
    value: Records = current_app.extensions["eakte.records"]
    return value


def principal() -> Principal:
    """The logged-in user, loaded once per request (roles as they are now)."""
    cached: Principal | None = g.get("principal")
    if cached is None:
        username = session.get("user")
        if not username:
            raise AuthenticationFailed("Not logged in.")
        with records().reading() as db:
            try:
                cached = load_principal(db, username)
            except PermissionDenied:  # deactivated or removed since login
                session.clear()
                raise AuthenticationFailed("Not logged in.") from None
        g.principal = cached
    return cached
