"""Every backend gets the same documents and must give the same answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from eakte.search._model import Backend, IndexDoc

BACKENDS = ["tantivy", "whoosh"]


def open_backend(name: str, path: Path) -> Backend:
    if name == "tantivy":
        from eakte.search._tantivy import TantivyBackend

        return TantivyBackend(path, writable=True)
    from eakte.search._whoosh import WhooshBackend

    return WhooshBackend(path, writable=True)


def doc(doc_id: str, text: str, **fields: object) -> IndexDoc:
    values: dict[str, object] = {
        "title": "",
        "orgunit": "32",
        "orgunit_id": "ou-32",
        "received": datetime(2024, 12, 5, 9, 0, tzinfo=UTC),
        "version_count": 1,
    }
    values.update(fields)
    return IndexDoc(doc_id=doc_id, text=text, **values)  # type: ignore[arg-type]


CORPUS = [
    doc(
        "antrag",
        "Hiermit beantrage ich die Sondernutzung des Gehwegs vor dem Grundstück "
        "Schloßstraße 12 für ein Baugerüst. Die Anträge liegen bei.",
        title="Antrag auf Sondernutzung",
        reference="32.10.05-0815/2024-3",
        case_file_reference="32.10.05-0815/2024",
        plan_code="32.10.05",
        doc_type="Antrag",
        sender="Jürgen Weißmüller",
        document_date=date(2024, 12, 3),
    ),
    doc(
        "laerm",
        "Beschwerde über Lärm der Baustelle in der Lindenallee. Die Sperrmüllabfuhr war zu laut.",
        title="Beschwerde Lärm",
        reference="60.2-123/24",
        plan_code="60.2",
        doc_type="Beschwerde",
        sender="Erika Mueller",
        orgunit="60",
        orgunit_id="ou-60",
        document_date=date(2024, 11, 2),
        received=datetime(2024, 11, 4, 8, 0, tzinfo=UTC),
    ),
    doc(
        "rechnung",
        "Rechnung Nr. 2024-118 über die Genehmigungsgebühr für den Antrag. "
        "Zahlbar bis 20.12.2024. Strasse: Marktplatz 1.",
        title="Rechnung Genehmigungsgebühr",
        doc_type="Rechnung",
        sender="Stadtwerke Musterstadt GmbH",
        document_date=date(2023, 5, 10),
        received=datetime(2023, 5, 12, 8, 0, tzinfo=UTC),
        state="abgelegt",
        case_file_id="cf-1",
    ),
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    engine = open_backend(request.param, tmp_path / request.param)
    engine.upsert(CORPUS)
    yield engine
    engine.close()


Search = Callable[..., list[str]]
