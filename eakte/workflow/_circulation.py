"""Umlauf (ad-hoc circulation for Mitzeichnung): co-signers picked at run
time, one after another or all at once, with a deadline.

When all have co-signed the workflow continues; when one refuses, the
others' tasks are withdrawn and the workflow returns. In a state that declares
``circulation:`` the engine then takes the named transition; an Umlauf started
ad hoc in any other step gives the step's task back to its assignee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from eakte.exceptions import (
    CommentRequired,
    NotFound,
    PermissionDenied,
    WorkflowConflict,
    WorkflowError,
)
from eakte.models import (
    Circulation,
    CirculationStep,
    TaskKind,
    TaskStatus,
    User,
    WorkflowInstance,
    WorkflowTask,
)
from eakte.records import SYSTEM, Principal, Records
from eakte.workflow._journal import record
from eakte.workflow._people import holds, orgunit_id
from eakte.workflow._rows import finish_task, flush_or_conflict, lock_instance

Mode = Literal["sequential", "parallel"]


@dataclass(frozen=True)
class Participant:
    """A co-signer: a person (``user``) or an org unit whose editors share the task."""

    user: str | None = None
    orgunit: str | None = None

    @classmethod
    def parse(cls, text: str) -> Participant:
        """``mueller`` or ``user:mueller`` is a person, ``oe:32`` an org unit."""
        kind, _, name = text.strip().rpartition(":")
        if not name or kind not in ("", "user", "oe"):
            raise WorkflowError(f"{text!r} is no co-signer: write a user name or oe:CODE.")
        return cls(orgunit=name) if kind == "oe" else cls(user=name)

    def __str__(self) -> str:
        return f"oe:{self.orgunit}" if self.orgunit else str(self.user)


@dataclass(frozen=True)
class CirculationSpec:
    participants: tuple[Participant, ...]
    mode: Mode = "sequential"
    due: date | None = None


def open_circulation(
    records: Records,
    session: Session,
    instance: WorkflowInstance,
    step_task: WorkflowTask,
    spec: CirculationSpec,
) -> Circulation:
    """Start an Umlauf on a step task; the task waits until it has ended."""
    if not spec.participants:
        raise WorkflowError("An Umlauf needs at least one co-signer.")
    if len(set(spec.participants)) != len(spec.participants):
        raise WorkflowError("A co-signer is named twice in the Umlauf.")
    if spec.mode not in ("sequential", "parallel"):
        raise WorkflowError("An Umlauf runs 'sequential' or 'parallel'.")
    starter = step_task.done_by or (step_task.assignee or "")
    circulation = Circulation(
        instance_id=instance.id,
        state=instance.state,
        mode=spec.mode,
        due_date=spec.due,
        started_by=starter.removeprefix("user:") if starter else "system",
    )
    session.add(circulation)
    session.flush()
    for position, person in enumerate(spec.participants, start=1):
        if person.user is not None:
            if session.scalar(select(User.id).where(User.username == person.user)) is None:
                raise WorkflowError(f"There is no user {person.user!r} to co-sign.")
            step = CirculationStep(
                circulation_id=circulation.id, position=position, user=person.user
            )
        else:
            assert person.orgunit is not None
            unit = orgunit_id(session, person.orgunit)
            step = CirculationStep(
                circulation_id=circulation.id, position=position, orgunit_id=unit
            )
        session.add(step)
    session.flush()
    session.refresh(circulation)
    step_task.status = TaskStatus.WAITING.value
    for step in circulation.steps[: 1 if spec.mode == "sequential" else None]:
        _open_step(session, instance, circulation, step)
    names = ", ".join(str(p) for p in spec.participants)
    mode = "nacheinander" if spec.mode == "sequential" else "gleichzeitig"
    due = f", Frist {spec.due:%d.%m.%Y}" if spec.due else ""
    record(
        records,
        session,
        instance,
        SYSTEM,
        "circulation_started",
        f"Umlauf zur Mitzeichnung ({mode}): {names}{due}",
        to_state=instance.state,
    )
    return circulation


def _open_step(
    session: Session, instance: WorkflowInstance, circulation: Circulation, step: CirculationStep
) -> None:
    step.status = "open"
    session.add(
        WorkflowTask(
            kind=TaskKind.COSIGN.value,
            instance_id=instance.id,
            case_id=instance.case_id,
            state=instance.state,
            title=f"Mitzeichnung: {instance.definition.title}",
            assignee=step.user,
            pool_orgunit_id=step.orgunit_id,
            pool_role=None,
            due_date=circulation.due_date,
            circulation_step_id=step.id,
        )
    )


def start_circulation(
    records: Records, principal: Principal, task_id: str, spec: CirculationSpec
) -> None:
    """An ad-hoc Umlauf on the step task the principal is working on."""
    from eakte.workflow._engine import assignee_may_act

    with records.transaction() as session:
        task = session.get(WorkflowTask, task_id)
        if task is None or task.kind != TaskKind.STEP.value or task.instance_id is None:
            raise NotFound(f"There is no workflow task {task_id!r}.")
        instance = lock_instance(session, task.instance_id)
        session.refresh(task)
        if task.status != TaskStatus.OPEN.value:
            raise WorkflowError("An Umlauf can only start on an open task.")
        assignee_may_act(session, principal, task)
        task.done_by = principal.actor  # remembered as the Umlauf's starter
        open_circulation(records, session, instance, task, spec)
        task.done_by = None


def cosign(records: Records, principal: Principal, task_id: str, comment: str | None = None) -> str:
    """Co-sign (mitzeichnen); returns the Umlauf's status afterwards."""
    return _answer(records, principal, task_id, signed=True, comment=comment)


