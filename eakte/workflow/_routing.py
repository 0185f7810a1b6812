"""Routing rules for incoming documents: the file ``routing.yaml`` in the
workflows folder, beside the workflow definitions.

The format::

    rules:
      - name: rechnungen              # required, unique
        when:                         # all given conditions must hold
          folder: "20"
          reference: '^6\\.2'
          document_type: Rechnung
          sender: 'Stadtwerke'
          keywords: [Rechnung, Zahlungsziel]
        then:                         # at least one of orgunit, workflow
          orgunit: "32"
          workflow: rechnungseingang

``rules`` is a list; an empty list (``rules: []``) routes nothing. Each rule
has the keys ``name``, ``when`` and ``then``; no other key is allowed.

``name`` (required)
    Lower case letters, digits and ``_``, starting with a letter; no two
    rules may have the same name. It is recorded with every decision the
    rule makes.

``when`` (optional)
    The conditions; every condition given must hold. A rule without
    ``when`` (or with an empty ``when:``) matches every document, so rules
    below it are never used (that is reported as a mistake).

    ``folder``
        The inbox sub-folder the file came from, i.e. the code of the org
        unit it is named after: one code or a list (any of them). Files
        dropped in the inbox's top folder or given to ``eakte ingest``
        without an org unit come from no folder and never match.
    ``reference``
        A regular expression, searched in each detected Aktenzeichen as
        written in the document; one match is enough. Upper and lower case
        count. No Aktenzeichen detected: no match.
    ``document_type``
        The detected document type (the names of the extraction rules, e.g.
        ``Rechnung``, ``Beschwerde``): one or a list (any of them); upper and
        lower case do not count.
    ``sender``
        A regular expression, searched in the detected sender; upper and
        lower case do not count. No sender detected: no match.
    ``keywords``
        One word or a list; every one must occur in the document's text as a
        whole word (``Rechnung`` does not match ``Rechnungsbetrag``), upper
        and lower case do not count. A keyword of several words also matches
        when a line break stands between them.

``then`` (required, with at least one of)
    ``orgunit``
        The code of the org unit whose Posteingang receives the document.
    ``workflow``
        The name of a workflow definition in the same folder; it is started
        on the new document. A workflow with ``subject: case`` (runs on a
        Vorgang only) cannot be named.

Org unit codes are text: write them in quotes (``"32"``), since YAML reads
``32`` as a number.

How rules decide: the rules are tried in file order and the first whose
conditions all hold is used (first match wins; later rules are not looked
at). Where the document goes:

1. a detected Aktenzeichen of an existing Akte or Vorgang files it there,
   even when a rule with ``orgunit`` matched (the most specific fact wins);
2. else the ``orgunit`` of the matching rule;
3. else the org unit of the inbox folder, else the default org unit
   (``EAKTE_DEFAULT_ORGUNIT``).

An ``orgunit`` that does not exist in the database is skipped (step 3
applies) and the routing reason says so. The ``workflow`` of the matching
rule is started on the new document in any of the three cases, by the
system, after the document is stored. When it cannot start (e.g. the
definition was not loaded with ``eakte workflows load``, or belongs to
another org unit), the document stays stored: the failure is logged, written
to the audit trail (``ingest.workflow_failed``) and appended to the ingest
item's routing reason. The routing reason names the rule, e.g. ``Regel
rechnungen → 32, Workflow rechnungseingang``, and the audit event of the
stored document carries ``"rule": "rechnungen"``.

The ingest pipeline reads the file when it starts and again whenever the
file changes. A file with mistakes does not stop ingest: the last valid
rules stay in use (none, if there never were any) and the problems are
logged. ``eakte workflows check`` lists every mistake with file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from eakte._yaml import Node, YamlProblem, parse
from eakte.exceptions import RoutingRulesError
from eakte.workflow._loader import HINT, NAME

ROUTING_FILE = "routing.yaml"
Problem = tuple[str, int, str]
_CONDITIONS = ("folder", "reference", "document_type", "sender", "keywords")


@dataclass(frozen=True)
class Incoming:
    """What is known about an incoming document when it is routed."""

    folder: str | None  # the inbox sub-folder's org unit code
    references: tuple[str, ...]
    document_type: str | None
    sender: str | None
    text: str


@dataclass(frozen=True)
class Rule:
    name: str
    folders: tuple[str, ...] = ()
    reference: re.Pattern[str] | None = None
    document_types: tuple[str, ...] = ()  # casefolded
    sender: re.Pattern[str] | None = None
    keywords: tuple[re.Pattern[str], ...] = ()
    orgunit: str | None = None
    workflow: str | None = None
    line: int = 0

    @property
    def matches_everything(self) -> bool:
        return not (
            self.folders or self.reference or self.document_types or self.sender or self.keywords
        )

    def matches(self, incoming: Incoming) -> bool:
        if self.folders and incoming.folder not in self.folders:
            return False
        if self.reference and not any(self.reference.search(r) for r in incoming.references):
            return False
        if self.document_types and (
            incoming.document_type is None
            or incoming.document_type.casefold() not in self.document_types
        ):
            return False
        if self.sender and (incoming.sender is None or not self.sender.search(incoming.sender)):
            return False
        return all(keyword.search(incoming.text) for keyword in self.keywords)


@dataclass(frozen=True)
class RoutingRules:
    source: str = ROUTING_FILE
    rules: tuple[Rule, ...] = ()

    def first_match(self, incoming: Incoming) -> Rule | None:
        return next((rule for rule in self.rules if rule.matches(incoming)), None)


def load_routing(text: str, source: str, workflows: Mapping[str, str]) -> RoutingRules:
    """The rules in ``text``; ``workflows`` maps the names that may be started to
    their subject (case, document, any). Raises :class:`RoutingRulesError`
    listing every problem."""
    problems: list[Problem] = []
    try:
        root = parse(text, source, HINT).mapping(("rules",), required=("rules",))
        nodes = root["rules"].sequence()
    except YamlProblem as e:
        raise RoutingRulesError([(e.source, e.line, e.problem)]) from e
    rules: list[Rule] = []
    for node in nodes:
        try:
            rules.append(_rule(node, workflows))
        except YamlProblem as e:
            problems.append((e.source, e.line, e.problem))
    problems.extend(_check_order(rules, source))
    if problems:
        raise RoutingRulesError(sorted(set(problems), key=lambda p: (p[0], p[1], p[2])))
    return RoutingRules(source, tuple(rules))


def _rule(node: Node, workflows: Mapping[str, str]) -> Rule:
    entries = node.mapping(("name", "when", "then"), required=("name", "then"))
    name = entries["name"].text()
    if not NAME.fullmatch(name):
        raise entries["name"].fail(
            f"rule name {name!r} must be lower case letters, digits and _ (starting with a letter)"
        )
    when = entries.get("when")
    conditions = {} if when is None or when.is_empty() else when.mapping(_CONDITIONS)
    then = entries["then"].mapping(("orgunit", "workflow"))
    if not then:
        raise entries["then"].fail(f"rule {name!r} needs orgunit or workflow under 'then'")
    workflow = then["workflow"].text() if "workflow" in then else None
    if workflow is not None:
        _check_workflow(then["workflow"], workflow, workflows)
    return Rule(
        name=name,
        folders=tuple(_codes(conditions["folder"])) if "folder" in conditions else (),
        reference=conditions["reference"].regex() if "reference" in conditions else None,
        document_types=tuple(t.casefold() for t in _one_or_more(conditions["document_type"]))
        if "document_type" in conditions
        else (),
        sender=conditions["sender"].regex(re.IGNORECASE) if "sender" in conditions else None,
        keywords=tuple(_keyword(item) for item in _items(conditions["keywords"]))
        if "keywords" in conditions
        else (),
        orgunit=_code(then["orgunit"]) if "orgunit" in then else None,
        workflow=workflow,
        line=node.line,
    )


def _check_workflow(node: Node, name: str, workflows: Mapping[str, str]) -> None:
    if name not in workflows:
        known = ", ".join(sorted(workflows)) or "none"
        raise node.fail(f"unknown workflow {name!r} (the definitions in this folder: {known})")
    if workflows[name] == "case":
        raise node.fail(
            f"workflow {name!r} runs on a Vorgang only (subject: case); a routing rule "
            "starts its workflow on the incoming document"
        )


def _items(node: Node) -> list[Node]:
    """One value or a list of values."""
    try:
        node.text()
    except YamlProblem:
        return node.sequence()
    return [node]


def _one_or_more(node: Node) -> list[str]:
    return [item.text() for item in _items(node)]


def _codes(node: Node) -> list[str]:
    return [_code(item) for item in _items(node)]


def _code(node: Node) -> str:
    try:
        return node.text()
    except YamlProblem:
        raise node.fail(
            'expected an org unit code as text; write it in quotes, e.g. "32"'
        ) from None


def _keyword(node: Node) -> re.Pattern[str]:
    words = node.text().split()
    if not all(re.search(r"\w", word) for word in words):
        raise node.fail(f"keyword {node.text()!r} must consist of words")
    return re.compile(
        r"(?<!\w)" + r"\s+".join(re.escape(word) for word in words) + r"(?!\w)", re.IGNORECASE
    )


def _check_order(rules: list[Rule], source: str) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, int] = {}
    catch_all: Rule | None = None
    for rule in rules:
        if rule.name in first:
            problems.append(
                (
                    source,
                    rule.line,
                    f"rule name {rule.name!r} is used by the rule in line "
                    f"{first[rule.name]} already",
                )
            )
        first.setdefault(rule.name, rule.line)
        if catch_all is not None:
            problems.append(
                (
                    source,
                    rule.line,
                    f"rule {rule.name!r} is never used: rule {catch_all.name!r} in line "
                    f"{catch_all.line} has no conditions and matches every document first",
                )
            )
        elif rule.matches_everything:
            catch_all = rule
    return problems
