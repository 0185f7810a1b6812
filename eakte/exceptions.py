"""User-facing errors.

Every error a user or operator can meet is a subclass of :class:`EakteError`.
Its message says what went wrong *and what to do next*. Only the edges (CLI,
web) turn these into exit codes or HTTP responses.
"""

from __future__ import annotations


class EakteError(Exception):
    """Base class of all errors eakte reports to a person."""

    exit_code = 1
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(EakteError):
    """A setting is missing, malformed or contradicts another setting."""

    exit_code = 11  # not 2: click uses 2 for usage errors


class DataDirError(EakteError):
    """The data directory cannot be created or written."""

    exit_code = 3


class DatabaseError(EakteError):
    """The database cannot be reached or is not migrated."""

    exit_code = 4


class StorageError(EakteError):
    """The object store cannot be reached or refused an operation."""

    exit_code = 5


class StorageUnavailable(StorageError):
    """The object store's endpoint does not answer."""


class ObjectNotFound(StorageError):
    """An object that should exist is not in the store."""

    http_status = 404


class ObjectIntegrityError(StorageError):
    """Stored bytes do not match their SHA-256 key: the object was altered or damaged."""

    exit_code = 6


class ObjectExistsError(StorageError):
    """An immutable object already exists with different content."""


class SigningKeyError(EakteError):
    """No usable signing key, or the passphrase does not open it."""

    exit_code = 7


class RecordsError(EakteError):
    """A records operation was refused because its input is invalid."""

    exit_code = 8
    http_status = 400


class InvalidReference(RecordsError):
    """An Aktenzeichen does not match the configured pattern."""


class NotFound(RecordsError):
    """The requested object does not exist (or is not visible to the user)."""

    http_status = 404


class AlreadyExists(RecordsError):
    """An object with the same unique key exists already."""

    http_status = 409


class PermissionDenied(EakteError):
    """The acting user lacks the role needed for this operation."""

    exit_code = 9
    http_status = 403


class AuthenticationFailed(EakteError):
    """User name or password is wrong (deliberately not saying which)."""

    exit_code = 9
    http_status = 401


class InputRejected(EakteError):
    """An incoming file cannot be taken; it goes to the failed area with this reason.

    ``message`` is English, ``message_de`` German; both say what to do.
    """

    exit_code = 12
    http_status = 422

    def __init__(self, message: str, message_de: str, code: str) -> None:
        super().__init__(message)
        self.message_de = message_de
        self.code = code  # stable machine name, e.g. "encrypted-pdf"


class ExtractionError(EakteError):
    """Text extraction or OCR failed for a reason that is not the file's fault."""

    exit_code = 13


class SearchUnavailable(EakteError):
    """There is no usable search index; the message says what to do."""

    exit_code = 14


class QueryError(EakteError):
    """A search query cannot be read; the message (German, shown to the user) says why."""

    exit_code = 15


class WorkflowDefinitionError(ConfigError):
    """Workflow definition files are invalid; each problem names file and line."""

    def __init__(self, problems: list[tuple[str, int, str]]) -> None:
        lines = [f"{source}, line {line}: {problem}" for source, line, problem in problems]
        super().__init__(
            "Invalid workflow definition:\n  "
            + "\n  ".join(lines)
            + "\nCorrect the file (docs/workflows.md explains the format); "
            "the last valid version stays in use meanwhile."
        )
        self.problems = problems


class RoutingRulesError(ConfigError):
    """The routing rules (routing.yaml) are invalid; each problem names file and line."""

    def __init__(self, problems: list[tuple[str, int, str]]) -> None:
        lines = [f"{source}, line {line}: {problem}" for source, line, problem in problems]
        super().__init__(
            "Invalid routing rules:\n  "
            + "\n  ".join(lines)
            + "\nCorrect the file (docs/workflows.md explains the format); "
            "the last valid rules stay in use meanwhile."
        )
        self.problems = problems


class WorkflowError(EakteError):
    """A workflow action is not possible now; the message says why and what to do."""

    exit_code = 16
    http_status = 409


class WorkflowConflict(WorkflowError):
    """Someone else acted on the same task first."""

    exit_code = 17


class FourEyesViolation(WorkflowError):
    """The step must be taken by another person than an earlier one (Vier-Augen-Prinzip)."""


class CommentRequired(WorkflowError):
    """The step needs a comment that says why."""
