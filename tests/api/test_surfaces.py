"""What an integrator sees: one clock for a deadline without offset, zones and regions as
listed, rounded numbers, problem documents for values typed as people type them, and the
data's age from now. A real `insights serve` over the demo warehouse, and the real CLI."""

from __future__ import annotations

import json
import shutil
import socket
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import Server
from tests.conftest import run_cli

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def served_db(small_trained_db, tmp_path_factory):
    d = tmp_path_factory.mktemp("served-surfaces")
    shutil.copy(small_trained_db, d / "wh.duckdb")
    return d / "wh.duckdb"


@pytest.fixture(scope="module")
def api(served_db):
    server = Server(served_db)
    yield server
    log = server.stop()
    assert "Traceback" not in log, log


def _naive_deadline(days: int = 3) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:00")


def test_deadline_without_offset_is_the_zones_local_time_on_cli_and_api(api, served_db):
    naive = _naive_deadline()
    sonora_utc = (datetime.fromisoformat(naive) + timedelta(hours=7)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )  # Sonora: UTC-7 all year
    cli = run_cli(
        "render-window", "--db", served_db, "--hours", "3", "--kw", "20",
        "--deadline", naive, "--region", "Sonora", "--json",
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    out = json.loads(cli.stdout)
    assert out["deadline_utc"] == sonora_utc
    assert out["deadline_local"] == f"{naive}:00-07:00" and out["tz"] == "America/Hermosillo"
    r = api.get(
        "/v1/render-window", params={"hours": 3, "kw": 20, "deadline": naive, "region": "Sonora"}
    )
    assert r.status_code == 200, r.text
    assert r.json() == out
    # an offset is taken as given, on both surfaces
    given = api.get(
        "/v1/render-window",
        params={"hours": 3, "kw": 20, "deadline": f"{naive}Z", "region": "Sonora"},
    ).json()
    assert given["deadline_utc"] == f"{naive}:00Z"
    text = run_cli(
        "render-window", "--db", served_db, "--hours", "3", "--kw", "20",
        "--deadline", naive, "--region", "Sonora",
    )  # fmt: skip
    assert f"deadline {naive}:00-07:00 (America/Hermosillo)" in text.stdout
    assert "local time of the --zone or --region" in run_cli("render-window", "--help").stdout


def test_a_regions_own_zone_is_accepted_where_the_national_signal_serves_it(api):
    regions = {r["region"]: r for r in api.get("/v1/regions").json()}
    assert regions["Ciudad de México"]["gridZone"] == "MX-CE"
    r = api.get("/v1/energy/now", params={"zone": "MX-CE"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["zone"] == "MX" and body["ownZone"] == "MX-CE" and body["nationalSignal"]
    same = api.get("/v1/energy/now", params={"region": "Ciudad de México"}).json()
    assert same["forecastData"] == body["forecastData"] and same["ownZone"] == "MX-CE"
    assert api.get("/v1/energy/now", params={"zone": "MX-NOPE"}).status_code == 400


def test_regions_list_the_states_not_the_country_beside_them(api):
    mx = [r["region"] for r in api.get("/v1/regions").json() if r["country"] == "MX"]
    assert "México" not in mx and "Estado de México" in mx and len(mx) == 32


def _floats(obj):
    if isinstance(obj, float):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _floats(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _floats(v)


def test_every_number_is_rounded(api):
    for path, params in (
        ("/v1/publish-windows", {"slots": 2}),
        ("/v1/energy/now", {"zone": "MX", "windowSize": 180}),
        ("/v1/render-window", {"hours": 3, "kw": 7.5, "deadline": _naive_deadline(), "zone": "MX"}),
    ):
        body = api.get(path, params=params).json()
        long = [v for v in _floats(body) if round(v, 4) != v]
        assert not long, (path, long[:5])


def _raw(api, target: bytes) -> tuple[str, dict, str]:
    with socket.create_connection(("127.0.0.1", api.port), timeout=60) as s:
        s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return lines[0], {k.lower(): v for k, v in headers.items()}, body.decode("utf-8")


def test_values_typed_as_people_type_them_get_a_problem_document(api):
    for target in (
        "/v1/publish-windows?region=Ciudad de México".encode(),  # a space and an accent
        "/v1/publish-windows?region=Querétaro".encode(),  # an accent, raw UTF-8
    ):
        status, headers, body = _raw(api, target)
        assert " 400 " in status, status
        assert headers["content-type"] == PROBLEM
        doc = json.loads(body)
        assert doc["status"] == 400 and "--data-urlencode" in doc["detail"]
    # encoded as the docs say, the same value is answered
    ok = api.get("/v1/publish-windows", params={"region": "Ciudad de México", "slots": 1})
    assert ok.status_code == 200 and ok.json()["recommendations"][0]["region"] == "Ciudad de México"


def test_data_age_is_measured_from_now_not_from_the_horizon_start(api):
    now = api.get("/v1/publish-windows", params={"slots": 1}).json()
    later = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:00:00Z")
    ahead = api.get("/v1/publish-windows", params={"slots": 1, "from": later}).json()
    assert abs(ahead["data_age_hours"] - now["data_age_hours"]) <= 0.2
    end = datetime.fromisoformat(now["data_end"].replace("Z", "+00:00"))
    expected = (datetime.now(UTC) - end).total_seconds() / 3600
    assert abs(now["data_age_hours"] - expected) <= 0.5
