"""Routing rules (routing.yaml): every mistake named with file, line and
problem; the conditions and the order in which rules decide."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eakte import workflow as wf
from eakte.exceptions import RoutingRulesError

WORKFLOWS = {"rechnungseingang": "document", "beschwerde": "any", "antrag": "case"}
VALID = """\
rules:
  - name: rechnungen
    when:
      folder: "20"
      reference: '^6\\.2'
      document_type: Rechnung
      sender: 'Stadtwerke'
      keywords: [Rechnung, Zahlungsziel]
    then:
      orgunit: "32"
      workflow: rechnungseingang
"""


def load(text: str) -> wf.RoutingRules:
    return wf.load_routing(text, "routing.yaml", WORKFLOWS)


def problems(text: str) -> list[tuple[str, int, str]]:
    with pytest.raises(RoutingRulesError) as caught:
        load(text)
    return caught.value.problems


def incoming(**given: object) -> wf.Incoming:
    facts: dict[str, object] = {
        "folder": None,
        "references": (),
        "document_type": None,
        "sender": None,
        "text": "",
    }
    facts.update(given)
    return wf.Incoming(**facts)  # type: ignore[arg-type]


INVOICE = incoming(
    folder="20",
    references=("6.2-0001/2024",),
    document_type="Rechnung",
    sender="Stadtwerke Musterstadt GmbH",
    text="RECHNUNG Nr. 17\nZahlungsziel: 14 Tage",
)


def test_a_rule_with_every_condition_matches_only_when_all_hold() -> None:
    (rule,) = load(VALID).rules
    assert (rule.name, rule.line, rule.orgunit, rule.workflow) == (
        "rechnungen",
        2,
        "32",
        "rechnungseingang",
    )
    assert rule.matches(INVOICE)
    for differing in (
        {"folder": "32"},
        {"folder": None},
        {"references": ("1.2-0001/2024",)},
        {"references": ()},
        {"document_type": "Mahnung"},
        {"document_type": None},
        {"sender": "Gaswerk"},
        {"sender": None},
        {"text": "Rechnung Nr. 17"},  # Zahlungsziel missing
    ):
        assert not rule.matches(incoming(**(INVOICE.__dict__ | differing))), differing


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("Ihre rechnung vom 3. Mai", True),
        ("Rechnungsbetrag 12 EUR", False),  # whole words only
        ("Vorrechnung", False),
        ("(Rechnung)", True),
    ],
)
def test_keywords_are_whole_words_in_any_case(text: str, matches: bool) -> None:
    (rule,) = load(
        "rules:\n  - name: r\n    when:\n      keywords: Rechnung\n    then:\n      orgunit: '32'\n"
    ).rules
    assert rule.matches(incoming(text=text)) is matches


def test_a_keyword_of_several_words_matches_across_a_line_break() -> None:
    (rule,) = load(
        "rules:\n  - name: r\n    when:\n      keywords: ['Zahlungsziel 14 Tage']\n"
        "    then:\n      orgunit: '32'\n"
    ).rules
    assert rule.matches(incoming(text="Zahlungsziel\n14  tage."))
    assert not rule.matches(incoming(text="Zahlungsziel 140 Tage"))


def test_lists_of_folders_and_document_types_match_any_entry() -> None:
    (rule,) = load(
        "rules:\n  - name: r\n    when:\n      folder: ['20', '32']\n"
        "      document_type: [Rechnung, Mahnung]\n    then:\n      orgunit: '32'\n"
    ).rules
    assert rule.matches(incoming(folder="32", document_type="mahnung"))
    assert not rule.matches(incoming(folder="33", document_type="Mahnung"))
    assert not rule.matches(incoming(folder="20", document_type="Bescheid"))


def test_the_first_matching_rule_wins_and_an_empty_when_matches_everything() -> None:
    rules = load(
        "rules:\n"
        "  - name: beschwerden\n    when:\n      document_type: Beschwerde\n"
        "    then:\n      workflow: beschwerde\n"
        "  - name: rest\n    when:\n    then:\n      orgunit: '10'\n"
    )
    assert [r.name for r in rules.rules] == ["beschwerden", "rest"]
    found = rules.first_match(incoming(document_type="Beschwerde", text="Beschwerde"))
    assert found is not None and found.name == "beschwerden"
    found = rules.first_match(incoming(document_type="Rechnung"))
    assert found is not None and found.name == "rest"
    assert wf.RoutingRules().first_match(INVOICE) is None
    assert load("rules: []\n").rules == ()


def test_a_rule_without_when_key_matches_everything() -> None:
    (rule,) = load("rules:\n  - name: alles\n    then:\n      orgunit: '10'\n").rules
    assert rule.matches(incoming())


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("rules:\n  - name: [x\n", 3, "not valid YAML"),
        ("regeln: []\n", 1, "unknown key 'regeln' (known: rules)"),
        ("rules: {}\n", 1, "expected a list (lines starting with '- ')"),
        (
            "rules:\n  - name: r\n    wenn: {}\n    then:\n      orgunit: '32'\n",
            3,
            "unknown key 'wenn' (known: name, then, when)",
        ),
        (
            "rules:\n  - name: r\n    when:\n      absender: X\n    then:\n      orgunit: '32'\n",
            4,
            "unknown key 'absender' (known: document_type, folder, keywords, reference, sender)",
        ),
        (
            "rules:\n  - name: r\n    then:\n      orgunit: '32'\n      queue: x\n",
            5,
            "unknown key 'queue' (known: orgunit, workflow)",
        ),
        ("rules:\n  - when: {}\n    then:\n      orgunit: '32'\n", 2, "missing key 'name'"),
        ("rules:\n  - name: r\n    when: {}\n", 2, "missing key 'then'"),
        (
            "rules:\n  - name: Rechnungen\n    then:\n      orgunit: '32'\n",
            2,
            "rule name 'Rechnungen' must be lower case letters, digits and _ "
            "(starting with a letter)",
        ),
        (
            "rules:\n  - name: r\n    when:\n      reference: '^6\\.(2'\n"
            "    then:\n      orgunit: '32'\n",
            4,
            "bad regular expression '^6\\\\.(2': missing ), unterminated subpattern at position 4",
        ),
        (
            "rules:\n  - name: r\n    when:\n      sender: '[Stadt'\n"
            "    then:\n      orgunit: '32'\n",
            4,
            "bad regular expression '[Stadt': unterminated character set at position 0",
        ),
        (
            "rules:\n  - name: r\n    when:\n      document_type: Rechnung\n    then: {}\n",
            5,
            "rule 'r' needs orgunit or workflow under 'then'",
        ),
        (
            "rules:\n  - name: r\n    then:\n      workflow: rechnung\n",
            4,
            "unknown workflow 'rechnung' (the definitions in this folder: antrag, beschwerde, "
            "rechnungseingang)",
        ),
        (
            "rules:\n  - name: r\n    then:\n      workflow: antrag\n",
            4,
            "workflow 'antrag' runs on a Vorgang only (subject: case); a routing rule starts "
            "its workflow on the incoming document",
        ),
        (
            "rules:\n  - name: r\n    then:\n      orgunit: 32\n",
            4,
            'expected an org unit code as text; write it in quotes, e.g. "32"',
        ),
        (
            "rules:\n  - name: r\n    when:\n      folder: [20]\n    then:\n      orgunit: '32'\n",
            4,
            'expected an org unit code as text; write it in quotes, e.g. "32"',
        ),
        (
            "rules:\n  - name: r\n    when:\n      keywords: ['§ 5']\n"
            "    then:\n      orgunit: '32'\n",
            4,
            "keyword '§ 5' must consist of words",
        ),
    ],
)
def test_each_mistake_is_named_with_file_line_and_problem(
    text: str, line: int, problem: str
) -> None:
    found = problems(text)
    assert len(found) == 1, found
    source, at, what = found[0]
    assert (source, at) == ("routing.yaml", line), found
    assert what.startswith(problem), what


def test_a_rule_name_used_twice_is_reported_at_the_second_rule() -> None:
    text = (
        "rules:\n"
        "  - name: r\n    when:\n      folder: '20'\n    then:\n      orgunit: '32'\n"
        "  - name: r\n    when:\n      folder: '21'\n    then:\n      orgunit: '33'\n"
    )
    assert problems(text) == [
        ("routing.yaml", 7, "rule name 'r' is used by the rule in line 2 already")
    ]


def test_rules_below_a_rule_without_conditions_are_reported_as_never_used() -> None:
    text = (
        "rules:\n"
        "  - name: alles\n    then:\n      orgunit: '10'\n"
        "  - name: rechnungen\n    when:\n      document_type: Rechnung\n"
        "    then:\n      orgunit: '32'\n"
    )
    assert problems(text) == [
        (
            "routing.yaml",
            5,
            "rule 'rechnungen' is never used: rule 'alles' in line 2 has no conditions and "
            "matches every document first",
        )
    ]


def test_every_broken_rule_is_reported_at_once() -> None:
    text = (
        "rules:\n"
        "  - name: a\n    then:\n      workflow: nix\n"
        "  - name: b\n    then: {}\n"
        "  - name: c\n    when:\n      reference: '('\n    then:\n      orgunit: '32'\n"
    )
    assert [(line, what.split(" ")[0]) for _, line, what in problems(text)] == [
        (4, "unknown"),
        (6, "rule"),
        (9, "bad"),
    ]


def test_the_error_message_names_file_line_and_what_to_do() -> None:
    with pytest.raises(RoutingRulesError) as caught:
        load("rules:\n  - name: r\n    then: {}\n")
    message = str(caught.value)
    assert "routing.yaml, line 3: rule 'r' needs orgunit or workflow" in message
    assert "docs/workflows.md" in message and "last valid rules stay in use" in message


def test_the_shipped_routing_rules_fit_the_shipped_workflows() -> None:
    result = wf.read_folder(wf.shipped_examples())
    assert result.problems == []
    assert result.routing is not None
    rules = {rule.name: rule for rule in result.routing.rules}
    assert rules["rechnungen"].workflow == "rechnungseingang"
    assert (rules["beschwerden"].orgunit, rules["beschwerden"].workflow) == ("10", "beschwerde")
    assert all(not rule.matches_everything for rule in rules.values())
    assert all(rule.workflow in (None, *result.files) for rule in rules.values())


def test_checking_a_folder_also_checks_its_routing_rules(tmp_path: Path) -> None:
    shutil.copytree(wf.shipped_examples(), tmp_path, dirs_exist_ok=True)
    (tmp_path / "routing.yaml").write_text(
        "rules:\n  - name: r\n    then:\n      workflow: unbekannt\n", encoding="utf-8"
    )
    result = wf.read_folder(tmp_path)
    assert result.routing is None
    assert result.problems == [
        (
            "routing.yaml",
            4,
            "unknown workflow 'unbekannt' (the definitions in this folder: antrag, "
            "beschwerde, posteingang, rechnungseingang)",
        )
    ]
    assert len(result.files) == 4  # the definitions themselves are fine


def test_a_folder_without_routing_rules_routes_nothing(tmp_path: Path) -> None:
    shutil.copy(wf.shipped_examples() / "rechnung.yaml", tmp_path)
    result = wf.read_folder(tmp_path)
    assert result.problems == []
    assert result.routing == wf.RoutingRules()


def test_a_rule_may_only_name_a_valid_definition_of_the_folder(tmp_path: Path) -> None:
    shutil.copy(wf.shipped_examples() / "routing.yaml", tmp_path)
    (tmp_path / "beschwerde.yaml").write_text("name: beschwerde\n", encoding="utf-8")
    result = wf.read_folder(tmp_path)
    assert ("beschwerde.yaml", 1, "missing key 'title'") in result.problems
    assert [p for p in result.problems if p[0] == "routing.yaml"] == [
        (
            "routing.yaml",
            19,
            "unknown workflow 'rechnungseingang' (the definitions in this folder: none)",
        ),
        (
            "routing.yaml",
            27,
            "unknown workflow 'beschwerde' (the definitions in this folder: none)",
        ),
    ]
