"""Reading workflow definition files: YAML → :class:`Definition`, every
mistake reported with file, line and problem (all of them at once where the
file can be read that far)."""

from __future__ import annotations

import re

from eakte._yaml import Node, YamlProblem, parse
from eakte.exceptions import WorkflowDefinitionError
from eakte.models import Role
from eakte.workflow._checks import check_definition
from eakte.workflow._definition import (
    Actor,
    Assignment,
    CirculationRule,
    Deadline,
    Definition,
    EntryAction,
    Escalation,
    FieldSpec,
    FieldType,
    State,
    StateType,
    Transition,
)

HINT = "See docs/workflows.md for the format."
NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
ROLES = {role.value for role in Role}
ACTIONS = ("zda", "notify", "hand_over")
Problem = tuple[str, int, str]


def load_definition(text: str, source: str) -> Definition:
    """The definition in ``text``; raises :class:`WorkflowDefinitionError` listing every problem."""
    problems: list[Problem] = []
    definition = _read(text, source, problems)
    if definition is not None:
        problems.extend(check_definition(definition))
    if problems or definition is None:
        raise WorkflowDefinitionError(sorted(set(problems), key=lambda p: (p[0], p[1], p[2])))
    return definition


def _read(text: str, source: str, problems: list[Problem]) -> Definition | None:
    try:
        root = parse(text, source, HINT).mapping(
            ("name", "title", "orgunit", "subject", "states", "transitions"),
            required=("name", "title", "states", "transitions"),
        )
        name = _name(root["name"])
        title = root["title"].text()
        orgunit = root["orgunit"].text() if "orgunit" in root else None
        subject = (
            _choice(root["subject"], ("case", "document", "any")) if "subject" in root else "any"
        )
        state_entries = root["states"].items()
        state_lines = root["states"].key_lines()
        transition_nodes = root["transitions"].sequence()
    except YamlProblem as e:
        problems.append((e.source, e.line, e.problem))
        return None
    states: dict[str, State] = {}
    for key, node in state_entries:
        try:
            states[key] = _state(key, node, state_lines[key])
        except YamlProblem as e:
            problems.append((e.source, e.line, e.problem))
    transitions = []
    for node in transition_nodes:
        try:
            transitions.append(_transition(node))
        except YamlProblem as e:
            problems.append((e.source, e.line, e.problem))
    if problems:
        return None
    return Definition(
        name=name,
        title=title,
        source=source,
        orgunit=orgunit,
        subject=subject,
        states=states,
        transitions=tuple(transitions),
        line=root["name"].line,
    )


def _name(node: Node) -> str:
    value = node.text()
    if not NAME.fullmatch(value):
        raise node.fail(
            f"name {value!r} must be lower case letters, digits and _ (starting with a letter)"
        )
    return value


def _choice(node: Node, choices: tuple[str, ...]) -> str:
    value = node.text()
    if value not in choices:
        raise node.fail(f"{value!r} is not one of {', '.join(choices)}")
    return value


def _state(key: str, node: Node, line: int) -> State:
    """``line``: the line naming the state, where complaints about it belong."""
    if not NAME.fullmatch(key):
        problem = f"state name {key!r} must be lower case letters, digits and _"
        raise YamlProblem(node.source, line, problem, node.hint)
    entries = node.mapping(
        ("type", "label", "assign", "deadline", "circulation", "on_enter"), required=("label",)
    )
    circulation = (
        _circulation(entries["circulation"], node.key_lines()["circulation"])
        if "circulation" in entries
        else None
    )
    state_type = (
        StateType(_choice(entries["type"], tuple(StateType)))
        if "type" in entries
        else (StateType.TASK)
    )
    return State(
        name=key,
        label=entries["label"].text(),
        type=state_type,
        assign=_assignment(entries["assign"]) if "assign" in entries else None,
        deadline=_deadline(entries["deadline"]) if "deadline" in entries else None,
        circulation=circulation,
        on_enter=tuple(_action(item) for item in entries["on_enter"].sequence())
        if "on_enter" in entries
        else (),
        line=line,
    )


def _assignment(node: Node) -> Assignment:
    entries = node.mapping(
        ("role", "orgunit", "orgunit_field", "user", "previous_actor", "case_owner", "actor_of")
    )
    kinds = [
        k for k in ("role", "user", "previous_actor", "case_owner", "actor_of") if k in entries
    ]
    if len(kinds) != 1:
        raise node.fail(
            "an assignment needs exactly one of role, user, previous_actor, case_owner, actor_of"
        )
    if ("orgunit" in entries or "orgunit_field" in entries) and "role" not in entries:
        raise node.fail("orgunit and orgunit_field go with a role")
    if "orgunit" in entries and "orgunit_field" in entries:
        raise node.fail("give either orgunit or orgunit_field, not both")
    for flag in ("previous_actor", "case_owner"):
        if flag in entries and not entries[flag].boolean():
            raise entries[flag].fail(f"{flag} can only be true (leave it out otherwise)")
    return Assignment(
        role=_role(entries["role"]) if "role" in entries else None,
        orgunit=entries["orgunit"].text() if "orgunit" in entries else None,
        orgunit_field=entries["orgunit_field"].text() if "orgunit_field" in entries else None,
        user=entries["user"].text() if "user" in entries else None,
        previous_actor="previous_actor" in entries,
        case_owner="case_owner" in entries,
        actor_of=entries["actor_of"].text() if "actor_of" in entries else None,
        line=node.line,
    )