def refuse(records: Records, principal: Principal, task_id: str, comment: str) -> str:
    """Refuse to co-sign, with the reason; the workflow returns."""
    if not (comment or "").strip():
        raise CommentRequired("Say why you do not co-sign (a comment is required).")
    return _answer(records, principal, task_id, signed=False, comment=comment)


def _answer(
    records: Records, principal: Principal, task_id: str, *, signed: bool, comment: str | None
) -> str:
    comment = (comment or "").strip() or None
    with records.transaction() as session:
        task = session.get(WorkflowTask, task_id)
        if (
            task is None
            or task.kind != TaskKind.COSIGN.value
            or task.circulation_step_id is None
            or task.instance_id is None
        ):
            raise NotFound(f"There is no Mitzeichnung task {task_id!r}.")
        # co-signers answering at once queue here, so the last one sees all the others' answers
        instance = lock_instance(session, task.instance_id)
        session.refresh(task)
        step = session.get(CirculationStep, task.circulation_step_id)
        assert step is not None
        if not _may_cosign(session, principal, step):
            raise PermissionDenied(f"{principal.name} is not asked to co-sign here.")
        if task.status != TaskStatus.OPEN.value:
            raise WorkflowConflict("This Mitzeichnung has been answered or withdrawn already.")
        finish_task(session, task, principal)
        circulation = session.get(Circulation, step.circulation_id)
        assert circulation is not None
        step.status = "signed" if signed else "refused"
        step.acted_by, step.acted_at, step.comment = principal.name, datetime.now(UTC), comment
        verb = "mitgezeichnet" if signed else "Mitzeichnung verweigert"
        record(
            records,
            session,
            instance,
            principal,
            "cosigned" if signed else "refused",
            f"{verb} ({step.user or 'oe'})",
            comment=comment,
        )
        flush_or_conflict(session)
        if not signed:
            _withdraw_open(session, circulation)
            return _end(records, session, instance, circulation, "refused")
        pending = [s for s in circulation.steps if s.status == "pending"]
        if circulation.mode == "sequential" and pending:
            _open_step(session, instance, circulation, pending[0])
            return "running"
        if all(s.status == "signed" for s in circulation.steps):
            return _end(records, session, instance, circulation, "completed")
        return "running"


def _may_cosign(session: Session, principal: Principal, step: CirculationStep) -> bool:
    if step.user is not None:
        return principal.name == step.user
    assert step.orgunit_id is not None
    return not principal.system and holds(session, principal, None, step.orgunit_id)


def _withdraw_open(session: Session, circulation: Circulation) -> None:
    for step in circulation.steps:
        if step.status in ("open", "pending"):
            step.status = "cancelled"
    open_tasks = session.scalars(
        select(WorkflowTask).where(
            WorkflowTask.circulation_step_id.in_([s.id for s in circulation.steps]),
            WorkflowTask.status == TaskStatus.OPEN.value,
        )
    )
    for task in open_tasks:
        task.status = TaskStatus.CANCELLED.value


def _end(
    records: Records,
    session: Session,
    instance: WorkflowInstance,
    circulation: Circulation,
    result: Literal["completed", "refused"],
) -> str:
    from eakte.workflow._engine import enter  # the engine enters states; this module is its part
    from eakte.workflow._registry import parsed

    circulation.status = result
    circulation.ended_at = datetime.now(UTC)
    waiting = session.scalar(
        select(WorkflowTask).where(
            WorkflowTask.instance_id == instance.id,
            WorkflowTask.kind == TaskKind.STEP.value,
            WorkflowTask.status == TaskStatus.WAITING.value,
        )
    )
    assert waiting is not None
    definition = parsed(instance.definition)
    rule = definition.states[instance.state].circulation
    if rule is None:  # an ad-hoc Umlauf: the step's task comes back
        waiting.status = TaskStatus.OPEN.value
        label = "Umlauf abgeschlossen" if result == "completed" else "Umlauf beendet: verweigert"
        record(records, session, instance, SYSTEM, f"circulation_{result}", label)
        return result
    move = definition.transition(rule.completed if result == "completed" else rule.refused)
    assert move is not None
    waiting.status = TaskStatus.OPEN.value
    finish_task(session, waiting, SYSTEM)
    record(
        records,
        session,
        instance,
        SYSTEM,
        "transition",
        move.label,
        transition=move.name,
        from_state=instance.state,
        to_state=move.target,
    )
    enter(records, session, instance, definition, move.target)
    return result
