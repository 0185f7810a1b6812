"""Aktenzeichen in a letter's text: after a label first, then the shapes that
are safe to take without one; never the numbers after Kassenzeichen, IBAN & Co.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ._rules import ReferenceRules, ReferenceShape

_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−﹘﹣－", "-"))
_LABEL = re.compile(
    r"^(?:Az|Aktenz|Aktenzeichen|Gesch(?:ä|ae)ftszeichen|Gz|(?:Unser|Ihr)e?\s*Zeichen|Zeichen)"
    r"(?!\w)\.?\s*[:.]?\s*",
    re.IGNORECASE,
)
#: A Roman numeral as OCR may read it: "Ill", "I1", "|II", "11l" (a letter among the ones says
#: it is no number), but not "11", which may be one
_OCR_ROMAN = re.compile(r"^(?=[IVX1l|]*[IVXl|])(?=[IVX1l|]*[1l|])[IVX1l|]+(?=/)")
#: Characters OCR confuses, folded to one: I l | 1 and O 0
_OCR_FOLD = str.maketrans("IL|O", "1110")
#: A court's file number, spaced as courts write it: "6 K 1234/24" (OCR may drop the spaces)
_COURT = re.compile(r"^(\d{1,3}) ?([A-Z][a-z]{0,2}) ?(\d{1,5}/\d{2})$")
_AROUND_SEPARATOR = re.compile(r"\s*([./-])\s*")
#: A separator with spaces between digits (or a Roman numeral and digits), as OCR leaves it.
_SPACED_SEPARATOR = re.compile(r"(?<=[0-9IVX])[ \t]*([./-])[ \t]*(?=[0-9])")
_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})|\d{4}-\d{2}-\d{2}")
#: A label's column ends: nothing more on the line, or a wide gap to the next column.
_COLUMN_END = re.compile(r"[ :.]*(?:$|\t|\s{2,})")
#: How far before a number a label still counts as its label.
_LABEL_REACH = 40


def unify_dashes(text: str) -> str:
    return text.translate(_DASHES)


def normalise_reference(text: str) -> str:
    """One spelling per reference: ``Az.: 32.10.05 – 0815 / 2024.`` → ``32.10.05-0815/2024``.

    A Roman numeral that OCR read with ``l``, ``1`` or ``|`` for ``I`` is put right:
    ``Ill/32`` → ``III/32``.
    """
    text = _LABEL.sub("", unify_dashes(text).strip())
    text = _AROUND_SEPARATOR.sub(r"\1", text)
    text = _OCR_ROMAN.sub(lambda m: re.sub("[1l|]", "I", m.group()), text)
    return _COURT.sub(r"\1 \2 \3", " ".join(text.split()).strip(".,;:()[] "))


def reference_key(text: str) -> str:
    """A key under which the spellings OCR may produce of one reference meet:
    ``II/21-18.7``, ``11/21-18.7`` and ``Il/21-18.7`` have the same key. For looking up
    case files by a reference found in a scan."""
    return normalise_reference(text).upper().translate(_OCR_FOLD)


def _glue(line: str) -> str:
    return _SPACED_SEPARATOR.sub(r"\1", unify_dashes(line))


def _longest_at_start(text: str, shapes: Sequence[ReferenceShape]) -> str | None:
    matches = (shape.pattern.match(text) for shape in shapes)
    best = max((m.group() for m in matches if m), key=len, default=None)
    return None if best is None or _DATE.fullmatch(best) else best


def _after_labels(line: str, rules: ReferenceRules) -> tuple[list[str], bool]:
    """References right after a label; and whether a label ends its column without one."""
    found, bare = [], False
    for label in rules.labels.finditer(line):
        after = line[label.end() :]
        value = _longest_at_start(after.lstrip(" \t:."), rules.shapes)
        if value:
            found.append(value)
        elif _COLUMN_END.match(after):
            bare = True
    return found, bare


def _header_like(line: str, rules: ReferenceRules) -> bool:
    labels = len(rules.labels.findall(line)) + len(rules.ignore_labels.findall(line))
    return labels >= 2 or bool(re.search(r"\bDatum\b", line) and labels)


def _under_labels(line: str, header: str, rules: ReferenceRules) -> Iterator[str]:
    """References in a table-style info block: values on the line under the labels."""
    shapes = rules.shapes
    if rules.ignore_labels.search(header):
        shapes = tuple(shape for shape in shapes if shape.unlabelled)
    matches = sorted(
        (m for shape in shapes for m in shape.pattern.finditer(line)),
        key=lambda m: (m.start(), -len(m.group())),
    )
    end = 0
    for match in matches:  # left to right, the longest where shapes overlap
        if match.start() >= end and not _DATE.fullmatch(match.group()):
            end = match.end()
            yield match.group()


def _ignored(line: str, start: int, rules: ReferenceRules) -> bool:
    """Whether the nearest label before ``start`` is one whose numbers are not references."""
    before = line[max(0, start - _LABEL_REACH) : start]
    ignore = [m.end() for m in rules.ignore_labels.finditer(before)]
    labels = [m.end() for m in rules.labels.finditer(before)]
    return bool(ignore) and (not labels or labels[-1] < ignore[-1])


def _unlabelled(line: str, rules: ReferenceRules) -> Iterator[str]:
    for shape in rules.shapes:
        if shape.unlabelled:
            for match in shape.pattern.finditer(line):
                if not _ignored(line, match.start(), rules):
                    yield match.group()


def _labelled(lines: Sequence[str], rules: ReferenceRules) -> Iterator[str]:
    for index, line in enumerate(lines):
        found, bare = _after_labels(line, rules)
        yield from found
        if bare or _header_like(line, rules):
            following = next((ln for ln in lines[index + 1 : index + 3] if ln.strip()), "")
            yield from _under_labels(following, line, rules)


def _one_spelling(refs: Sequence[str], rules: ReferenceRules) -> list[str]:
    """One of each reference that OCR spelt twice (``11/28-19.6`` and ``II/28-19.6``):
    the spelling that a specific shape takes, in the place of the first."""

    def specific(ref: str) -> bool:
        return any(shape.unlabelled and shape.pattern.fullmatch(ref) for shape in rules.shapes)

    chosen: dict[str, str] = {}
    for ref in refs:
        key = reference_key(ref)
        if key not in chosen or (specific(ref) and not specific(chosen[key])):
            chosen[key] = ref
    return list(chosen.values())


def find_references(lines: Sequence[str], rules: ReferenceRules) -> tuple[str, ...]:
    """Normalised references in order of preference: labelled ones, then the others."""
    glued = [_glue(line) for line in lines]
    found = [*_labelled(glued, rules), *(ref for line in glued for ref in _unlabelled(line, rules))]
    unique = _one_spelling(list(dict.fromkeys(normalise_reference(ref) for ref in found)), rules)
    # "292/23" found by a shorter shape inside "9 K 292/23" is not a reference of its own
    return tuple(ref for ref in unique if not any(ref in other for other in unique if other != ref))
