"""Departmental workflows (Geschäftsgang): YAML definitions with versions, an
engine with tasks, guards and Vier-Augen, Umlauf, Wiedervorlage, routing
rules for incoming documents and the timer job. See docs/workflows.md."""

from eakte.workflow._calendar import add_working_days, is_working_day, today
from eakte.workflow._circulation import (
    CirculationSpec,
    Participant,
    cosign,
    refuse,
    start_circulation,
)
from eakte.workflow._definition import Definition
from eakte.workflow._engine import Outcome, start_workflow, take
from eakte.workflow._inbox_page import (
    DocumentWorkflows,
    InboxItem,
    InboxView,
    document_workflows,
    inbox_page,
)
from eakte.workflow._loader import load_definition
from eakte.workflow._pages import RecordPage, TaskPage, record_page, task_page
from eakte.workflow._registry import (
    FolderResult,
    SyncReport,
    definitions_folder,
    list_definitions,
    load_at_start,
    read_folder,
    routing_rules,
    shipped_examples,
    sync_definitions,
)
from eakte.workflow._resubmission import complete_task, set_resubmission
from eakte.workflow._routing import ROUTING_FILE, Incoming, RoutingRules, Rule, load_routing
from eakte.workflow._tasks import (
    HistoryEntry,
    InstanceView,
    TaskView,
    get_instance,
    instances_of,
    tasks_for,
)
from eakte.workflow._tick import TickReport, tick

__all__ = [
    "ROUTING_FILE",
    "CirculationSpec",
    "Definition",
    "DocumentWorkflows",
    "FolderResult",
    "HistoryEntry",
    "InboxItem",
    "InboxView",
    "Incoming",
    "InstanceView",
    "Outcome",
    "Participant",
    "RecordPage",
    "RoutingRules",
    "Rule",
    "SyncReport",
    "TaskPage",
    "TaskView",
    "TickReport",
    "add_working_days",
    "complete_task",
    "cosign",
    "definitions_folder",
    "document_workflows",
    "get_instance",
    "inbox_page",
    "instances_of",
    "is_working_day",
    "list_definitions",
    "load_at_start",
    "load_definition",
    "load_routing",
    "read_folder",
    "record_page",
    "refuse",
    "routing_rules",
    "set_resubmission",
    "shipped_examples",
    "start_circulation",
    "start_workflow",
    "sync_definitions",
    "take",
    "task_page",
    "tasks_for",
    "tick",
    "today",
]
