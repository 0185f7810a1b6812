"""Org units, users and role memberships."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import AlreadyExists, AuthenticationFailed, NotFound, RecordsError
from eakte.models import OrgUnit, Role, RoleMembership, User
from eakte.records._context import Records
from eakte.records._principal import Permission, Principal, allowed, principal_for, require

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


def orgunit_by_code(session: Session, code: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise NotFound(f"Unknown org unit {code!r}. `eakte orgunits list` shows the known ones.")
    return unit


def create_orgunit(
    records: Records, principal: Principal, *, code: str, name: str, parent: str | None = None
) -> OrgUnit:
    code, name = code.strip(), name.strip()
    if not code or not name or len(code) > 32:
        raise RecordsError("An org unit needs a code (at most 32 characters) and a name.")
    with records.transaction() as session:
        require(session, principal, Permission.ADMINISTER)
        if session.scalar(select(OrgUnit).where(OrgUnit.code == code)) is not None:
            raise AlreadyExists(f"Org unit {code!r} exists already.")
        parent_id = orgunit_by_code(session, parent).id if parent else None
        unit = OrgUnit(code=code, name=name, parent_id=parent_id)
        session.add(unit)
        session.flush()
        records.audit.append(
            session,
            actor=principal.actor,
            action="orgunit.created",
            object_type="orgunit",
            object_id=unit.id,
            details={"code": code, "name": name, "parent": parent},
        )
    return unit


def list_orgunits(records: Records) -> list[OrgUnit]:
    with records.reading() as session:
        return list(session.scalars(select(OrgUnit).order_by(OrgUnit.code)).all())


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RecordsError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")


def create_user(
    records: Records, principal: Principal, *, username: str, display_name: str, password: str
) -> User:
    username = unicodedata.normalize("NFC", username.strip())
    if (
        not username
        or len(username) > 64
        or not username.isprintable()
        or any(c in username for c in " /\\")
    ):
        # user names appear in paths (/verwaltung/benutzer/<name>) and audit actors
        raise RecordsError(
            "A user name needs 1 to 64 printable characters without spaces or slashes."
        )
    _check_password(password)
    with records.transaction() as session:
        require(session, principal, Permission.ADMINISTER)
        if session.scalar(select(User).where(User.username == username)) is not None:
            raise AlreadyExists(f"User {username!r} exists already.")
        user = User(
            username=username,
            display_name=display_name.strip() or username,
            password_hash=_hasher.hash(password),
        )
        session.add(user)
        session.flush()
        records.audit.append(
            session,
            actor=principal.actor,
            action="user.created",
            object_type="user",
            object_id=user.id,
            details={"username": username},
        )
    return user


def user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"Unknown user {username!r}.")
    return user


def set_password(records: Records, principal: Principal, *, username: str, password: str) -> None:
    _check_password(password)
    with records.transaction() as session:
        user = user_by_name(session, username)
        if principal.user_id != user.id:
            require(session, principal, Permission.ADMINISTER)
        user.password_hash = _hasher.hash(password)
        records.audit.append(
            session,
            actor=principal.actor,
            action="user.password_changed",
            object_type="user",
            object_id=user.id,
        )


def grant_role(
    records: Records, principal: Principal, *, username: str, orgunit: str, role: str
) -> None:
    try:
        role_value = Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise RecordsError(f"Unknown role {role!r}; known roles: {known}.") from None
    with records.transaction() as session:
        require(session, principal, Permission.ADMINISTER)
        user = user_by_name(session, username)
        unit = orgunit_by_code(session, orgunit)
        exists = session.scalar(
            select(RoleMembership).where(
                RoleMembership.user_id == user.id,
                RoleMembership.orgunit_id == unit.id,
                RoleMembership.role == role_value.value,
            )
        )
        if exists is not None:
            return
        session.add(RoleMembership(user_id=user.id, orgunit_id=unit.id, role=role_value.value))
        records.audit.append(
            session,
            actor=principal.actor,
            action="role.granted",
            object_type="user",
            object_id=user.id,
            details={"orgunit": unit.code, "role": role_value.value},
        )


def list_users(records: Records, principal: Principal) -> list[User]:
    with records.reading() as session:
        require(session, principal, Permission.ADMINISTER)
        return list(session.scalars(select(User).order_by(User.username)).all())


def authenticate(records: Records, username: str, password: str) -> Principal:
    """Check a password; the error never says whether the user or the password was wrong.

    Hashing runs in a read-only unit of work (argon2 takes ~0.1 s: no write lock
    is held meanwhile); an outdated hash is upgraded in a short transaction.
    """
    with records.reading() as session:
        user = session.scalar(select(User).where(User.username == username.strip()))
        try:
            if user is None or not user.active:
                _hasher.verify(_DUMMY_HASH, password)  # same time as a real check
                raise VerificationError()
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise AuthenticationFailed("User name or password is wrong.") from None
        principal = principal_for(user)
        needs_rehash = _hasher.check_needs_rehash(user.password_hash)
    if needs_rehash:
        with records.transaction() as session:
            user_by_name(session, principal.name).password_hash = _hasher.hash(password)
    return principal


_DUMMY_HASH = _hasher.hash("not a real password")


def _lockout_guard(principal: Principal, user: User, what: str) -> None:
    if principal.user_id is not None and principal.user_id == user.id:
        raise RecordsError(
            f"You cannot {what} yourself: ask another administrator, so that "
            "someone can always still administer eakte."
        )


def set_user_active(records: Records, principal: Principal, *, username: str, active: bool) -> None:
    """Deactivate (log-in and API tokens refused) or reactivate an account."""
    with records.transaction() as session:
        require(session, principal, Permission.ADMINISTER)
        user = user_by_name(session, username)
        if not active:
            _lockout_guard(principal, user, "deactivate")
        if user.active == active:
            return
        user.active = active
        records.audit.append(
            session,
            actor=principal.actor,
            action="user.activated" if active else "user.deactivated",
            object_type="user",
            object_id=user.id,
            details={"username": user.username},
        )


def revoke_role(
    records: Records, principal: Principal, *, username: str, orgunit: str, role: str
) -> None:
    with records.transaction() as session:
        require(session, principal, Permission.ADMINISTER)
        user = user_by_name(session, username)
        unit = orgunit_by_code(session, orgunit)
        membership = session.scalar(
            select(RoleMembership).where(
                RoleMembership.user_id == user.id,
                RoleMembership.orgunit_id == unit.id,
                RoleMembership.role == role,
            )
        )
        if membership is None:
            raise NotFound(f"{username} does not hold the role {role} in org unit {orgunit}.")
        if role == Role.ADMIN.value:
            _lockout_guard(principal, user, "take the admin role from")
        session.delete(membership)
        records.audit.append(
            session,
            actor=principal.actor,
            action="role.revoked",
            object_type="user",
            object_id=user.id,
            details={"orgunit": unit.code, "role": role},
        )


@dataclass(frozen=True)
class Directory:
    """Users (with their roles) and org units, for the administration pages."""

    users: list[User]
    orgunits: list[OrgUnit]


def user_directory(records: Records, principal: Principal) -> Directory:
    with records.reading() as session:
        require(session, principal, Permission.ADMINISTER)
        users = list(session.scalars(select(User).order_by(User.username)).all())
        units = list(session.scalars(select(OrgUnit).order_by(OrgUnit.code)).all())
        for unit in units:
            _ = unit.parent  # loaded now: the page shows the parent's code
        return Directory(users, units)


def get_user(records: Records, principal: Principal, username: str) -> User:
    with records.reading() as session:
        require(session, principal, Permission.ADMINISTER)
        return user_by_name(session, username)


def admin_sections(records: Records, principal: Principal) -> frozenset[Permission]:
    """Which administration the principal may do; PermissionDenied when none."""
    wanted = (Permission.ADMINISTER, Permission.MANAGE_FILEPLAN)
    with records.reading() as session:
        granted = frozenset(p for p in wanted if allowed(session, principal, p))
        if not granted:
            require(session, principal, Permission.ADMINISTER)  # raises, with the reason
    return granted
