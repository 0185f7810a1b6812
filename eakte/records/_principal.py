"""Who acts, and what their roles allow (checked here, in the service layer)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import PermissionDenied
from eakte.models import OrgUnit, Role, User


class Permission(enum.StrEnum):
    READ = "read"
    WRITE = "write"
    DEPOSIT = "deposit"  # put documents into a Posteingang without reading it (scan stations)
    MANAGE_FILEPLAN = "manage the file plan"
    ADMINISTER = "administer users and org units"


_EDITORS = {Role.REGISTRATUR, Role.SACHBEARBEITUNG, Role.LEITUNG, Role.ADMIN}
ROLES_FOR: dict[Permission, frozenset[Role]] = {
    Permission.READ: frozenset(_EDITORS | {Role.AUDITOR}),
    Permission.WRITE: frozenset(_EDITORS),
    Permission.DEPOSIT: frozenset(_EDITORS | {Role.SCAN}),
    Permission.MANAGE_FILEPLAN: frozenset({Role.REGISTRATUR, Role.ADMIN}),
    Permission.ADMINISTER: frozenset({Role.ADMIN}),
}
# Permissions that hold installation-wide when the role is held in any org unit.
GLOBAL = {Permission.MANAGE_FILEPLAN, Permission.ADMINISTER}


@dataclass(frozen=True)
class Principal:
    """An acting user (or the system itself, for CLI administration and the pipeline)."""

    name: str
    user_id: str | None = None
    roles: frozenset[tuple[str, Role]] = field(default_factory=frozenset)
    system: bool = False

    @property
    def actor(self) -> str:
        """The name written into audit events."""
        return self.name if self.system else f"user:{self.name}"


SYSTEM = Principal(name="system", system=True)


def principal_for(user: User) -> Principal:
    return Principal(
        name=user.username,
        user_id=user.id,
        roles=frozenset((m.orgunit_id, Role(m.role)) for m in user.memberships),
    )


def load_principal(session: Session, username: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise PermissionDenied(f"Unknown or inactive user {username!r}.")
    return principal_for(user)


def ancestors(session: Session, orgunit_id: str) -> list[str]:
    """The org unit and all units above it, nearest first."""
    chain: list[str] = []
    current: str | None = orgunit_id
    while current is not None and current not in chain:
        chain.append(current)
        current = session.scalar(select(OrgUnit.parent_id).where(OrgUnit.id == current))
    return chain


def allowed(
    session: Session, principal: Principal, permission: Permission, orgunit_id: str | None = None
) -> bool:
    if principal.system:
        return True
    roles = ROLES_FOR[permission]
    if permission in GLOBAL or orgunit_id is None:
        return any(role in roles for _, role in principal.roles)
    units = set(ancestors(session, orgunit_id))
    return any(unit in units and role in roles for unit, role in principal.roles)


def readable_orgunits(session: Session, principal: Principal) -> set[str] | None:
    """Ids of all org units the principal may read (None: all of them)."""
    if principal.system:
        return None
    return subtree(
        session, {unit for unit, role in principal.roles if role in ROLES_FOR[Permission.READ]}
    )


def subtree(session: Session, roots: set[str]) -> set[str]:
    """The given org units and every unit below them."""
    result: set[str] = set()
    frontier = set(roots)
    while frontier:
        result |= frontier
        frontier = (
            set(session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id.in_(frontier))).all())
            - result
        )
    return result


def require(
    session: Session, principal: Principal, permission: Permission, orgunit_id: str | None = None
) -> None:
    if allowed(session, principal, permission, orgunit_id):
        return
    where = ""
    if orgunit_id is not None and permission not in GLOBAL:
        code = session.scalar(select(OrgUnit.code).where(OrgUnit.id == orgunit_id))
        where = f" in org unit {code}"
    needed = ", ".join(sorted(ROLES_FOR[permission]))
    raise PermissionDenied(
        f"{principal.name} may not {permission.value}{where}: this needs one of the roles "
        f"{needed} there. Ask an administrator for the role."
    )
