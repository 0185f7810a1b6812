"""Who a task goes to, and whether a person may act on it.

Roles are held in an org unit and, as everywhere in eakte, also count in its
sub-units.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import WorkflowError
from eakte.models import (
    Case,
    OrgUnit,
    Role,
    User,
    WorkflowHistory,
    WorkflowInstance,
    WorkflowTask,
)
from eakte.records import Principal
from eakte.records._principal import ancestors, subtree
from eakte.workflow._definition import Actor, Assignment

EDITORS = frozenset({Role.REGISTRATUR, Role.SACHBEARBEITUNG, Role.LEITUNG, Role.ADMIN})


@dataclass(frozen=True)
class Assignee:
    """A named person, or a pool: a role (None: any editor) in an org unit."""

    user: str | None = None
    orgunit_id: str | None = None
    role: str | None = None


def holds(session: Session, principal: Principal, role: str | None, orgunit_id: str) -> bool:
    """Does the principal hold ``role`` (None: any editing role) in the unit or above it?"""
    if principal.system:
        return True
    units = set(ancestors(session, orgunit_id))
    wanted = EDITORS if role is None else {Role(role)}
    return any(unit in units and held in wanted for unit, held in principal.roles)


def orgunit_id(session: Session, code: str) -> str:
    found = session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
    if found is None:
        raise WorkflowError(f"There is no org unit {code!r}; check the workflow definition.")
    return found


def last_actor(
    session: Session, instance: WorkflowInstance, transition: str | None = None
) -> str | None:
    """The person who most recently acted on the instance (or took ``transition``)."""
    query = select(WorkflowHistory.actor).where(
        WorkflowHistory.instance_id == instance.id, WorkflowHistory.actor.not_like("system%")
    )
    if transition is not None:
        query = query.where(WorkflowHistory.transition == transition)
    return session.scalar(query.order_by(WorkflowHistory.seq.desc()).limit(1))


def resolve(session: Session, rule: Assignment, instance: WorkflowInstance) -> Assignee:
    """The assignee a rule names for this instance, now."""
    if rule.user is not None:
        if session.scalar(select(User.id).where(User.username == rule.user)) is None:
            raise WorkflowError(f"The workflow assigns to user {rule.user!r}, who does not exist.")
        return Assignee(user=rule.user)
    if rule.previous_actor or rule.actor_of is not None:
        actor = last_actor(session, instance, rule.actor_of)  # "user:NAME", as in the audit log
        person = actor.removeprefix("user:") if actor else _starter(instance)
        return Assignee(user=person) if person else _fallback_pool(instance)
    if rule.case_owner:
        case = session.get(Case, instance.case_id) if instance.case_id else None
        if case is None:
            raise WorkflowError("This workflow assigns to the case owner, but runs on no Vorgang.")
        owner = case.owner or (None if case.created_by == "system" else case.created_by)
        return Assignee(user=owner) if owner else _fallback_pool(instance)
    if rule.orgunit_field is not None:
        code = instance.fields.get(rule.orgunit_field)
        if not isinstance(code, str):
            raise WorkflowError(f"The field {rule.orgunit_field!r} names no org unit.")
        unit = orgunit_id(session, code)
    elif rule.orgunit is not None:
        unit = orgunit_id(session, rule.orgunit)
    else:
        unit = instance.orgunit_id
    return Assignee(orgunit_id=unit, role=rule.role)


def _fallback_pool(instance: WorkflowInstance) -> Assignee:
    """When a rule names a person and there is none (a workflow started by the system,
    a Vorgang opened by the system): the Sachbearbeitung of the instance's org unit."""
    return Assignee(orgunit_id=instance.orgunit_id, role=Role.SACHBEARBEITUNG.value)


def _starter(instance: WorkflowInstance) -> str | None:
    starter = instance.started_by
    return None if starter.startswith("system") else starter.removeprefix("user:")


def is_assignee(session: Session, principal: Principal, task: WorkflowTask) -> bool:
    if principal.system:
        return True
    if task.assignee is not None:
        return task.assignee == principal.name
    if task.pool_orgunit_id is None:
        return False
    return holds(session, principal, task.pool_role, task.pool_orgunit_id)


def may_take(
    session: Session,
    principal: Principal,
    allowed: tuple[Actor, ...],
    task: WorkflowTask,
    instance: WorkflowInstance,
) -> bool:
    """Does any entry of a transition's ``allowed`` list let the principal in?"""
    if principal.system:
        return True
    for entry in allowed:
        if entry.assignee and is_assignee(session, principal, task):
            return True
        if entry.user is not None and entry.user == principal.name:
            return True
        if entry.role is not None:
            unit = orgunit_id(session, entry.orgunit) if entry.orgunit else instance.orgunit_id
            if holds(session, principal, entry.role, unit):
                return True
    return False


def describe(allowed: tuple[Actor, ...]) -> str:
    """Who may take a transition, in words."""
    parts = []
    for entry in allowed:
        if entry.assignee:
            parts.append("the task's assignee")
        elif entry.user:
            parts.append(f"user {entry.user}")
        else:
            parts.append(f"role {entry.role}" + (f" in {entry.orgunit}" if entry.orgunit else ""))
    return ", ".join(parts) or "the engine only"


def pools_of(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """(org unit id, role) pairs whose pool tasks the principal may pick up (incl. sub-units)."""
    pairs: set[tuple[str, str]] = set()
    for unit, role in principal.roles:
        pairs |= {(u, role.value) for u in subtree(session, {unit})}
    return sorted(pairs)
