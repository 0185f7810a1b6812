"""Extraction rules: what a reference looks like, which dates are the letter's
own, which words make a document a Rechnung or a Bescheid.

The rules live in a YAML file (built-in: ``rules.yaml`` beside this module);
every mistake in it is reported with the file's name and the line.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from eakte._yaml import Node, parse
from eakte.exceptions import ConfigError

BUILTIN = "rules.yaml"
HINT = "Correct the file (the built-in eakte/extract/rules.yaml shows the format) and start again."
_CI = re.IGNORECASE

#: Regular expressions for the fields of a reference pattern such as ``{plan}-{seq:04}/{year}``.
_PATTERN_FIELDS = {
    "plan": r"\d{1,4}(?:\.\d{1,4}){0,5}",
    "year": r"\d{4}",
    "orgunit": r"[0-9A-Za-z][0-9A-Za-z.]*",
}


@dataclass(frozen=True)
class ReferenceShape:
    name: str
    pattern: re.Pattern[str]
    unlabelled: bool


@dataclass(frozen=True)
class TypeRule:
    pattern: re.Pattern[str]
    weight: float


@dataclass(frozen=True)
class DocumentType:
    name: str
    rules: tuple[TypeRule, ...]


@dataclass(frozen=True)
class ReferenceRules:
    labels: re.Pattern[str]
    ignore_labels: re.Pattern[str]
    shapes: tuple[ReferenceShape, ...]


@dataclass(frozen=True)
class DateRules:
    #: words that mark the letter's own date ("Datum"), and words that mark others ("Frist")
    label_words: re.Pattern[str]
    negative_words: re.Pattern[str]
    #: the same, matching at the end of the text before a date
    labels: re.Pattern[str]
    not_document_date: re.Pattern[str]


@dataclass(frozen=True)
class TypeRules:
    types: tuple[DocumentType, ...]
    default: str
    min_score: float
    subject_factor: float


@dataclass(frozen=True)
class Rules:
    """Compiled extraction rules; build them with :func:`load_rules`."""

    source: str
    references: ReferenceRules
    dates: DateRules
    document_types: TypeRules


def pattern_regex(pattern: str) -> str:
    """A regular expression for a reference pattern such as ``{plan}-{seq:04}/{year}``.

    Raises :class:`ValueError` naming the problem when the pattern cannot be used.
    """
    out = [r"(?<![\w.])"]
    for literal, name, spec, _ in string.Formatter().parse(pattern):
        out.append(re.escape(literal))
        if name == "seq":
            width = int(spec) if spec and spec.isdigit() else 1
            out.append(rf"\d{{{width},}}")
        elif name in _PATTERN_FIELDS:
            out.append(_PATTERN_FIELDS[name])
        elif name is not None:
            raise ValueError(f"unknown field {{{name}}} (known: plan, seq, year, orgunit)")
    if "{seq" not in pattern:
        raise ValueError("the pattern has no {seq} field")
    return "".join(out) + r"(?![\w/])"


def _alternatives(node: Node, *, words: bool) -> re.Pattern[str]:
    parts = [item.regex(_CI).pattern for item in node.sequence()]
    if not parts:
        raise node.fail("the list is empty")
    joined = "|".join(f"(?:{part})" for part in parts)
    return re.compile(rf"(?<!\w)(?:{joined})(?!\w)" if words else joined, _CI)


def _shape(node: Node) -> ReferenceShape:
    keys = node.mapping({"name", "regex", "unlabelled"}, required={"name", "regex"})
    unlabelled = keys["unlabelled"].boolean() if "unlabelled" in keys else False
    return ReferenceShape(keys["name"].text(), keys["regex"].regex(), unlabelled)


def _own_shape(node: Node | None, override: str | None) -> ReferenceShape | None:
    pattern = override if override is not None else node.text() if node else None
    if pattern is None:
        return None
    try:
        regex = pattern_regex(pattern)
    except ValueError as e:
        if node is None or override is not None:
            raise ConfigError(f"Reference pattern {pattern!r}: {e}.") from e
        raise node.fail(f"reference pattern {pattern!r}: {e}") from e
    return ReferenceShape("own", re.compile(regex), unlabelled=True)


def _references(node: Node, own_pattern: str | None) -> ReferenceRules:
    keys = node.mapping(
        {"labels", "ignore_labels", "shapes", "own_pattern"}, required={"labels", "shapes"}
    )
    shapes = [_shape(item) for item in keys["shapes"].sequence()]
    own = _own_shape(keys.get("own_pattern"), own_pattern)
    ignore = keys.get("ignore_labels")
    return ReferenceRules(
        labels=_alternatives(keys["labels"], words=True),
        ignore_labels=_alternatives(ignore, words=True) if ignore else re.compile(r"(?!)"),
        shapes=tuple(([own] if own else []) + shapes),
    )


def _dates(node: Node) -> DateRules:
    keys = node.mapping({"labels", "not_document_date"}, required={"labels", "not_document_date"})
    label_words = _alternatives(keys["labels"], words=False)
    negative_words = _alternatives(keys["not_document_date"], words=False)
    labels, negative = label_words.pattern, negative_words.pattern
    return DateRules(
        label_words=label_words,
        negative_words=negative_words,
        # the label, perhaps a colon and a weekday ("Date: Tue, 3 Dec 2024"), then the date
        labels=re.compile(rf"(?:{labels})\s*[:.]?\s*(?:[A-Za-z]{{2,10}}\.?,\s*)?$", _CI),
        # the word, then no comma up to the date ("vom 12.11.", not "Frankfurt am Main, ")
        not_document_date=re.compile(rf"(?:{negative})[^,;\n]{{0,30}}$", _CI),
    )


def _type_rule(node: Node) -> TypeRule:
    keys = node.mapping({"regex", "weight"}, required={"regex", "weight"})
    return TypeRule(keys["regex"].regex(_CI), keys["weight"].number())


def _document_types(node: Node) -> TypeRules:
    keys = node.mapping(
        {"default", "min_score", "subject_factor", "types"}, required={"default", "types"}
    )
    types = tuple(
        DocumentType(name, tuple(_type_rule(rule) for rule in rules.sequence()))
        for name, rules in keys["types"].items()
    )
    return TypeRules(
        types=types,
        default=keys["default"].text(),
        min_score=keys["min_score"].number() if "min_score" in keys else 1.0,
        subject_factor=keys["subject_factor"].number() if "subject_factor" in keys else 1.0,
    )


def rules_from_text(text: str, source: str, *, reference_pattern: str | None = None) -> Rules:
    """Rules from the YAML ``text``; ``source`` names it in error messages."""
    sections = {"references", "dates", "document_types"}
    root = parse(text, source, HINT).mapping(sections, required=sections)
    return Rules(
        source=source,
        references=_references(root["references"], reference_pattern),
        dates=_dates(root["dates"]),
        document_types=_document_types(root["document_types"]),
    )


def load_rules(path: Path | None = None, *, reference_pattern: str | None = None) -> Rules:
    """The rules in ``path``, or the built-in ones when ``path`` is None.

    ``reference_pattern`` (the installation's ``EAKTE_REFERENCE_PATTERN``) replaces
    the file's ``own_pattern``. Raises :class:`~eakte.exceptions.ConfigError`
    naming the file and line of any mistake.
    """
    if path is None:
        text = resources.files(__package__).joinpath(BUILTIN).read_text(encoding="utf-8")
        return rules_from_text(text, BUILTIN, reference_pattern=reference_pattern)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(
            f"The extraction rules file {path} cannot be read ({e}). Check "
            "EAKTE_EXTRACT_RULES_FILE and the file's permissions, or unset it to use the "
            "built-in rules."
        ) from e
    return rules_from_text(text, str(path), reference_pattern=reference_pattern)
