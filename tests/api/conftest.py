"""A real `insights serve` process on a free loopback port, over a copy of the demo warehouse."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import INSIGHTS, ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, db: Path, env: dict | None = None, host: str = "127.0.0.1") -> None:
        self.db, self.port = db, free_port()
        self.url = f"http://{host}:{self.port}"
        self.proc = subprocess.Popen(
            [*INSIGHTS, "serve", "--db", str(db), "--host", host, "--port", str(self.port)],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.client = httpx.Client(base_url=self.url, timeout=120)
        deadline = time.monotonic() + 300  # a shared 2-core machine can be slow to start
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stdout.read()}")
            try:
                self.client.get("/openapi.json")
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("server did not start") from None
                time.sleep(0.3)

    def get(self, path: str, **kw) -> httpx.Response:
        return self.client.get(path, **kw)

    def stop(self) -> str:
        self.client.close()
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out or ""


@pytest.fixture(scope="session")
def served_db(trained_db, tmp_path_factory) -> Path:
    """A copy of the trained demo warehouse that the API tests may write to."""
    d = tmp_path_factory.mktemp("served")
    shutil.copy(trained_db, d / "wh.duckdb")
    return d / "wh.duckdb"


@pytest.fixture(scope="session")
def api(served_db):
    server = Server(served_db)
    yield server
    log = server.stop()
    assert "Traceback" not in log, log
