"""Writer and reader stream: objects come from a generator and go out one at a time.

Not a memory measurement (that belongs to benchmarks); these tests show that
the writer has written object n before it asks for object n + 1, that the
reader hands out objects before it has parsed the rest of the file, and that
20,000 documents pass through both.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eakte.export._layout import primary_name
from eakte.export._model import (
    DocumentRecord,
    HistoryEntry,
    MessageHeader,
    PrimaryFile,
    VersionRecord,
)
from eakte.export._xdomea_read import XdomeaError, read_message
from eakte.export._xdomea_write import write_message

T = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
HEADER = MessageHeader(str(uuid.uuid4()), T, "Stadt Musterstadt", None, "Prüfung")


def _document(number: int) -> DocumentRecord:
    document_id = str(uuid.UUID(int=number, version=4))
    name = primary_name(document_id, 1, "original", "brief.pdf", "application/pdf")
    return DocumentRecord(
        id=document_id,
        title=f"Posteingang Nr. {number}",
        created_at=T,
        created_by="poststelle",
        orgunit_code="10",
        orgunit_name="Poststelle",
        history=[HistoryEntry("poststelle", T, "document.created", "Eingegangen")],
        versions=[
            VersionRecord(
                1,
                T,
                "poststelle",
                [PrimaryFile("original", name, "brief.pdf", "application/pdf", "ab" * 32, 9, T)],
            )
        ],
    )


def test_the_writer_writes_each_object_before_it_takes_the_next(tmp_path: Path) -> None:
    path = tmp_path / "message.xml"
    written_before: list[bool] = []

    def documents(out: Path) -> Iterator[DocumentRecord]:
        previous: DocumentRecord | None = None
        for number in range(1, 6):
            if previous is not None:
                written_before.append(previous.id in out.read_text(encoding="utf-8"))
            previous = _document(number)
            yield previous

    with path.open("wb") as out:
        write_message(out, HEADER, documents(path))
    assert written_before == [True] * 4


def test_the_reader_hands_out_objects_before_it_reaches_the_end(tmp_path: Path) -> None:
    path = tmp_path / "message.xml"
    with path.open("wb") as out:
        write_message(out, HEADER, (_document(n) for n in range(1, 2001)))
    with path.open("ab") as damaged:
        damaged.write(b"<broken>")  # after the root: libxml2 notices only at the very end

    _, records = read_message(path)
    first = next(records)
    assert first.title == "Posteingang Nr. 1"
    with pytest.raises(XdomeaError, match="not well-formed"):
        for _ in records:
            pass


@pytest.mark.slow  # a few seconds; on a busy machine up to half a minute
def test_twenty_thousand_documents_pass_through(tmp_path: Path) -> None:
    path = tmp_path / "message.xml"
    count = 20_000
    with path.open("wb") as out:
        write_message(out, HEADER, (_document(n) for n in range(1, count + 1)))

    header, records = read_message(path)
    seen = 0
    last: object = None
    for record in records:
        seen += 1
        last = record
    assert header == HEADER
    assert seen == count
    assert last == _document(count)
