"""Primary files into the object store before the import's transaction: streamed, once.

The store is content-addressed, so a file stored for an import that then
fails harms nothing; the database transaction that follows only looks the
stored objects up and stays short however large the package. A dry run only
hashes the files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from eakte.export._import_source import Container
from eakte.export._model import CaseFileRecord, CaseRecord, DocumentRecord, RecordObject
from eakte.storage import ObjectKind, ObjectStore, StoredObject
from eakte.storage._base import copy_hashing, object_key

# what a document's versions need stored: (file name, kind, object metadata)
FilePlan = Callable[[DocumentRecord], Iterator[tuple[str, ObjectKind, dict[str, str]]]]


class FileStage:
    """Stores (or, without a store, hashes) each primary file once and remembers the result."""

    def __init__(self, container: Container, store: ObjectStore | None) -> None:
        self.container = container
        self.store = store
        self._done: dict[tuple[str, ObjectKind], StoredObject] = {}

    def put(self, name: str, kind: ObjectKind, metadata: dict[str, str]) -> StoredObject:
        key = (name, kind)
        if key not in self._done:
            with self.container.open(self.container.primary(name)) as stream:
                if self.store is not None:
                    self._done[key] = self.store.put(kind, stream, metadata=metadata)
                else:
                    digest = copy_hashing(stream)
                    sha = digest.sha256
                    self._done[key] = StoredObject(
                        kind, sha, digest.size, object_key(kind, sha), True
                    )
        return self._done[key]

    def stage(self, objects: Iterable[RecordObject], plan: FilePlan) -> None:
        for document in documents(objects):
            for name, kind, metadata in plan(document):
                self.put(name, kind, metadata)


def documents(objects: Iterable[RecordObject]) -> Iterator[DocumentRecord]:
    """Every document of the message, inside Akten and Vorgänge or on its own."""
    for record in objects:
        if isinstance(record, DocumentRecord):
            yield record
        elif isinstance(record, CaseRecord):
            yield from record.documents
        else:
            assert isinstance(record, CaseFileRecord)
            yield from record.documents
            for case in record.cases:
                yield from case.documents
