"""A local API that a web page cannot reach and a client cannot exhaust (a real server)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from pathlib import Path

import duckdb
import httpx
import pytest

from insights.api.app import _Cache
from tests.conftest import INSIGHTS, ROOT, run_cli

TOKEN = "s3cret-token-for-tests"
GOOD = "timestamp,region,channel,views,engagements\n2026-03-01T10:00:00Z,Jalisco,tiktok,10,2\n"


@pytest.fixture(scope="module")
def small_db(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("api")
    (d / "a.csv").write_text(GOOD)
    assert run_cli("ingest", d / "a.csv", "--db", d / "wh.duckdb").returncode == 0
    # a zone this machine does not know, as a bad INSIGHTS_REGIONS saved by an older version
    con = duckdb.connect(str(d / "wh.duckdb"))
    con.execute("UPDATE regions SET tz = 'Mars/Olympus_Mons' WHERE region = 'Sonora'")
    con.close()
    return d / "wh.duckdb"


class Served:
    """`insights serve --port 0`; the address is read from its ready line."""

    def __init__(self, db: Path, *args: str, env: dict | None = None) -> None:
        self.proc = subprocess.Popen(
            [*INSIGHTS, "serve", "--db", str(db), "--port", "0", *args],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stderr.readline()
        m = re.search(r"http://(\S+?)/v1/health", line)
        assert m, line + (self.proc.stderr.read() if self.proc.poll() is not None else "")
        self.hostport = m.group(1)
        self.port = int(self.hostport.rsplit(":", 1)[1])
        self.url = f"http://{self.hostport}"

    def get(self, path: str, **kw) -> httpx.Response:
        return httpx.get(self.url + path, timeout=120, **kw)

    def stop(self) -> str:
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err or ""


@pytest.fixture(scope="module")
def guarded(small_db):
    s = Served(
        small_db,
        "--max-connections",
        "20",
        "--request-timeout",
        "2",
        env={"INSIGHTS_API_TOKEN": TOKEN},
    )
    yield s
    err = s.stop()
    assert "Traceback" not in err and "Too many open files" not in err, err


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_only_the_bound_host_names_are_answered(guarded):
    p = guarded.port
    for host in (f"127.0.0.1:{p}", f"localhost:{p}", "localhost", f"[::1]:{p}"):
        r = guarded.get("/v1/health", headers={**AUTH, "Host": host})
        assert r.status_code == 200, host
    for host in (f"evil.example:{p}", "rebind.attacker.test", f"127.0.0.1.nip.io:{p}", ""):
        r = guarded.get("/v1/health", headers={**AUTH, "Host": host})
        assert r.status_code == 421, host
        assert r.json()["type"] == "urn:insights:problem:host-not-allowed"


def test_bearer_scheme_is_case_insensitive_and_docs_need_the_token(guarded):
    for scheme in ("Bearer", "bearer", "BEARER"):
        r = guarded.get("/v1/health", headers={"Authorization": f"{scheme} {TOKEN}"})
        assert r.status_code == 200, scheme
    assert guarded.get("/v1/health", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    for path in ("/openapi.json", "/docs"):
        assert guarded.get(path).status_code == 401, path
        assert guarded.get(path, headers=AUTH).status_code == 200, path
    assert guarded.get("/docs-static/swagger-ui.css").status_code == 200  # a library's file


def test_idle_and_half_sent_connections_are_bounded(guarded):
    """70 connections that never finish a request (cap 20, 2 s to send a request): the
    health check is still answered, and the server closes every one of them."""
    socks = []
    for i in range(70):
        s = socket.create_connection(("127.0.0.1", guarded.port), timeout=120)
        if i % 2:
            s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never ends
        socks.append(s)
    r = guarded.get("/v1/health", headers=AUTH)
    assert r.status_code == 200
    closed = 0
    for s in socks:
        try:
            got = s.recv(1024)
        except (ConnectionResetError, TimeoutError):
            got = b""
        closed += got == b""
        s.close()
    assert closed == 70
    assert guarded.get("/v1/health", headers=AUTH).status_code == 200


@pytest.mark.parametrize("token", ["ñandú-secreto-largo-123", " " * 20, "token with spaces ok?"])
def test_a_token_no_client_can_send_is_refused_at_start(small_db, token):
    r = run_cli("serve", "--db", small_db, "--port", "0", env={"INSIGHTS_API_TOKEN": token})
    assert r.returncode == 2 and "visible ASCII" in r.stderr and "Traceback" not in r.stderr


def test_port_in_use_is_one_line_exit_2_without_a_ready_line(small_db):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run_cli("serve", "--db", small_db, "--port", port, timeout=120)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == [
        f"insights serve: error: 127.0.0.1:{port}: the port is in use by another program; "
        "pick another with --port"
    ]


def test_ipv6_loopback_in_brackets(small_db):
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    s = Served(small_db, "--host", "[::1]")
    try:
        assert s.hostport.startswith("[::1]:")
        assert s.get("/v1/health").status_code == 200
    finally:
        assert "Traceback" not in s.stop()


def test_answer_cache_is_bounded_by_bytes():
    from fastapi.responses import Response

    cache = _Cache(size=512, max_bytes=10_000)
    for i in range(60):
        cache.get_or(i, lambda: Response(b"x" * 2_000, media_type="application/json"))
    assert cache.bytes <= 10_000 and sum(map(len, cache.d.values())) == cache.bytes
    big = cache.get_or("big", lambda: Response(b"y" * 6_000, media_type="application/json"))
    assert big.body == b"y" * 6_000 and "big" not in cache.d  # served, not kept


def test_health_names_what_the_api_cannot_answer(guarded):
    h = guarded.get("/v1/health", headers=AUTH).json()
    assert {"region": "Sonora", "reason": "tz 'Mars/Olympus_Mons' is not an IANA time zone"} in (
        h["unanswerable"]
    )
