"""Records services: org units, users, file plan, case files, documents, verification.

Every function takes the :class:`Records` context and the acting
:class:`Principal`, checks permissions, and writes its audit event in the same
transaction as the change.
"""

from eakte.records._audit_query import AuditEntry, AuditPage, query_audit
from eakte.records._casefiles import (
    CaseFileView,
    PlanNode,
    casefile_view,
    create_case,
    create_case_file,
    file_plan_tree,
    get_case_file,
    list_case_files,
)
from eakte.records._context import Records
from eakte.records._documents import (
    DocumentDetails,
    VersionInput,
    add_version,
    clean_filename,
    create_document,
    get_document,
    list_versions,
    open_content,
    update_metadata,
)
from eakte.records._fileplan import PlanImport, create_plan_item, import_plan_csv, list_plan_items
from eakte.records._filing import (
    InboxEntry,
    InboxPage,
    Target,
    file_by_reference,
    file_document,
    file_in_new_case,
    file_in_new_case_file,
    find_targets,
    list_inbox,
)
from eakte.records._keys import init_keys, rotate_keys, sync_keys
from eakte.records._orgs import (
    authenticate,
    create_orgunit,
    create_user,
    grant_role,
    list_orgunits,
    list_users,
    revoke_role,
    set_password,
    set_user_active,
)
from eakte.records._principal import (
    SYSTEM,
    Permission,
    Principal,
    load_principal,
    readable_orgunits,
)
from eakte.records._references import ReferencePattern
from eakte.records._show import Download, document_report, open_download
from eakte.records._tokens import (
    NewToken,
    TokenInfo,
    authenticate_token,
    create_token,
    list_tokens,
    revoke_token,
)
from eakte.records._verify import VerifyReport, verify_store

__all__ = [
    "AuditEntry",
    "AuditPage",
    "NewToken",
    "PlanImport",
    "TokenInfo",
    "authenticate_token",
    "create_token",
    "import_plan_csv",
    "list_tokens",
    "query_audit",
    "revoke_role",
    "revoke_token",
    "set_user_active",
    "CaseFileView",
    "DocumentDetails",
    "Download",
    "InboxEntry",
    "InboxPage",
    "PlanNode",
    "SYSTEM",
    "Target",
    "Permission",
    "Principal",
    "Records",
    "ReferencePattern",
    "VerifyReport",
    "VersionInput",
    "add_version",
    "authenticate",
    "casefile_view",
    "clean_filename",
    "create_case",
    "create_case_file",
    "create_document",
    "create_orgunit",
    "create_plan_item",
    "create_user",
    "document_report",
    "file_by_reference",
    "file_document",
    "file_in_new_case",
    "file_in_new_case_file",
    "find_targets",
    "file_plan_tree",
    "get_case_file",
    "get_document",
    "grant_role",
    "init_keys",
    "list_case_files",
    "list_inbox",
    "list_orgunits",
    "list_plan_items",
    "list_users",
    "list_versions",
    "load_principal",
    "open_content",
    "open_download",
    "readable_orgunits",
    "rotate_keys",
    "set_password",
    "sync_keys",
    "update_metadata",
    "verify_store",
]
