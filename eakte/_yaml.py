"""Reading a YAML configuration file node by node, so that every complaint
names the file and the line: ``rules.yaml, line 12: unknown key 'wieght'``.

Used for the extraction rules and the workflow definitions; each passes a
``hint`` that tells the reader where the format is explained.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import yaml

from eakte.exceptions import ConfigError

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"


class YamlProblem(ConfigError):
    """A mistake in a YAML configuration file, with where it is."""

    def __init__(self, source: str, line: int, problem: str, hint: str) -> None:
        super().__init__(f"{source}, line {line}: {problem}. {hint}")
        self.source = source
        self.line = line
        self.problem = problem


class Node:
    """One YAML node and where it stands."""

    def __init__(self, node: yaml.Node, source: str, hint: str) -> None:
        self._node = node
        self.source = source
        self.hint = hint

    @property
    def line(self) -> int:
        return int(self._node.start_mark.line) + 1

    def fail(self, problem: str) -> YamlProblem:
        return YamlProblem(self.source, self.line, problem, self.hint)

    def is_empty(self) -> bool:
        """A key given without a value (``when:``) or with ``null``."""
        return self._node.tag == "tag:yaml.org,2002:null"

    def _child(self, node: yaml.Node) -> Node:
        return Node(node, self.source, self.hint)

    def items(self) -> list[tuple[str, Node]]:
        """A mapping's entries in file order; keys must be unique strings."""
        if not isinstance(self._node, yaml.MappingNode):
            raise self.fail("expected a mapping (key: value)")
        seen: set[str] = set()
        out = []
        for key_node, value_node in self._node.value:
            key = self._child(key_node).text()
            if key in seen:
                raise self._child(key_node).fail(f"key {key!r} given twice")
            seen.add(key)
            out.append((key, self._child(value_node)))
        return out

    def key_lines(self) -> dict[str, int]:
        """The line of each key of a mapping: where a complaint about the whole entry belongs."""
        if not isinstance(self._node, yaml.MappingNode):
            raise self.fail("expected a mapping (key: value)")
        return {str(key.value): int(key.start_mark.line) + 1 for key, _ in self._node.value}

    def mapping(self, allowed: Iterable[str], required: Iterable[str] = ()) -> dict[str, Node]:
        allowed = set(allowed)
        entries = dict(self.items())
        for key, value in entries.items():
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                problem = f"unknown key {key!r} (known: {known})"
                raise YamlProblem(self.source, value.line, problem, self.hint)
        missing = [key for key in required if key not in entries]
        if missing:
            raise self.fail(f"missing key {missing[0]!r}")
        return entries

    def sequence(self) -> list[Node]:
        if not isinstance(self._node, yaml.SequenceNode):
            raise self.fail("expected a list (lines starting with '- ')")
        return [self._child(item) for item in self._node.value]

    def _scalar(self) -> str:
        if not isinstance(self._node, yaml.ScalarNode):
            raise self.fail("expected a single value, not a list or mapping")
        return str(self._node.value)

    def text(self) -> str:
        value = self._scalar()
        if self._node.tag != "tag:yaml.org,2002:str" or not value.strip():
            raise self.fail(f"expected text, got {value!r}")
        return value

    def number(self) -> float:
        value = self._scalar()
        if self._node.tag not in (_INT, _FLOAT):
            raise self.fail(f"expected a number, got {value!r}")
        return float(value.replace("_", ""))

    def boolean(self) -> bool:
        value = self._scalar()
        if self._node.tag != _BOOL:
            raise self.fail(f"expected true or false, got {value!r}")
        return value.lower() in ("true", "yes", "on")

    def regex(self, flags: int = 0) -> re.Pattern[str]:
        value = self.text()
        try:
            return re.compile(value, flags)
        except re.error as e:
            raise self.fail(f"bad regular expression {value!r}: {e}") from e

    def texts(self) -> list[str]:
        return [item.text() for item in self.sequence()]


def parse(text: str, source: str, hint: str) -> Node:
    """The document's root node; broken YAML is reported with its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlProblem(source, line, f"not valid YAML: {e.problem or e}", hint) from e
    except yaml.YAMLError as e:
        raise YamlProblem(source, 1, f"not valid YAML: {e}", hint) from e
    if root is None:
        raise YamlProblem(source, 1, "the file is empty", hint)
    return Node(root, source, hint)
