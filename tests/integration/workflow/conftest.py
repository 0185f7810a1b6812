"""A demo installation with people in Hauptamt (10) and Ordnungsamt (32), the
shipped example workflows loaded, one Vorgang and one inbox document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from eakte import records as svc
from eakte import workflow as wf
from eakte.models import Case, CaseFile
from eakte.records import SYSTEM, Principal, Records, VersionInput, load_principal
from eakte.records._demo import DemoResult

PASSWORD = "ein langes Testpasswort"
# username -> (org unit, roles)
PEOPLE = {
    "reg": ("10", ["registratur"]),
    "anna": ("32", ["sachbearbeitung"]),
    "bernd": ("32", ["sachbearbeitung"]),
    "carla": ("32", ["sachbearbeitung"]),
    "chefin": ("32", ["leitung"]),
    "doppel": ("32", ["sachbearbeitung", "leitung"]),
    "hans": ("10", ["sachbearbeitung"]),
}


@dataclass
class World:
    records: Records
    case: str  # a Vorgang reference in 32
    document_id: str  # an inbox document of 32

    def who(self, username: str) -> Principal:
        with self.records.reading() as session:
            return load_principal(session, username)

    def tasks(
        self, username: str, kind: str = "step", day: date | None = None
    ) -> list[wf.TaskView]:
        """The open tasks of this kind in the person's task list."""
        return [t for t in wf.tasks_for(self.records, self.who(username), day) if t.kind == kind]

    def task(self, username: str, kind: str = "step") -> str:
        """The id of the one open task of this kind in the person's task list."""
        tasks = self.tasks(username, kind)
        assert len(tasks) == 1, tasks
        assert tasks[0].id is not None
        return tasks[0].id

    def document_in(self, orgunit: str, title: str = "Schreiben") -> str:
        """A new inbox document in the Posteingang of ``orgunit``."""
        version = svc.create_document(
            self.records,
            SYSTEM,
            title=title,
            orgunit=orgunit,
            content=f"{title} an die Stadtverwaltung".encode(),
            version=VersionInput(filename="schreiben.txt", media_type="text/plain"),
        )
        return version.document_id

    def case_by(self, username: str, title: str) -> str:
        """A new Vorgang in the Akte of ``world.case``, created (and so owned) by ``username``."""
        with self.records.reading() as session:
            akte = session.scalar(
                select(CaseFile.reference)
                .join(Case, Case.case_file_id == CaseFile.id)
                .where(Case.reference == self.case)
            )
        assert akte is not None
        created = svc.create_case(
            self.records, self.who(username), case_file_reference=akte, title=title
        )
        return created.reference


@pytest.fixture
def world(records: Records, demo: DemoResult) -> World:
    for username, (unit, roles) in PEOPLE.items():
        svc.create_user(
            records, SYSTEM, username=username, display_name=username.title(), password=PASSWORD
        )
        for role in roles:
            svc.grant_role(records, SYSTEM, username=username, orgunit=unit, role=role)
    anna = _principal(records, "anna")
    akte = svc.create_case_file(
        records, anna, plan_code="1.2", title="Sondernutzungen Markt", orgunit="32"
    )
    case = svc.create_case(
        records, anna, case_file_reference=akte.reference, title="Antrag Eiscafé Venezia"
    )
    version = svc.create_document(
        records,
        SYSTEM,
        title="Rechnung 4711",
        orgunit="32",
        content=b"Rechnung Nr. 4711",
        version=VersionInput(filename="rechnung.txt", media_type="text/plain"),
    )
    wf.sync_definitions(records, SYSTEM, wf.shipped_examples())
    return World(records, case.reference, version.document_id)


def _principal(records: Records, username: str) -> Principal:
    with records.reading() as session:
        return load_principal(session, username)
