"""Demo data: a small municipal file plan, org units and an admin account.

The file plan is written for this project (municipal decimal style: ten main
groups, a few groups each with a retention rule); it copies no published plan.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from eakte.models import OrgUnit
from eakte.records._context import Records
from eakte.records._fileplan import create_plan_item
from eakte.records._orgs import create_orgunit, create_user, grant_role
from eakte.records._principal import SYSTEM

ROOT_UNIT = ("VW", "Stadtverwaltung Musterstadt")
ORG_UNITS = [
    ("10", "Hauptamt"),
    ("32", "Ordnungsamt"),
    ("33", "Bürgerbüro"),
    ("63", "Bauordnung"),
    ("70", "Abfallwirtschaft"),
]
# code, title, retention in years (None: unlimited), disposition A/B/V
FILE_PLAN: list[tuple[str, str, int | None, str]] = [
    ("0", "Allgemeine Verwaltung", None, "B"),
    ("0.1", "Organisation und Geschäftsverteilung", 10, "A"),
    ("0.2", "Personalangelegenheiten", 30, "B"),
    ("0.3", "Rat und Ausschüsse", None, "A"),
    ("1", "Sicherheit und Ordnung", None, "B"),
    ("1.1", "Gewerbeangelegenheiten", 10, "B"),
    ("1.2", "Sondernutzung öffentlicher Flächen", 6, "V"),
    ("1.3", "Meldewesen und Ausweise", 5, "V"),
    ("2", "Schulen", None, "B"),
    ("2.1", "Schulentwicklungsplanung", None, "A"),
    ("2.2", "Schülerbeförderung", 5, "V"),
    ("3", "Kultur und Denkmalpflege", None, "B"),
    ("3.1", "Kulturveranstaltungen", 10, "B"),
    ("3.2", "Denkmalschutz", None, "A"),
    ("4", "Soziales", None, "B"),
    ("4.1", "Wohngeld", 10, "V"),
    ("4.2", "Hilfe zum Lebensunterhalt", 10, "V"),
    ("5", "Gesundheit und Sport", None, "B"),
    ("5.1", "Sportstätten", 10, "B"),
    ("5.2", "Gesundheitsschutz", 10, "V"),
    ("6", "Bauen und Wohnen", None, "B"),
    ("6.1", "Bauleitplanung", None, "A"),
    ("6.2", "Baugenehmigungen", 30, "B"),
    ("6.3", "Bauaufsicht und Abbruch", 30, "B"),
    ("7", "Öffentliche Einrichtungen", None, "B"),
    ("7.1", "Abfallentsorgung und Sperrmüll", 10, "V"),
    ("7.2", "Friedhofswesen", 30, "B"),
    ("8", "Wirtschaft und Verkehr", None, "B"),
    ("8.1", "Wirtschaftsförderung", 10, "B"),
    ("8.2", "Verkehrslenkung und Parken", 10, "V"),
    ("9", "Finanzen", None, "B"),
    ("9.1", "Haushaltsplanung", 10, "B"),
    ("9.2", "Steuern und Abgaben", 10, "V"),
    ("9.3", "Stadtkasse", 10, "V"),
]
ADMIN_USER = "admin"


@dataclass(frozen=True)
class DemoResult:
    loaded: bool
    admin_user: str
    admin_password: str | None  # shown once; None when the demo was loaded before


def load_demo(records: Records) -> DemoResult:
    """Load the demo data once; a second call changes nothing."""
    with records.reading() as session:
        if session.scalar(select(OrgUnit).where(OrgUnit.code == ROOT_UNIT[0])) is not None:
            return DemoResult(False, ADMIN_USER, None)
    create_orgunit(records, SYSTEM, code=ROOT_UNIT[0], name=ROOT_UNIT[1])
    for code, name in ORG_UNITS:
        create_orgunit(records, SYSTEM, code=code, name=name, parent=ROOT_UNIT[0])
    for code, title, years, disposition in FILE_PLAN:
        create_plan_item(
            records, SYSTEM, code=code, title=title, retention_years=years, disposition=disposition
        )
    password = secrets.token_urlsafe(12)
    create_user(
        records, SYSTEM, username=ADMIN_USER, display_name="Administrator", password=password
    )
    grant_role(records, SYSTEM, username=ADMIN_USER, orgunit=ROOT_UNIT[0], role="admin")
    return DemoResult(True, ADMIN_USER, password)
