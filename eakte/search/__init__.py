"""Full-text search: German analysis, two engines behind one interface, permission-filtered.

``SearchService`` answers users' queries (read side, any process);
``SearchIndexer`` is the only writer and follows the audit log.
"""

from eakte.exceptions import QueryError, SearchUnavailable

from ._follower import IndexFollower
from ._indexer import CheckReport, SearchIndexer
from ._model import Sort
from ._service import Hit, SearchResult, SearchService

__all__ = [
    "CheckReport",
    "Hit",
    "IndexFollower",
    "QueryError",
    "SearchIndexer",
    "SearchResult",
    "SearchService",
    "SearchUnavailable",
    "Sort",
]
