"""What the contract cannot say for both engines: whoosh's locks and damaged indexes."""

from __future__ import annotations

from pathlib import Path

import pytest

from eakte.search._model import SearchIndexError, Sort
from eakte.search._query import parse
from eakte.search._whoosh import WhooshBackend

from .conftest import CORPUS, doc


def test_second_writer_is_refused_until_the_first_closes(tmp_path: Path) -> None:
    first = WhooshBackend(tmp_path, writable=True)
    first.upsert(CORPUS)
    second = WhooshBackend(tmp_path, writable=True)
    with pytest.raises(SearchIndexError, match="locked by another writer"):
        second.upsert([doc("x", "Text")])
    first.close()
    second.upsert([doc("x", "Text")])
    second.close()
    assert "x" in WhooshBackend(tmp_path).versions()


def test_index_locked_by_a_whoosh_writer(tmp_path: Path) -> None:
    backend = WhooshBackend(tmp_path, writable=True)
    other = backend.index.writer()  # e.g. another tool in the middle of a commit
    try:
        with pytest.raises(SearchIndexError, match="locked by another writer"):
            backend.upsert(CORPUS)
    finally:
        other.cancel()
        backend.close()


def test_reader_cannot_write(tmp_path: Path) -> None:
    with pytest.raises(SearchIndexError, match="reading only"):
        WhooshBackend(tmp_path).upsert(CORPUS)


def test_damaged_index(tmp_path: Path) -> None:
    backend = WhooshBackend(tmp_path, writable=True)
    backend.upsert(CORPUS)
    backend.close()
    for toc in tmp_path.glob("*.toc"):
        toc.write_bytes(b"damaged")
    with pytest.raises(SearchIndexError, match="eakte search reindex"):
        WhooshBackend(tmp_path)


def test_last_of_a_doc_id_in_one_batch_wins(tmp_path: Path) -> None:
    backend = WhooshBackend(tmp_path, writable=True)
    backend.upsert([doc("x", "erster Entwurf"), doc("x", "zweite Fassung", version_count=2)])
    try:
        assert backend.versions() == {"x": 2}
        found = backend.search(
            parse("Entwurf"),
            orgunits=None,
            sort=Sort.RELEVANCE,
            offset=0,
            limit=10,
            facets=False,
        )
        assert found.total == 0
    finally:
        backend.close()