def _role(node: Node) -> str:
    return _choice(node, tuple(sorted(ROLES)))


def _deadline(node: Node) -> Deadline:
    entries = node.mapping(("working_days", "escalate"), required=("working_days",))
    days = entries["working_days"].number()
    if days != int(days) or days < 1:
        raise entries["working_days"].fail("working_days must be a whole number of at least 1")
    escalation = None
    if "escalate" in entries:
        how = entries["escalate"].mapping(("reassign", "notify"))
        if len(how) != 1:
            raise entries["escalate"].fail("escalate needs exactly one of reassign, notify")
        ((action, target),) = how.items()
        escalation = Escalation(action, _assignment(target))
    return Deadline(int(days), escalation)


def _circulation(node: Node, line: int) -> CirculationRule:
    entries = node.mapping(("completed", "refused"), required=("completed", "refused"))
    return CirculationRule(entries["completed"].text(), entries["refused"].text(), line)


def _action(node: Node) -> EntryAction:
    try:
        name = node.text()
    except YamlProblem:
        entries = node.items()
        if len(entries) != 1:
            raise node.fail("an on_enter entry names one action") from None
        ((name, value),) = entries
        if name not in ACTIONS:
            raise node.fail(f"unknown action {name!r} (known: {', '.join(ACTIONS)})") from None
        if name == "notify":
            return EntryAction(name, to=_assignment(value), line=node.line)
        if name == "hand_over":
            field = value.mapping(("field",), required=("field",))["field"].text()
            return EntryAction(name, field=field, line=node.line)
        raise node.fail(f"action {name!r} takes no settings; write just '- {name}'") from None
    if name not in ACTIONS:
        raise node.fail(f"unknown action {name!r} (known: {', '.join(ACTIONS)})")
    if name != "zda":
        raise node.fail(f"action {name!r} needs settings (see docs/workflows.md)")
    return EntryAction(name, line=node.line)


def _transition(node: Node) -> Transition:
    entries = node.mapping(
        ("name", "label", "from", "to", "allowed", "comment", "fields", "four_eyes"),
        required=("name", "label", "from", "to"),
    )
    sources = entries["from"]
    try:
        from_states: tuple[str, ...] = (sources.text(),)
    except YamlProblem:
        from_states = tuple(sources.texts())
    allowed = (
        tuple(_actor(item) for item in entries["allowed"].sequence())
        if ("allowed" in entries)
        else ()
    )
    return Transition(
        name=_name(entries["name"]),
        label=entries["label"].text(),
        sources=from_states,
        target=entries["to"].text(),
        allowed=allowed,
        comment_required=_choice(entries["comment"], ("optional", "required")) == "required"
        if "comment" in entries
        else False,
        fields=tuple(_field(item) for item in entries["fields"].sequence())
        if "fields" in entries
        else (),
        four_eyes=tuple(entries["four_eyes"].texts()) if "four_eyes" in entries else (),
        line=node.line,
    )


def _actor(node: Node) -> Actor:
    entries = node.mapping(("assignee", "role", "orgunit", "user"))
    kinds = [k for k in ("assignee", "role", "user") if k in entries]
    if len(kinds) != 1:
        raise node.fail("an allowed entry needs exactly one of assignee, role, user")
    if "orgunit" in entries and "role" not in entries:
        raise node.fail("orgunit goes with a role")
    if "assignee" in entries and not entries["assignee"].boolean():
        raise entries["assignee"].fail("assignee can only be true (leave it out otherwise)")
    return Actor(
        assignee="assignee" in entries,
        role=_role(entries["role"]) if "role" in entries else None,
        orgunit=entries["orgunit"].text() if "orgunit" in entries else None,
        user=entries["user"].text() if "user" in entries else None,
        line=node.line,
    )


def _field(node: Node) -> FieldSpec:
    entries = node.mapping(("name", "label", "type", "required"), required=("name", "label"))
    return FieldSpec(
        name=_name(entries["name"]),
        label=entries["label"].text(),
        type=FieldType(_choice(entries["type"], tuple(FieldType)))
        if "type" in entries
        else (FieldType.TEXT),
        required=entries["required"].boolean() if "required" in entries else True,
        line=node.line,
    )
