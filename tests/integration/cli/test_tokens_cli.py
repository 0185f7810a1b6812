"""``eakte tokens``: create (printed once), list by prefix, revoke; one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from eakte.cli import main
from eakte.config import load_settings
from eakte.exceptions import AuthenticationFailed
from eakte.records import Records, authenticate_token
from tests.conftest import TEST_PASSPHRASE


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {"EAKTE_DATA_DIR": str(tmp_path / "var"), "EAKTE_KEY_PASSPHRASE": TEST_PASSPHRASE}
    for args in (["db", "upgrade"], ["keys", "init"], ["demo"]):
        assert run(env, *args).exit_code == 0
    return env


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_create_list_and_revoke(env: dict[str, str], tmp_path: Path) -> None:
    created = run(env, "tokens", "create", "admin", "--name", "Fachverfahren", "--json")
    assert created.exit_code == 0, created.output
    token = json.loads(created.output)
    assert token["token"].startswith(token["prefix"]) and token["active"]
    listed = run(env, "tokens", "list")
    assert f"{token['prefix']}…" in listed.output and token["token"] not in listed.output
    records = Records(load_settings(data_dir=tmp_path / "var", key_passphrase=TEST_PASSPHRASE))
    try:
        assert authenticate_token(records, token["token"]).name == "admin"
        assert "revoked" in run(env, "tokens", "revoke", token["id"]).output
        with pytest.raises(AuthenticationFailed):
            authenticate_token(records, token["token"])
    finally:
        records.close()
    (row,) = json.loads(run(env, "tokens", "list", "--user", "admin", "--json").output)
    assert row["revoked_at"] and not row["active"]


def test_errors_are_one_line(env: dict[str, str]) -> None:
    for args in (
        ("tokens", "create", "nobody", "--name", "x"),
        ("tokens", "create", "admin", "--name", " "),
        ("tokens", "create", "admin", "--name", "x", "--expires", "2000-01-01"),
        ("tokens", "revoke", "no-such-id"),
    ):
        result = run(env, *args)
        assert result.exit_code == 8, (args, result.output)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
