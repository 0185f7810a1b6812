"""``eakte audit`` on SQLite and PostgreSQL: filters by actor, object, action and
time, CSV and JSON output, paging past one query page, who sees what, bad input."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner, Result

from eakte.cli import main
from eakte.config import Settings
from eakte.records import (
    SYSTEM,
    Records,
    VersionInput,
    create_case_file,
    create_document,
    create_user,
    grant_role,
    load_principal,
)
from eakte.records._audit_query import MAX_LIMIT
from eakte.records._demo import DemoResult
from tests.conftest import TEST_PASSPHRASE

PASSWORD = "ein langes Testpasswort"
KEYS = ["seq", "occurred_at", "actor", "action", "object_type", "object_id", "details"]


@dataclass(frozen=True)
class World:
    env: dict[str, str]
    akte32: str  # Aktenzeichen in the Ordnungsamt (32)
    akte63: str  # Aktenzeichen in the Bauordnung (63)
    akte63_id: str
    doc32: str  # filed by anna in akte32
    doc63: str


@pytest.fixture
def world(records: Records, settings: Settings, demo: DemoResult) -> World:
    for name, unit, role in (
        ("anna", "32", "sachbearbeitung"),
        ("bernd", "63", "sachbearbeitung"),
        ("pruefer", "10", "auditor"),
    ):
        create_user(records, SYSTEM, username=name, display_name=name.title(), password=PASSWORD)
        grant_role(records, SYSTEM, username=name, orgunit=unit, role=role)
    with records.reading() as session:
        anna = load_principal(session, "anna")
    akte32 = create_case_file(records, anna, plan_code="1.2", title="Markt", orgunit="32")
    akte63 = create_case_file(records, SYSTEM, plan_code="6.2", title="Neubau", orgunit="63")
    doc32 = create_document(
        records,
        anna,
        title="Antrag Marktstand",
        orgunit="32",
        content=b"Antrag",
        version=VersionInput("antrag.txt", "text/plain"),
        case_file=akte32.reference,
    )
    doc63 = create_document(
        records,
        SYSTEM,
        title="Bauantrag",
        orgunit="63",
        content=b"Bauantrag",
        version=VersionInput("bauantrag.txt", "text/plain"),
        case_file=akte63.reference,
    )
    env = {
        "EAKTE_DATA_DIR": str(settings.data_dir),
        "EAKTE_DATABASE_URL": settings.resolved_database_url,
        "EAKTE_KEY_PASSPHRASE": TEST_PASSPHRASE,
    }
    return World(
        env, akte32.reference, akte63.reference, akte63.id, doc32.document_id, doc63.document_id
    )


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, ["audit", *args], env=env, catch_exceptions=False)


def events(world: World, *args: str) -> list[dict[str, Any]]:
    result = run(world.env, *args, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert isinstance(data, list)
    return data


def one_line_error(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def test_filters_by_actor_object_and_action(world: World) -> None:
    by_anna = events(world, "--actor", "anna")
    assert by_anna and {e["actor"] for e in by_anna} == {"user:anna"}
    assert {e["action"] for e in by_anna} >= {"casefile.created", "document.created"}
    assert events(world, "--actor", "user:anna") == by_anna

    akte = events(world, "--object", world.akte63)  # an Aktenzeichen
    assert [(e["object_type"], e["object_id"]) for e in akte] == [("casefile", world.akte63_id)]
    assert events(world, "--object", world.akte63_id) == akte  # the same by id

    document = events(world, "--object", world.doc32)
    assert document and {e["object_id"] for e in document} == {world.doc32}

    documents = events(world, "--action", "document")
    assert {e["action"].split(".")[0] for e in documents} == {"document"}
    assert {world.doc32, world.doc63} <= {e["object_id"] for e in documents}
    assert events(world, "--action", "document.created", "--actor", "system") == [
        e for e in documents if e["action"] == "document.created" and e["actor"] == "system"
    ]
    case_files = events(world, "--object-type", "casefile")
    assert len(case_files) == 2 and {e["object_type"] for e in case_files} == {"casefile"}


def test_time_range(world: World, records: Records) -> None:
    everything = events(world)
    moment = datetime.now(UTC)
    with records.transaction() as session:
        records.audit.append(
            session, actor="system", action="test.marker", object_type="test", object_id="x"
        )
    after = events(world, "--since", moment.isoformat())
    assert [e["action"] for e in after] == ["test.marker"]
    assert events(world, "--until", moment.isoformat()) == everything
    assert len(events(world, "--since", "2000-01-01")) == len(everything) + 1
    assert events(world, "--until", "31.12.1999") == []
    assert events(world, "--since", "2999-01-01") == []
    assert len(events(world, "--since", "2000-01-01T00:00")) == len(everything) + 1  # Berlin


def test_json_shape(world: World) -> None:
    data = events(world, "--limit", "5")
    assert len(data) == 5
    for entry in data:
        assert list(entry) == KEYS
        assert isinstance(entry["seq"], int) and isinstance(entry["details"], dict)
        assert datetime.fromisoformat(entry["occurred_at"]).tzinfo is not None
    assert [e["seq"] for e in data] == sorted((e["seq"] for e in data), reverse=True)
    format_option = run(world.env, "--format", "json", "--limit", "5")
    assert json.loads(format_option.output) == data


def test_csv_parses_with_the_csv_module(world: World) -> None:
    result = run(world.env, "--csv", "--actor", "anna")
    assert result.exit_code == 0, result.output
    reader = csv.DictReader(io.StringIO(result.output, newline=""))
    assert reader.fieldnames == KEYS
    rows = list(reader)
    expected = events(world, "--actor", "anna")
    assert len(rows) == len(expected)
    for row, entry in zip(rows, expected, strict=True):
        assert int(row["seq"]) == entry["seq"] and row["action"] == entry["action"]
        assert json.loads(row["details"]) == entry["details"]
    assert run(world.env, "--format", "csv", "--actor", "anna").output == result.output


def test_pages_past_one_query(world: World, records: Records) -> None:
    count = MAX_LIMIT + 5
    with records.transaction() as session:
        for n in range(count):
            records.audit.append(
                session,
                actor="system",
                action="test.bulk",
                object_type="test",
                object_id=str(n),
                details={"n": n},
            )
    rows = list(csv.DictReader(io.StringIO(run(world.env, "--action", "test", "--csv").output)))
    seqs = [int(row["seq"]) for row in rows]
    assert len(seqs) == count and seqs == sorted(set(seqs), reverse=True)
    limited = events(world, "--action", "test.bulk", "--limit", str(MAX_LIMIT + 2))
    assert [e["seq"] for e in limited] == seqs[: MAX_LIMIT + 2]
    table = run(world.env, "--action", "test.bulk").output.splitlines()
    assert len(table) == 1 + 50 + 1 and "more match" in table[-1]


def test_plain_table(world: World) -> None:
    lines = run(world.env, "--object", world.akte32).output.splitlines()
    assert lines[0].split() == ["Seq", "Time", "(Berlin)", "Actor", "Action", "Object", "Details"]
    assert len(lines) == 2 and "casefile.created" in lines[1]
    assert lines[0].index("Actor") == lines[1].index("user:anna")  # aligned columns
    assert run(world.env, "--since", "2999-01-01").output.splitlines() == [
        "No audit events match."  # no table header above it
    ]


def test_sachbearbeiter_sees_only_their_department(world: World) -> None:
    seen = events(world, "--as", "anna")
    ids = {e["object_id"] for e in seen}
    assert world.doc32 in ids
    assert world.doc63 not in ids and world.akte63_id not in ids
    assert {e["object_type"] for e in seen} <= {"document", "casefile", "case"}
    assert events(world, "--as", "anna", "--object", world.akte63) == []
    assert events(world, "--as", "anna", "--object", world.doc63) == []
    hidden = run(world.env, "--as", "anna", "--object-type", "document", "--object", world.doc63)
    assert "There is no document" in one_line_error(hidden, 8)
    assert events(world, "--as", "bernd", "--object", world.doc63)

    audited = {e["object_id"] for e in events(world, "--as", "pruefer")}
    assert {world.doc32, world.doc63, world.akte63_id} <= audited
    assert len(events(world, "--as", "pruefer")) == len(events(world))


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--as", "nobody"], 9, "Unknown or inactive user 'nobody'"),
        (["--actor", "nobody"], 8, "Unknown actor 'nobody'"),
        (["--since", "31.02.2026"], 8, "is no date or time"),
        (["--until", "gestern"], 8, "is no date or time"),
        (["--since", "2026-02-01", "--until", "2026-01-01"], 8, "is not before --until"),
        (["--limit", "0"], 8, "--limit must be 1 or more"),
        (["--json", "--csv"], 8, "Choose one output format"),
        (["--format", "table", "--json"], 8, "Choose one output format"),
    ],
)
def test_bad_input_is_a_one_line_error(
    world: World, args: list[str], code: int, words: str
) -> None:
    assert words in one_line_error(run(world.env, *args), code)


def test_reference_of_another_kind(world: World) -> None:
    result = run(world.env, "--object", world.akte32, "--object-type", "document")
    assert "is a casefile, not a document" in one_line_error(result, 8)
