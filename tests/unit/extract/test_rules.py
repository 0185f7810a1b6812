"""The rules file: the built-in one loads; every mistake names file, line and problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eakte.exceptions import ConfigError
from eakte.extract import analyse, load_rules, pattern_regex
from eakte.extract._rules import BUILTIN

VALID = """\
references:
  labels: ['Az\\.?', 'Vorgang']
  ignore_labels: ['Kassenzeichen']
  shapes:
    - name: fileplan
      regex: '\\d+(?:\\.\\d+)*-\\d+/\\d{2,4}'
      unlabelled: true
    - name: vorgang
      regex: 'V-\\d{5}'
  own_pattern: '{plan}-{seq:04}/{year}'
dates:
  labels: ['datum']
  not_document_date: ['frist']
document_types:
  default: Allgemein
  min_score: 2
  types:
    Bauantrag:
      - {regex: 'Bauantrag', weight: 3}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_rules_load() -> None:
    rules = load_rules()
    assert rules.source == BUILTIN
    names = [kind.name for kind in rules.document_types.types]
    for expected in ("Antrag", "Beschwerde", "Rechnung", "Bescheid", "Anfrage", "Widerspruch"):
        assert expected in names
    assert rules.document_types.default == "Sonstiges"
    assert rules.references.shapes[0].name == "own"


def test_custom_rules_file(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, VALID))
    facts = analyse("Bauantrag\nVorgang: V-00017\nKassenzeichen 1-2/24\nDatum: 03.12.2024", rules)
    assert facts.references == ("V-00017",)
    assert facts.document_type == "Bauantrag"
    assert facts.document_date is not None
    assert analyse("Frist: 03.12.2024\nnichts", rules).document_type == "Allgemein"
    assert analyse("Frist: 03.12.2024\nnichts", rules).document_date is None


def error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    message = str(caught.value)
    assert str(path) in message
    return message


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    broken = VALID.replace("['Kassenzeichen']", "['Kassenzeichen'")
    assert "line 4: not valid YAML" in error(tmp_path, broken)


def test_unknown_key_names_the_line(tmp_path: Path) -> None:
    message = error(tmp_path, VALID.replace("      - {regex: 'Bauantrag', weight: 3}",
                                            "      - {regex: 'Bauantrag', wieght: 3}"))  # fmt: skip
    assert "line 19: unknown key 'wieght'" in message


def test_unknown_section_names_the_line(tmp_path: Path) -> None:
    assert "line 20: unknown key 'senders'" in error(tmp_path, VALID + "senders: []\n")


def test_bad_regex_names_the_line_and_the_problem(tmp_path: Path) -> None:
    message = error(tmp_path, VALID.replace("regex: 'V-\\d{5}'", "regex: 'V-(\\d{5}'"))
    assert "line 9: bad regular expression 'V-(\\\\d{5}'" in message
    assert "missing )" in message


def test_bad_label_regex(tmp_path: Path) -> None:
    assert "line 2: bad regular expression" in error(tmp_path, VALID.replace("'Vorgang'", "'[x'"))


def test_weight_must_be_a_number(tmp_path: Path) -> None:
    message = error(tmp_path, VALID.replace("weight: 3}", "weight: viel}"))
    assert "line 19: expected a number, got 'viel'" in message


def test_unlabelled_must_be_true_or_false(tmp_path: Path) -> None:
    message = error(tmp_path, VALID.replace("unlabelled: true", "unlabelled: maybe"))
    assert "line 7: expected true or false" in message


def test_missing_key(tmp_path: Path) -> None:
    message = error(tmp_path, VALID.replace("      regex: 'V-\\d{5}'\n", ""))
    assert "line 8: missing key 'regex'" in message


def test_duplicate_key(tmp_path: Path) -> None:
    message = error(tmp_path, VALID.replace("  min_score: 2\n", "  min_score: 2\n  min_score: 3\n"))
    assert "line 17: key 'min_score' given twice" in message


def test_list_expected(tmp_path: Path) -> None:
    message = error(tmp_path, VALID.replace("  labels: ['datum']", "  labels: datum"))
    assert "line 12: expected a list" in message


def test_empty_list(tmp_path: Path) -> None:
    assert "line 12: the list is empty" in error(tmp_path, VALID.replace("['datum']", "[]"))


def test_bad_own_pattern(tmp_path: Path) -> None:
    message = error(tmp_path, VALID.replace("{plan}-{seq:04}/{year}", "{plan}-{nummer}"))
    assert "line 10: reference pattern '{plan}-{nummer}': unknown field {nummer}" in message


def test_empty_file(tmp_path: Path) -> None:
    assert "line 1: the file is empty" in error(tmp_path, "# nothing\n")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read.*EAKTE_EXTRACT_RULES_FILE"):
        load_rules(tmp_path / "missing.yaml")


def test_bad_reference_pattern_from_settings() -> None:
    with pytest.raises(ConfigError, match="has no \\{seq\\} field"):
        load_rules(reference_pattern="{plan}/{year}")


@pytest.mark.parametrize(
    ("pattern", "matches", "does_not_match"),
    [
        ("{plan}-{seq:04}/{year}", "32.10.05-0815/2024", "32.10.05-815/2024"),
        ("{plan}-{seq:04}/{year}", "1.2-0007/2025", "1.2-0007/25"),
        ("{orgunit}/{year}-{seq}", "32/2024-17", "32-2024-17"),
    ],
)
def test_pattern_regex(pattern: str, matches: str, does_not_match: str) -> None:
    regex = re.compile(pattern_regex(pattern))
    assert regex.fullmatch(matches)
    assert not regex.fullmatch(does_not_match)
