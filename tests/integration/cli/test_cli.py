"""The command line: happy path on a fresh data dir, and one-line errors on bad input."""

from __future__ import annotations

import base64
import os
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from eakte.cli import main
from eakte.config import load_settings
from eakte.exceptions import SigningKeyError
from eakte.records import SYSTEM, Records, VersionInput, create_document
from eakte.storage import ObjectKind
from tests.conftest import TEST_PASSPHRASE


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"EAKTE_DATA_DIR": str(tmp_path / "var"), "EAKTE_KEY_PASSPHRASE": TEST_PASSPHRASE}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def one_line_error(result: Result) -> str:
    assert result.exit_code not in (0, None), result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.fixture
def ready(env: dict[str, str]) -> dict[str, str]:
    assert run(env, "db", "upgrade").exit_code == 0
    assert run(env, "keys", "init").exit_code == 0
    assert run(env, "demo").exit_code == 0
    return env


def test_first_start_sequence(env: dict[str, str]) -> None:
    assert "up to date" in run(env, "db", "upgrade").output
    assert re.search(r"Signing key [0-9a-f]{32} created", run(env, "keys", "init").output)
    assert run(env, "keys", "init", "--exists-ok").exit_code == 0
    demo = run(env, "demo")
    assert re.search(r"Log in as 'admin' with password: \S{12,}", demo.output)
    assert "loaded already" in run(env, "demo").output
    assert "32" in run(env, "orgunits", "list").output
    assert run(env, "casefiles", "add", "1.2", "Markt", "--orgunit", "32").output.startswith("1.2-")
    assert run(env, "verify").exit_code == 0


def test_invalid_reference(ready: dict[str, str]) -> None:
    result = run(ready, "casefiles", "add", "1.2", "x", "--orgunit", "32", "--reference", "17")
    assert "does not match the pattern" in one_line_error(result)


def test_unknown_orgunit(ready: dict[str, str]) -> None:
    result = run(ready, "casefiles", "add", "1.2", "x", "--orgunit", "99")
    assert "Unknown org unit '99'" in one_line_error(result)


def test_wrong_key_passphrase(ready: dict[str, str]) -> None:
    result = run({**ready, "EAKTE_KEY_PASSPHRASE": "wrong"}, "keys", "rotate")
    assert "passphrase is wrong" in one_line_error(result)
    assert result.exit_code == 7


def test_wrong_passphrase_stores_nothing(ready: dict[str, str]) -> None:
    settings = load_settings(
        data_dir=Path(ready["EAKTE_DATA_DIR"]), key_passphrase="wrong passphrase"
    )
    records = Records(settings)
    with pytest.raises(SigningKeyError):
        create_document(
            records, SYSTEM, title="t", orgunit="32", content=b"x", version=VersionInput("x")
        )
    assert list(records.store.iter_objects(ObjectKind.CONTENT)) == []
    records.close()


def test_unreachable_s3(ready: dict[str, str]) -> None:
    env = {**ready, "EAKTE_STORAGE_BACKEND": "s3", "EAKTE_S3_ENDPOINT": "127.0.0.1:9"}
    result = run(env, "verify")
    assert "Cannot reach the S3 server at 127.0.0.1:9" in one_line_error(result)


def test_unwritable_data_dir(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        blocker = tmp_path / "a-file"
        blocker.write_text("")
        data_dir = blocker / "var"  # root ignores permissions, not a file in the way
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        data_dir = locked / "var"
    result = run({"EAKTE_DATA_DIR": str(data_dir)}, "db", "upgrade")
    assert "is not writable" in one_line_error(result)
    assert not data_dir.exists()


def test_invalid_setting() -> None:
    result = run({"EAKTE_PORT": "not-a-port"}, "serve")
    assert "EAKTE_PORT" in one_line_error(result)


def test_unmigrated_database(env: dict[str, str]) -> None:
    result = run(env, "demo")
    assert "eakte db upgrade" in one_line_error(result)


@pytest.mark.integration
def test_openssl_verifies_a_version_signature(ready: dict[str, str], tmp_path: Path) -> None:
    """An auditor needs only the exported public key, the stored manifest and openssl."""
    records = Records(
        load_settings(data_dir=Path(ready["EAKTE_DATA_DIR"]), key_passphrase=TEST_PASSPHRASE)
    )
    version = create_document(
        records,
        SYSTEM,
        title="Bescheid",
        orgunit="63",
        content=b"Bescheid vom 3.12.2024",
        version=VersionInput(filename="bescheid.txt", media_type="text/plain"),
    )
    pub = tmp_path / "pub.pem"
    assert run(ready, "keys", "export-public", version.key_id, "-o", str(pub)).exit_code == 0
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(records.store.read_bytes(ObjectKind.MANIFEST, version.manifest_sha256))
    signature = tmp_path / "manifest.sig"
    signature.write_bytes(base64.b64decode(version.signature))
    command = [
        "openssl",
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        str(pub),
        "-rawin",
        "-in",
        str(manifest),
        "-sigfile",
        str(signature),
    ]
    ok = subprocess.run(command, capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and "Signature Verified Successfully" in ok.stdout
    manifest.write_bytes(manifest.read_bytes().replace(b"bescheid.txt", b"beschied.txt"))
    bad = subprocess.run(command, capture_output=True, text=True, check=False)
    assert bad.returncode != 0
    records.close()


def test_fileplan_import_is_all_or_nothing(ready: dict[str, str], tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "code;title;retention;disposition\n6.2.1;Bauvoranfragen;10;V\n6.2.2;Kaputt;zehn;V\n",
        encoding="utf-8",
    )
    refused = run(ready, "fileplan", "import", str(plan))
    assert refused.exit_code == 8
    assert "line 3" in refused.output and "'zehn'" in refused.output
    assert "6.2.1" not in run(ready, "fileplan", "list").output
    plan.write_text("6.2.1;Bauvoranfragen;10;V\n", encoding="utf-8")  # no header: fine
    assert "Imported 1 file plan items" in run(ready, "fileplan", "import", str(plan)).output
    again = run(ready, "fileplan", "import", str(plan)).output
    assert "Imported 0 file plan items (1 existed already" in again
