"""Workflow definitions: every error class of the loader and its checks is
reported with the file, the line and the problem; the shipped examples load;
an invalid file never replaces the stored version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eakte import workflow as wf
from eakte.exceptions import WorkflowDefinitionError
from eakte.records import SYSTEM, Records

# line numbers in the comments are those of this text
BASE = """\
name: pruefung
title: Prüfung
subject: case

states:
  offen:
    type: start
    label: Offen
    assign:
      role: sachbearbeitung
    deadline:
      working_days: 5

  freigabe:
    label: Freigabe
    assign:
      role: leitung

  erledigt:
    type: end
    label: Erledigt

transitions:
  - name: vorlegen
    label: Vorlegen
    from: offen
    to: freigabe
    allowed:
      - assignee: true

  - name: freigeben
    label: Freigeben
    from: freigabe
    to: erledigt
    allowed:
      - role: leitung
    four_eyes: [vorlegen]
"""
# lines of BASE: offen 6, working_days 12, freigabe 14, its assignment 17, erledigt 19,
# transition vorlegen 24, its allowed entry 29, transition freigeben 31
LIEGEN = "  liegen:\n    label: Liegt\n    assign:\n      role: sachbearbeitung\n\n  erledigt:\n"
LAST = "    four_eyes: [vorlegen]\n"


def variant(*changes: str) -> str:
    """BASE with (old, new) text replacements, each of a text found once."""
    text = BASE
    for old, new in zip(changes[::2], changes[1::2], strict=True):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def problems(text: str, source: str = "pruefung.yaml") -> list[tuple[str, int, str]]:
    with pytest.raises(WorkflowDefinitionError) as caught:
        wf.load_definition(text, source)
    return caught.value.problems


CASES = [
    pytest.param(
        ("    label: Offen\n", "    label: [Offen\n"),
        [(9, "not valid YAML: expected ',' or ']', but got ':'")],
        id="yaml-syntax",
    ),
    pytest.param(
        ("subject: case", "subjekt: case"),
        [(3, "unknown key 'subjekt' (known: name, orgunit, states, subject, title, transitions)")],
        id="unknown-key",
    ),
    pytest.param(
        ("    label: Freigabe\n", "    label: Freigabe\n    frist: 3\n"),
        [(16, "unknown key 'frist' (known: assign, circulation, deadline, label, on_enter, type)")],
        id="unknown-key-in-state",
    ),
    pytest.param(
        ("title: Prüfung\n", "\n"),
        [(1, "missing key 'title'")],
        id="missing-key",
    ),
    pytest.param(
        ("    label: Vorlegen\n", "    comment: optional\n"),
        [(24, "missing key 'label'")],
        id="missing-key-in-transition",
    ),
    pytest.param(
        ("name: pruefung", "name: Prüfung-Neu"),
        [
            (
                1,
                "name 'Prüfung-Neu' must be lower case letters, digits and _ "
                "(starting with a letter)",
            )
        ],
        id="bad-name",
    ),
    pytest.param(
        ("  freigabe:\n", "  Freigabe:\n"),
        [(14, "state name 'Freigabe' must be lower case letters, digits and _")],
        id="bad-state-name",
    ),
    pytest.param(
        ("    from: offen", "    from: offn"),
        [(24, "transition 'vorlegen' starts in unknown state 'offn'")],
        id="unknown-state-in-from",
    ),
    pytest.param(
        ("    to: freigabe", "    to: freigbe"),
        [(24, "transition 'vorlegen' leads to unknown state 'freigbe'")],
        id="unknown-state-in-to",
    ),
    pytest.param(
        ("  erledigt:\n", LIEGEN),
        [(19, "state 'liegen' cannot be reached from the start")],
        id="unreachable-state",
    ),
    pytest.param(
        (
            "  erledigt:\n",
            LIEGEN,
            LAST,
            LAST + "\n  - name: ablegen\n    label: Ablegen\n    from: offen\n    to: liegen\n"
            "    allowed:\n      - assignee: true\n",
        ),
        [(19, "state 'liegen' has no way to an end state")],
        id="no-way-to-an-end",
    ),
    pytest.param(
        ("    allowed:\n      - assignee: true\n", ""),
        [(24, "transition 'vorlegen' says nobody may take it (add 'allowed:')")],
        id="transition-without-allowed",
    ),
    pytest.param(
        ("  - name: freigeben", "  - name: vorlegen", LAST, ""),
        [(31, "transition name 'vorlegen' is used twice")],
        id="duplicate-transition-name",
    ),
    pytest.param(
        ("  freigabe:\n", "  offen:\n"),
        [(14, "key 'offen' given twice")],
        id="duplicate-state-key",
    ),
    pytest.param(
        (
            LAST,
            LAST + "\n  - name: wieder\n    label: Wieder öffnen\n    from: erledigt\n"
            "    to: offen\n    allowed:\n      - role: leitung\n",
        ),
        [(39, "transition 'wieder' leaves the end state 'erledigt'")],
        id="end-state-with-outgoing-transition",
    ),
    pytest.param(
        ("    label: Erledigt\n", "    label: Erledigt\n    assign:\n      role: leitung\n"),
        [(19, "end state 'erledigt' cannot have assign, deadline or circulation")],
        id="end-state-with-assignment",
    ),
    pytest.param(
        ("    type: start\n", "    type: task\n"),
        [(1, "no start state (give one state 'type: start')")],
        id="no-start-state",
    ),
    pytest.param(
        ("    label: Freigabe\n", "    type: start\n    label: Freigabe\n"),
        [(14, "second start state 'freigabe' (only one state may be the start)")],
        id="two-start-states",
    ),
    pytest.param(
        ("    type: end\n", "    type: task\n    assign:\n      role: leitung\n"),
        [(1, "no end state (give at least one state 'type: end')")],
        id="no-end-state",
    ),
    pytest.param(
        ("four_eyes: [vorlegen]", "four_eyes: [vorlagen]"),
        [(31, "four_eyes of 'freigeben' names unknown transition 'vorlagen'")],
        id="four-eyes-unknown-transition",
    ),
    pytest.param(
        ("four_eyes: [vorlegen]", "four_eyes: [freigeben]"),
        [(31, "four_eyes of 'freigeben' names the transition itself")],
        id="four-eyes-itself",
    ),
    pytest.param(
        (
            "      role: leitung\n\n",
            "      role: leitung\n    circulation:\n      completed: freigeben\n"
            "      refused: vorlegen\n\n",
        ),
        [
            (
                18,
                "circulation of 'freigabe' names 'vorlegen', which is no transition out of "
                "this state",
            )
        ],
        id="circulation-transition-not-leaving",
    ),
    pytest.param(
        ("    label: Freigabe\n    assign:\n      role: leitung\n", "    label: Freigabe\n"),
        [(14, "state 'freigabe' needs 'assign:' (who does the work)")],
        id="assign-none",
    ),
    pytest.param(
        ("      role: leitung\n\n", "      role: leitung\n      user: chefin\n\n"),
        [
            (
                17,
                "an assignment needs exactly one of role, user, previous_actor, case_owner, "
                "actor_of",
            )
        ],
        id="assign-two-kinds",
    ),
    pytest.param(
        ("      role: leitung\n\n", "      user: chefin\n      orgunit: '32'\n\n"),
        [(17, "orgunit and orgunit_field go with a role")],
        id="assign-orgunit-without-role",
    ),
    pytest.param(
        ("      role: leitung\n\n", "      actor_of: vorlagen\n\n"),
        [(17, "actor_of in 'freigabe' names unknown transition 'vorlagen'")],
        id="actor-of-unknown",
    ),
    pytest.param(
        ("      role: leitung\n\n", "      role: leitung\n      orgunit_field: zustaendig\n\n"),
        [
            (
                17,
                "orgunit_field in 'freigabe' names 'zustaendig', which is no orgunit field of "
                "a transition into this state",
            )
        ],
        id="orgunit-field-not-an-orgunit-field",
    ),
    pytest.param(
        (
            "      role: leitung\n\n",
            "      role: leitung\n    on_enter:\n      - hand_over:\n"
            "          field: zustaendig\n\n",
        ),
        [
            (
                19,
                "hand_over in 'freigabe' names 'zustaendig', which is no orgunit field of a "
                "transition into this state",
            )
        ],
        id="hand-over-field",
    ),
    pytest.param(
        (
            "subject: case",
            "subject: document",
            "    label: Erledigt\n",
            "    label: Erledigt\n    on_enter:\n      - zda\n",
        ),
        [(23, "zda closes a Vorgang: it needs 'subject: case'")],
        id="zda-without-subject-case",
    ),
    pytest.param(
        ("    label: Erledigt\n", "    label: Erledigt\n    on_enter:\n      - archivieren\n"),
        [(23, "unknown action 'archivieren' (known: zda, notify, hand_over)")],
        id="unknown-entry-action",
    ),
    pytest.param(
        ("working_days: 5", "working_days: 0"),
        [(12, "working_days must be a whole number of at least 1")],
        id="deadline-zero-days",
    ),
    pytest.param(
        ("working_days: 5", "working_days: 2.5"),
        [(12, "working_days must be a whole number of at least 1")],
        id="deadline-part-of-a-day",
    ),
    pytest.param(
        (
            "      working_days: 5\n",
            "      working_days: 5\n      escalate:\n        reassign:\n          role: leitung\n"
            "        notify:\n          role: leitung\n",
        ),
        [(14, "escalate needs exactly one of reassign, notify")],
        id="escalation-two-kinds",
    ),
    pytest.param(
        ("      role: leitung\n\n", "      role: chef\n\n"),
        [(17, "'chef' is not one of admin, auditor, leitung, registratur, sachbearbeitung, scan")],
        id="unknown-role",
    ),
    pytest.param(
        (
            "      - assignee: true\n",
            "      - assignee: true\n    fields:\n      - name: betrag\n        label: Betrag\n"
            "        type: geld\n",
        ),
        [(33, "'geld' is not one of text, number, date, orgunit, user")],
        id="unknown-field-type",
    ),
    pytest.param(
        (
            "      - assignee: true\n",
            "      - assignee: true\n    fields:\n      - name: betrag\n        label: Betrag\n"
            "      - name: betrag\n        label: Nochmal\n",
        ),
        [(24, "transition 'vorlegen' has two fields named 'betrag'")],
        id="duplicate-field-name",
    ),
    pytest.param(
        ("      - assignee: true\n", "      - assignee: true\n        role: leitung\n"),
        [(29, "an allowed entry needs exactly one of assignee, role, user")],
        id="allowed-two-kinds",
    ),
    pytest.param(
        (LAST, LAST + "    comment: ja\n"),
        [(38, "'ja' is not one of optional, required")],
        id="comment-neither-optional-nor-required",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), CASES)
def test_each_error_class_names_file_line_and_problem(
    changes: tuple[str, ...], expected: list[tuple[int, str]]
) -> None:
    assert problems(variant(*changes)) == [
        ("pruefung.yaml", line, problem) for line, problem in expected
    ]


def test_the_base_definition_is_valid() -> None:
    definition = wf.load_definition(BASE, "pruefung.yaml")
    assert (definition.name, definition.start.name) == ("pruefung", "offen")
    assert [s.line for s in definition.states.values()] == [6, 14, 19]
    assert [t.line for t in definition.transitions] == [24, 31]


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    # mistakes in reading: one per state and per transition, all of them
    text = variant(
        "working_days: 5", "working_days: 0", "      role: leitung\n\n", "      role: chef\n\n"
    )
    assert [line for _, line, _ in problems(text)] == [12, 17]
    # the checks need a readable file: they wait until reading succeeds
    text = variant("working_days: 5", "working_days: 0", "four_eyes: [vorlegen]", "four_eyes: [x]")
    assert [line for _, line, _ in problems(text)] == [12]
    # mistakes found by the checks: all of them
    text = variant("    to: erledigt", "    to: ende", "four_eyes: [vorlegen]", "four_eyes: [x]")
    assert problems(text) == [
        ("pruefung.yaml", 31, "four_eyes of 'freigeben' names unknown transition 'x'"),
        ("pruefung.yaml", 31, "transition 'freigeben' leads to unknown state 'ende'"),
    ]


def test_the_error_message_names_file_line_and_what_to_do() -> None:
    with pytest.raises(WorkflowDefinitionError) as caught:
        wf.load_definition(variant("working_days: 5", "working_days: 0"), "pruefung.yaml")
    message = str(caught.value)
    assert "pruefung.yaml, line 12: working_days must be a whole number of at least 1" in message
    assert "docs/workflows.md" in message and "last valid version stays in use" in message


def test_a_workflow_name_used_by_two_files_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("# Kopie\n" + BASE, encoding="utf-8")
    result = wf.read_folder(tmp_path)
    assert list(result.files) == ["pruefung"]
    assert result.files["pruefung"].definition.source == "a.yaml"
    assert result.problems == [("b.yaml", 2, "workflow name 'pruefung' is used by a.yaml already")]


def test_every_shipped_example_loads_without_problems() -> None:
    result = wf.read_folder(wf.shipped_examples())
    assert result.problems == []
    assert sorted(result.files) == ["antrag", "beschwerde", "posteingang", "rechnungseingang"]


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: the versions' bookkeeping does not depend on the database."""
    target = tmp_path / "eakte.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


def test_an_invalid_file_never_replaces_the_stored_version(
    records: Records, tmp_path: Path
) -> None:
    folder = tmp_path / "workflows"
    folder.mkdir()
    source = folder / "pruefung.yaml"
    source.write_text(BASE, encoding="utf-8")
    assert wf.sync_definitions(records, SYSTEM, folder).added == [("pruefung", 1)]

    source.write_text(variant("    to: erledigt", "    to: ende"), encoding="utf-8")
    report = wf.sync_definitions(records, SYSTEM, folder)
    assert (report.added, report.unchanged) == ([], [])
    assert report.problems == [
        ("pruefung.yaml", 31, "transition 'freigeben' leads to unknown state 'ende'")
    ]
    with records.reading() as session:
        stored = [(row.name, row.version, row.source) for row in wf.list_definitions(session)]
    assert stored == [("pruefung", 1, BASE)]

    source.write_text(variant("title: Prüfung", "title: Prüfung (neu)"), encoding="utf-8")
    assert wf.sync_definitions(records, SYSTEM, folder).added == [("pruefung", 2)]
    assert wf.sync_definitions(records, SYSTEM, folder).unchanged == ["pruefung"]
