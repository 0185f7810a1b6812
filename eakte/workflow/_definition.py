"""A workflow definition as the engine uses it: frozen objects read from YAML.

The YAML format is explained for administrators in docs/workflows.md; the
loader (:mod:`eakte.workflow._loader`) builds these objects and checks them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class StateType(enum.StrEnum):
    START = "start"
    TASK = "task"
    END = "end"


class FieldType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    ORGUNIT = "orgunit"  # the code of an org unit
    USER = "user"  # a username


@dataclass(frozen=True)
class Assignment:
    """Who gets a state's task: exactly one kind of rule is set.

    ``role`` with ``orgunit`` (a code, or None for the instance's org unit) is a
    pool: everyone holding that role there may pick the task up.
    """

    role: str | None = None
    orgunit: str | None = None
    orgunit_field: str | None = None  # the org unit chosen in a transition's field
    user: str | None = None
    previous_actor: bool = False
    case_owner: bool = False
    actor_of: str | None = None  # who took this earlier transition
    line: int = 0


@dataclass(frozen=True)
class Actor:
    """One entry of a transition's ``allowed`` list; any entry that matches lets the actor in."""

    assignee: bool = False
    role: str | None = None
    orgunit: str | None = None  # None: the instance's org unit
    user: str | None = None
    line: int = 0


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = True
    line: int = 0


@dataclass(frozen=True)
class Escalation:
    """What happens once a task is overdue: it moves to someone else, or they are told."""

    action: str  # "reassign" or "notify"
    to: Assignment


@dataclass(frozen=True)
class Deadline:
    working_days: int
    escalation: Escalation | None = None


@dataclass(frozen=True)
class CirculationRule:
    """The state runs an Umlauf; these transitions leave it when it ends."""

    completed: str
    refused: str
    line: int = 0


@dataclass(frozen=True)
class EntryAction:
    """Done by the engine when an instance enters the state.

    ``zda`` closes the Vorgang (zu den Akten) and starts its retention clock;
    ``notify`` gives a notice task to ``to``; ``hand_over`` moves the
    instance (and its inbox document) to the org unit chosen in ``field``.
    """

    action: str
    to: Assignment | None = None
    field: str | None = None
    line: int = 0


@dataclass(frozen=True)
class State:
    name: str
    label: str
    type: StateType = StateType.TASK
    assign: Assignment | None = None
    deadline: Deadline | None = None
    circulation: CirculationRule | None = None
    on_enter: tuple[EntryAction, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    allowed: tuple[Actor, ...]
    comment_required: bool = False
    fields: tuple[FieldSpec, ...] = ()
    four_eyes: tuple[str, ...] = ()  # the actor must differ from who took these
    line: int = 0


@dataclass(frozen=True)
class Definition:
    name: str
    title: str
    source: str  # file name, for messages
    orgunit: str | None = None  # None: may run in every org unit
    subject: str = "any"  # "case", "document" or "any"
    states: dict[str, State] = field(default_factory=dict)
    transitions: tuple[Transition, ...] = ()
    line: int = 1

    @property
    def start(self) -> State:
        return next(s for s in self.states.values() if s.type is StateType.START)

    def transition(self, name: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == name), None)

    def leaving(self, state: str) -> list[Transition]:
        """The transitions that may be taken in ``state``, in file order."""
        return [t for t in self.transitions if state in t.sources]
