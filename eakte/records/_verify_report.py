"""The report of ``eakte verify`` and the keys it trusts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eakte.signing._findings import Finding, Severity


@dataclass(frozen=True)
class TrustedKey:
    """A public key from the installation's key folder, not from the database."""

    key_id: str
    public_pem: str
    retired_at: datetime | None


@dataclass
class VerifyReport:
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "counts": self.counts,
            "findings": [f.as_dict() for f in self.findings],
        }


def err(code: str, subject: str, message: str) -> Finding:
    return Finding(Severity.ERROR, code, subject, message)


def warn(code: str, subject: str, message: str) -> Finding:
    return Finding(Severity.WARNING, code, subject, message)
