"""Typed SQLAlchemy 2.0 models."""

from eakte.models._base import Base, UTCDateTime, new_id, utcnow
from eakte.models.documents import Document, DocumentVersion
from eakte.models.fileplan import Case, CaseFile, Disposition, FilePlanItem, ReferenceCounter
from eakte.models.ingest import IngestItem, IngestStatus
from eakte.models.orgs import ApiToken, OrgUnit, Role, RoleMembership, User
from eakte.models.signing import AuditCheckpoint, AuditEvent, AuditHead, SigningKey
from eakte.models.workflow import (
    Circulation,
    CirculationStep,
    InstanceStatus,
    Resubmission,
    TaskKind,
    TaskStatus,
    WorkflowDefinition,
    WorkflowHistory,
    WorkflowInstance,
    WorkflowTask,
)

__all__ = [
    "ApiToken",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Case",
    "Circulation",
    "CirculationStep",
    "CaseFile",
    "Disposition",
    "Document",
    "DocumentVersion",
    "FilePlanItem",
    "IngestItem",
    "IngestStatus",
    "InstanceStatus",
    "OrgUnit",
    "ReferenceCounter",
    "Resubmission",
    "Role",
    "RoleMembership",
    "SigningKey",
    "TaskKind",
    "TaskStatus",
    "User",
    "UTCDateTime",
    "WorkflowDefinition",
    "WorkflowHistory",
    "WorkflowInstance",
    "WorkflowTask",
    "new_id",
    "utcnow",
]
