"""Definition files → versions in the database; the folder's routing rules.

The database holds every version an instance may still use; a file only
becomes a new version when it is valid, so a broken edit never replaces the
running definition. New instances start with the newest version.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eakte.exceptions import (
    EakteError,
    RoutingRulesError,
    WorkflowDefinitionError,
    WorkflowError,
)
from eakte.models import AuditHead, WorkflowDefinition
from eakte.records import SYSTEM, Principal, Records
from eakte.records._principal import Permission, require
from eakte.workflow._definition import Definition
from eakte.workflow._loader import load_definition
from eakte.workflow._routing import ROUTING_FILE, RoutingRules, load_routing

log = logging.getLogger(__name__)
Problem = tuple[str, int, str]


@dataclass(frozen=True)
class SourceFile:
    definition: Definition
    text: str
    sha256: str


@dataclass
class FolderResult:
    folder: Path
    files: dict[str, SourceFile] = field(default_factory=dict)  # by definition name
    problems: list[Problem] = field(default_factory=list)  # of the definitions and routing
    routing: RoutingRules | None = None  # None: routing.yaml has problems; no file: no rules


def shipped_examples() -> Path:
    return Path(str(resources.files("eakte.workflow") / "examples"))


def definitions_folder(records: Records) -> Path:
    """The configured folder; the shipped examples while it does not exist."""
    folder = records.settings.resolved_workflows_dir
    return folder if folder.is_dir() else shipped_examples()


def read_folder(folder: Path) -> FolderResult:
    """Every ``*.yaml`` definition in ``folder`` and the routing rules, checked.

    A routing rule may only name a workflow defined (validly) in the folder.
    """
    result = FolderResult(folder)
    if not folder.is_dir():
        result.problems.append((str(folder), 0, "folder does not exist"))
        return result
    first_line: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        if path.name == ROUTING_FILE:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            result.problems.append((path.name, 0, f"cannot be read ({e})"))
            continue
        try:
            definition = load_definition(text, path.name)
        except WorkflowDefinitionError as e:
            result.problems.extend(e.problems)
            continue
        if definition.name in result.files:
            result.problems.append(
                (
                    path.name,
                    definition.line,
                    f"workflow name {definition.name!r} is used by {first_line[definition.name]} "
                    "already",
                )
            )
            continue
        first_line[definition.name] = path.name
        result.files[definition.name] = SourceFile(
            definition, text, hashlib.sha256(text.encode()).hexdigest()
        )
    subjects = {name: source.definition.subject for name, source in result.files.items()}
    try:
        result.routing = read_routing(folder, subjects)
    except RoutingRulesError as e:
        result.problems.extend(e.problems)
    return result


def read_routing(folder: Path, workflows: dict[str, str]) -> RoutingRules:
    """``folder``'s routing rules (none without the file); ``workflows`` maps the
    names that may be started to their subject. Raises :class:`RoutingRulesError`."""
    path = folder / ROUTING_FILE
    if not path.is_file():
        return RoutingRules()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RoutingRulesError([(path.name, 0, f"cannot be read ({e})")]) from e
    return load_routing(text, path.name, workflows)


def routing_rules(records: Records, folder: Path | None = None) -> RoutingRules:
    """The routing rules in use: a rule may name a workflow that is valid in the
    folder or stored (an invalid edit keeps its last version in use). Raises
    :class:`RoutingRulesError`."""
    folder = folder or definitions_folder(records)
    result = read_folder(folder)
    if result.routing is not None:
        return result.routing
    subjects = {name: source.definition.subject for name, source in result.files.items()}
    with records.reading() as session:
        for row in list_definitions(session):  # newest version first
            if row.name not in subjects:
                subjects[row.name] = parsed(row).subject
    return read_routing(folder, subjects)


@dataclass(frozen=True)
class SyncReport:
    folder: Path
    added: list[tuple[str, int]]  # (name, new version)
    unchanged: list[str]
    problems: list[Problem]


def sync_definitions(
    records: Records, principal: Principal, folder: Path | None = None
) -> SyncReport:
    """Store each valid, changed file as the next version of its definition."""
    folder = folder or definitions_folder(records)
    result = read_folder(folder)
    added: list[tuple[str, int]] = []
    unchanged: list[str] = []
    with records.transaction() as session:
        require(session, principal, Permission.ADMINISTER)
        # two processes loading at once (two `serve` starts): the second waits here and
        # then finds the first one's versions, instead of numbering the same version twice
        session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update())
        for name, source in sorted(result.files.items()):
            latest = _latest(session, name)
            if latest is not None and latest.source_sha256 == source.sha256:
                unchanged.append(name)
                continue
            version = 1 if latest is None else latest.version + 1
            row = WorkflowDefinition(
                name=name,
                version=version,
                title=source.definition.title,
                orgunit=source.definition.orgunit,
                source_name=source.definition.source,
                source_sha256=source.sha256,
                source=source.text,
                loaded_by=principal.name,
            )
            session.add(row)
            session.flush()
            records.audit.append(
                session,
                actor=principal.actor,
                action="workflow.definition.loaded",
                object_type="workflow_definition",
                object_id=f"{name}/{version}",
                details={"file": source.definition.source, "sha256": source.sha256},
            )
            added.append((name, version))
    for source_name, line, problem in result.problems:
        log.warning("Workflows folder: %s, line %s: %s (not loaded)", source_name, line, problem)
    return SyncReport(folder, added, unchanged, result.problems)


def load_at_start(records: Records) -> None:
    """Load changed definition files when a service starts (serve, watch, ingest) so
    that the routing rules' workflows exist; a problem is logged, never fatal."""
    try:
        report = sync_definitions(records, SYSTEM)
    except EakteError as e:
        log.warning("Workflow definitions not loaded: %s", e)
        return
    for name, version in report.added:
        log.info("Workflow %s: version %d loaded from %s", name, version, report.folder)


def _latest(session: Session, name: str) -> WorkflowDefinition | None:
    newest = select(func.max(WorkflowDefinition.version)).where(WorkflowDefinition.name == name)
    return session.scalar(
        select(WorkflowDefinition).where(
            WorkflowDefinition.name == name, WorkflowDefinition.version == newest.scalar_subquery()
        )
    )


def latest_definition(session: Session, name: str) -> WorkflowDefinition:
    row = _latest(session, name)
    if row is None:
        raise WorkflowError(
            f"There is no workflow {name!r}. `eakte workflows list` shows the loaded ones; "
            "`eakte workflows load` loads the definition files."
        )
    return row


def parsed(row: WorkflowDefinition) -> Definition:
    """The definition of a stored version (parsed once per process)."""
    return _parse(row.source, row.source_name, row.source_sha256)


@lru_cache(maxsize=256)
def _parse(text: str, source: str, sha256: str) -> Definition:
    return load_definition(text, source)


def list_definitions(session: Session) -> list[WorkflowDefinition]:
    """Every stored version, newest first within each name."""
    return list(
        session.scalars(
            select(WorkflowDefinition).order_by(
                WorkflowDefinition.name, WorkflowDefinition.version.desc()
            )
        )
    )
