"""Findings of a verification run, shared by store and package verification."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # integrity is broken: verify exits non-zero
    WARNING = "warning"  # allowed but worth a look (e.g. a stray object)


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str  # stable machine name, e.g. "content-hash-mismatch"
    subject: str  # what is affected, e.g. "document 3f…/version 2"
    message: str  # plain words

    def as_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}
