"""Checks that a readable definition also makes sense: every name it uses
exists, every state can be reached and can reach an end, every transition
says who may take it."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from eakte.workflow._definition import Assignment, Definition, FieldType, StateType

Problem = tuple[str, int, str]
_Add = Callable[[int, str], None]  # records a problem at a line


def check_definition(definition: Definition) -> list[Problem]:
    problems: list[Problem] = []

    def add(line: int, problem: str) -> None:
        problems.append((definition.source, line, problem))

    _check_start(definition, add)
    _check_transitions(definition, add)
    _check_states(definition, add)
    _check_graph(definition, add)
    return problems


def _check_start(definition: Definition, add: _Add) -> None:
    starts = [s for s in definition.states.values() if s.type is StateType.START]
    if not starts:
        add(definition.line, "no start state (give one state 'type: start')")
    for extra in starts[1:]:
        add(extra.line, f"second start state {extra.name!r} (only one state may be the start)")
    if not any(s.type is StateType.END for s in definition.states.values()):
        add(definition.line, "no end state (give at least one state 'type: end')")


def _check_transitions(definition: Definition, add: _Add) -> None:
    names = {t.name for t in definition.transitions}
    by_engine = {  # taken by the engine when an Umlauf ends: no "allowed" needed
        name
        for s in definition.states.values()
        if s.circulation
        for name in (s.circulation.completed, s.circulation.refused)
    }
    seen: set[str] = set()
    for t in definition.transitions:
        if t.name in seen:
            add(t.line, f"transition name {t.name!r} is used twice")
        seen.add(t.name)
        for source in t.sources:
            state = definition.states.get(source)
            if state is None:
                add(t.line, f"transition {t.name!r} starts in unknown state {source!r}")
            elif state.type is StateType.END:
                add(t.line, f"transition {t.name!r} leaves the end state {source!r}")
        if t.target not in definition.states:
            add(t.line, f"transition {t.name!r} leads to unknown state {t.target!r}")
        if not t.allowed and t.name not in by_engine:
            add(t.line, f"transition {t.name!r} says nobody may take it (add 'allowed:')")
        for earlier in t.four_eyes:
            if earlier not in names:
                add(t.line, f"four_eyes of {t.name!r} names unknown transition {earlier!r}")
            elif earlier == t.name:
                add(t.line, f"four_eyes of {t.name!r} names the transition itself")
        field_names = [f.name for f in t.fields]
        for name in {n for n in field_names if field_names.count(n) > 1}:
            add(t.line, f"transition {t.name!r} has two fields named {name!r}")


def _check_states(definition: Definition, add: _Add) -> None:
    names = {t.name for t in definition.transitions}
    for state in definition.states.values():
        entering = [t for t in definition.transitions if t.target == state.name]
        orgunit_fields = {f.name for t in entering for f in t.fields if f.type is FieldType.ORGUNIT}
        if state.type is StateType.END:
            if state.assign or state.deadline or state.circulation:
                add(
                    state.line,
                    f"end state {state.name!r} cannot have assign, deadline or circulation",
                )
        elif state.assign is None:
            add(state.line, f"state {state.name!r} needs 'assign:' (who does the work)")
        assignments = [state.assign] if state.assign else []
        if state.deadline and state.deadline.escalation:
            assignments.append(state.deadline.escalation.to)
        assignments += [a.to for a in state.on_enter if a.to is not None]
        for assignment in assignments:
            _check_assignment(state.name, assignment, names, orgunit_fields, add)
        for action in state.on_enter:
            if action.action == "zda" and definition.subject != "case":
                add(action.line, "zda closes a Vorgang: it needs 'subject: case'")
            if action.field is not None and action.field not in orgunit_fields:
                add(
                    action.line,
                    f"hand_over in {state.name!r} names {action.field!r}, which is no "
                    "orgunit field of a transition into this state",
                )
        if state.circulation:
            leaving = {t.name for t in definition.leaving(state.name)}
            for outcome in (state.circulation.completed, state.circulation.refused):
                if outcome not in leaving:
                    add(
                        state.circulation.line,
                        f"circulation of {state.name!r} names {outcome!r}, which is no "
                        "transition out of this state",
                    )


def _check_assignment(
    state: str, assignment: Assignment, names: set[str], orgunit_fields: set[str], add: _Add
) -> None:
    if assignment.actor_of is not None and assignment.actor_of not in names:
        add(
            assignment.line,
            f"actor_of in {state!r} names unknown transition {assignment.actor_of!r}",
        )
    if assignment.orgunit_field is not None and assignment.orgunit_field not in orgunit_fields:
        add(
            assignment.line,
            f"orgunit_field in {state!r} names {assignment.orgunit_field!r}, which is no "
            "orgunit field of a transition into this state",
        )


def _check_graph(definition: Definition, add: _Add) -> None:
    """Reachability; skipped while a transition names an unknown state, and the
    way to an end while there is no end state (those mistakes are reported
    already and would make every state look broken)."""
    states = definition.states
    starts = [s.name for s in states.values() if s.type is StateType.START]
    named = {name for t in definition.transitions for name in (*t.sources, t.target)}
    if not starts or not named <= states.keys():
        return
    forward: dict[str, set[str]] = {name: set() for name in states}
    backward: dict[str, set[str]] = {name: set() for name in states}
    for t in definition.transitions:
        for source in t.sources:
            forward[source].add(t.target)
            backward[t.target].add(source)
    reachable = _closure(starts[:1], forward)
    ends = [name for name, s in states.items() if s.type is StateType.END]
    finishing = _closure(ends, backward) if ends else set(states)  # "no end state" is told
    for state in states.values():
        if state.name not in reachable:
            add(state.line, f"state {state.name!r} cannot be reached from the start")
        elif state.name not in finishing:
            add(state.line, f"state {state.name!r} has no way to an end state")


def _closure(seeds: list[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(seeds)
    queue = deque(seeds)
    while queue:
        for following in edges[queue.popleft()]:
            if following not in seen:
                seen.add(following)
                queue.append(following)
    return seen
