"""API tokens: bearer secrets for the JSON API; only their SHA-256 is stored.

A token reads ``eakte_`` followed by 43 URL-safe characters (32 random bytes).
Its first 12 characters are kept as a prefix to recognise it in lists; that is
never enough to use it. A token acts with the roles its user holds at the time
of the request, and stops working when it is revoked, expires or the user is
deactivated.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from eakte.exceptions import AuthenticationFailed, NotFound, RecordsError
from eakte.models import ApiToken, utcnow
from eakte.records._context import Records
from eakte.records._orgs import user_by_name
from eakte.records._principal import (
    Permission,
    Principal,
    principal_for,
    require,
)

TOKEN_PREFIX = "eakte_"
PREFIX_LENGTH = 12
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often
MAX_NAME = 100


@dataclass(frozen=True)
class TokenInfo:
    id: str
    username: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > utcnow())


@dataclass(frozen=True)
class NewToken:
    info: TokenInfo
    secret: str  # shown once; only its SHA-256 is kept


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        username=row.user.username,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


def create_token(
    records: Records,
    principal: Principal,
    *,
    username: str,
    name: str,
    expires_at: datetime | None = None,
) -> NewToken:
    """A new token for ``username``; administrators manage tokens."""
    name = name.strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise RecordsError(
            f"A token needs a name (1 to {MAX_NAME} characters) that says what it is for, "
            "e.g. 'Fachverfahren Gewerbe'."
        )
    if expires_at is not None and expires_at <= utcnow():
        raise RecordsError("The expiry date of a token must lie in the future.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with records.transaction() as session:
        require(session, principal, Permission.ADMINISTER)
        user = user_by_name(session, username)
        if not user.active:
            raise RecordsError(f"User {username} is deactivated; activate the account first.")
        row = ApiToken(
            user_id=user.id,
            name=name,
            token_sha256=_digest(secret),
            prefix=secret[:PREFIX_LENGTH],
            expires_at=expires_at,
        )
        session.add(row)
        session.flush()
        records.audit.append(
            session,
            actor=principal.actor,
            action="token.created",
            object_type="api_token",
            object_id=row.id,
            details={"user": user.username, "name": name, "prefix": row.prefix},
        )
        return NewToken(_info(row), secret)


def list_tokens(
    records: Records, principal: Principal, *, username: str | None = None
) -> list[TokenInfo]:
    """Every token (administrators only), or one user's (the user or an administrator)."""
    with records.reading() as session:
        query = select(ApiToken).order_by(ApiToken.created_at.desc())
        if username is None or username != principal.name:
            require(session, principal, Permission.ADMINISTER)
        if username is not None:
            query = query.where(ApiToken.user_id == user_by_name(session, username).id)
        return [_info(row) for row in session.scalars(query).all()]


def revoke_token(records: Records, principal: Principal, token_id: str) -> TokenInfo:
    with records.transaction() as session:
        require(session, principal, Permission.ADMINISTER)
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFound(f"There is no API token {token_id!r}. `eakte tokens list` shows them.")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            records.audit.append(
                session,
                actor=principal.actor,
                action="token.revoked",
                object_type="api_token",
                object_id=row.id,
                details={"user": row.user.username, "name": row.name, "prefix": row.prefix},
            )
        return _info(row)


def authenticate_token(records: Records, secret: str) -> Principal:
    """The principal a bearer token acts for; the error never says what was wrong."""
    refused = AuthenticationFailed(
        "The API token is missing, wrong, expired or revoked. Send 'Authorization: Bearer "
        "<token>' with a valid token (`eakte tokens create` makes one)."
    )
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        raise refused
    digest = _digest(secret)
    now = utcnow()
    with records.reading() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == digest))
        if (
            row is None
            or not hmac.compare_digest(row.token_sha256, digest)
            or row.revoked_at is not None
            or (row.expires_at is not None and row.expires_at <= now)
            or not row.user.active
        ):
            raise refused
        principal = principal_for(row.user)
        stale = row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY
        token_id = row.id
    if stale:
        _touch(records, token_id, now)
    return principal


def _touch(records: Records, token_id: str, now: datetime) -> None:
    with records.transaction() as session:
        row = session.get(ApiToken, token_id)
        if row is not None and (row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY):
            row.last_used_at = now
