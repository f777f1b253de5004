"""`insights serve` in a real process, answered over real HTTP, on the demo warehouse."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import Server
from tests.conftest import run_cli

PROBLEM = "application/problem+json"


def test_health_names_data_end_model_run_and_version(api, served_db):
    r = api.get("/v1/health")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    h = r.json()
    assert h["status"] == "ok" and h["version"] == "0.1.0"
    assert h["dataEnd"] and h["modelRun"]["id"] and h["modelRun"]["packageVersion"]
    assert h["snapshot"]["warehouse"] == str(served_db)


def test_regions_and_zones(api):
    regions = {r["region"]: r for r in api.get("/v1/regions").json()}
    assert regions["Oaxaca"]["gridZone"] == "MX-OR" and regions["Oaxaca"]["hasForecasts"]
    assert regions["Ciudad de México"]["tz"] == "America/Mexico_City"  # accents survive
    # the demo's Mexican grid is CENACE's national mix: every Mexican region is scored on MX
    assert regions["Oaxaca"]["signalZone"] == "MX"
    zones = {z["zone"]: z for z in api.get("/v1/zones").json()}
    assert "Oaxaca" in zones["MX"]["regions"] and zones["MX"]["hasForecast"]
    assert zones["MX"]["latestHour"].endswith("Z")


def test_publish_windows_equals_recommend_json(api, served_db):
    start = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:00:00+00:00")
    cli = run_cli(
        "recommend", "--db", served_db, "--region", "Sonora", "--region", "oaxaca",
        "--energy-weight", "0.6", "--slots", "2", "--from", start, "--format", "json",
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    want = json.loads(cli.stdout)
    r = api.get(
        "/v1/publish-windows",
        params={
            "region": ["Sonora", "oaxaca"],
            "energyWeight": 0.6,
            "slots": 2,
            "from": start,
        },
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert set(got) == set(want)
    assert got["recommendation_run"] is None  # read-only: nothing stored
    assert got["params"] == want["params"]
    assert got["recommendations"] == want["recommendations"]
    assert {x["region"] for x in got["recommendations"]} == {"Sonora", "Oaxaca"}


def test_publish_windows_defaults_are_the_clis(api):
    got = api.get("/v1/publish-windows").json()
    p = got["params"]
    assert (p["energy_weight"], p["slots"], p["window_hours"], p["min_gap_hours"]) == (
        0.25,
        3,
        1,
        12,
    )
    assert (p["hours"], p["horizon_days"], p["signal"]) == ("8-23", 7, "renewable")
    assert len(got["recommendations"]) > 10


def test_energy_now_for_region_and_zone(api):
    r = api.get("/v1/energy/now", params={"region": "Oaxaca", "windowSize": 180})
    assert r.status_code == 200, r.text
    e = r.json()
    assert e["zone"] == e["location"] == "MX"  # national signal (CENACE demo)
    assert e["windowSize"] == 180
    cur = e["current"]
    assert cur["level"] in ("low", "moderate", "high") and cur["ageHours"] >= 0
    assert 0 <= cur["renewablePct"] <= 100 and cur["carbonIntensity"] > 0
    ref = e["levelBasis"]["referenceCarbonIntensity"]
    ratio = cur["carbonIntensity"] / ref
    expect = "low" if ratio <= 0.9 else "high" if ratio >= 1.1 else "moderate"
    assert cur["level"] == expect
    fc = e["forecastData"]
    assert 20 <= len(fc) <= 25 and all(p["duration"] == 60 for p in fc)
    best = e["optimalDataPoint"]
    assert best == e["optimalDataPoints"][0] and best["duration"] == 180
    # the best 3-hour window's mean is the lowest of all 3-hour windows in the range
    vals = [p["value"] for p in fc]
    means = [sum(vals[i : i + 3]) / 3 for i in range(len(vals) - 2)]
    assert best["value"] == pytest.approx(min(means), abs=0.1)
    assert fc[means.index(min(means))]["timestamp"] == best["timestamp"]
    z = api.get("/v1/energy/now", params={"zone": "MX", "windowSize": 180}).json()
    assert z["forecastData"] == fc and z["region"] is None


def test_render_window_equals_cli(api, served_db):
    deadline = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:00")
    cli = run_cli(
        "render-window", "--db", served_db, "--hours", "3", "--kw", "20",
        "--deadline", deadline, "--region", "Sonora", "--json",
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    r = api.get(
        "/v1/render-window", params={"hours": 3, "kw": 20, "deadline": deadline, "region": "Sonora"}
    )
    assert r.status_code == 200, r.text
    assert r.json() == json.loads(cli.stdout)
    assert r.json()["start_local"].endswith("-07:00")  # Sonora's clock, no DST


@pytest.mark.parametrize(
    ("path", "params", "status", "names"),
    [
        ("/v1/publish-windows", {"region": "Atlantis"}, 400, ["region"]),
        ("/v1/publish-windows", {"channel": "myspace"}, 400, ["channel"]),
        ("/v1/publish-windows", {"energyWeight": 1.5}, 400, ["energyWeight"]),
        ("/v1/publish-windows", {"energyWeight": -0.1}, 400, ["energyWeight"]),
        ("/v1/publish-windows", {"energyWeight": "lots"}, 400, ["energyWeight"]),
        ("/v1/publish-windows", {"from": "yesterday"}, 400, ["from"]),
        ("/v1/publish-windows", {"from": "9999-12-31T23:00:00-05:00"}, 400, ["from"]),
        ("/v1/publish-windows", {"horizonDays": 1e9}, 400, ["horizonDays"]),
        ("/v1/publish-windows", {"horizonDays": "inf"}, 400, ["horizonDays"]),
        ("/v1/publish-windows", {"hours": "25-3"}, 400, ["hours"]),
        ("/v1/publish-windows", {"days": "funday"}, 400, ["days"]),
        ("/v1/publish-windows", {"energy_weight": 0.5}, 400, ["energy_weight"]),
        ("/v1/publish-windows", {"from": "2001-01-01"}, 422, ["from", "horizonDays"]),
        ("/v1/energy/now", {"region": "Atlantis"}, 400, ["region"]),
        ("/v1/energy/now", {"zone": "XX-NOPE"}, 400, ["zone"]),
        ("/v1/energy/now", {}, 400, ["zone"]),
        ("/v1/energy/now", {"zone": "MX", "windowSize": 0}, 400, ["windowSize"]),
        ("/v1/energy/now", {"zone": "MX", "dataStartAt": "30/11/2026"}, 400, ["dataStartAt"]),
        (
            "/v1/energy/now",
            {"zone": "MX", "dataStartAt": "2001-01-01"},
            422,
            ["dataStartAt", "dataEndAt"],
        ),
        ("/v1/energy/now", {"zone": "MX", "foo": "bar"}, 400, ["foo"]),
        ("/v1/render-window", {"hours": 3, "kw": 20, "region": "Sonora"}, 400, ["deadline"]),
        (
            "/v1/render-window",
            {"hours": 3, "kw": -1, "deadline": "2100-01-01", "region": "Sonora"},
            400,
            ["kw"],
        ),
        (
            "/v1/render-window",
            {"hours": 3, "kw": 1, "deadline": "2001-01-01T00:00", "region": "Sonora"},
            422,
            ["hours", "deadline"],
        ),
    ],
)
def test_bad_requests_are_problem_documents_naming_the_parameter(api, path, params, status, names):
    r = api.get(path, params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    p = r.json()
    assert p["status"] == status and p["title"] and p["type"] and p["instance"] == path
    assert [x["name"] for x in p["invalidParams"]] == names
    assert "Traceback" not in r.text


def test_unknown_path_and_method_are_problems(api):
    r = api.get("/v1/nowhere")
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    r = api.client.post("/v1/health")
    assert r.status_code == 405 and r.headers["content-type"] == PROBLEM


def test_docs_page_loads_nothing_from_the_network(api):
    page = api.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)""", page.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    for u in urls:
        assert api.get(u).status_code == 200, u
    assert api.get("/openapi.json").json()["paths"]["/v1/energy/now"]


def test_beyond_loopback_needs_a_token(served_db):
    r = run_cli("serve", "--db", served_db, "--host", "0.0.0.0", "--port", "1", timeout=120)
    assert r.returncode == 2 and "INSIGHTS_API_TOKEN" in r.stderr and "Traceback" not in r.stderr


def test_token_is_required_when_set(served_db):
    token = "s3cret-token-for-tests"
    server = Server(served_db, env={"INSIGHTS_API_TOKEN": token})
    try:
        r = server.get("/v1/health")
        assert r.status_code == 401 and r.headers["content-type"] == PROBLEM
        assert r.headers["www-authenticate"] == "Bearer"
        bad = server.get("/v1/health", headers={"Authorization": "Bearer wrong"})
        assert bad.status_code == 401
        ok = server.get("/v1/health", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
    finally:
        server.stop()


def _wait_for(pred, what: str, limit_s: float = 120):
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.5)
    raise AssertionError(f"the API never showed {what}")


EM_HEADER = (
    "Datetime (UTC),Country,Zone name,Zone id,Carbon intensity gCO₂eq/kWh (direct),"
    "Carbon intensity gCO₂eq/kWh (Life cycle),Carbon-free energy percentage (CFE%),"
    "Renewable energy percentage (RE%),Data source,Data estimated,Data estimation method"
)


@pytest.mark.slow
def test_ingest_and_train_succeed_while_it_serves(api, served_db, tmp_path):
    """Last in this module: it changes the served warehouse."""
    run0 = api.get("/v1/health").json()["modelRun"]["id"]
    statuses: list[int] = []
    stop = threading.Event()

    def hammer():
        while not stop.is_set():
            statuses.append(api.get("/v1/energy/now", params={"zone": "MX"}).status_code)
            statuses.append(api.get("/v1/health").status_code)
            time.sleep(0.05)

    t = threading.Thread(target=hammer)
    t.start()
    try:
        f = tmp_path / "chile.csv"
        rows = [
            f"2026-01-01 {h:02d}:00:00,Chile,Chile,CL-SEN,{300 - 5 * h},350,{40 + h},{35 + h},"
            "test,false,"
            for h in range(24)
        ]
        f.write_text(EM_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
        ing = run_cli("ingest", f, "--db", served_db, timeout=600)
        assert ing.returncode == 0, ing.stderr
        _wait_for(
            lambda: "CL-SEN" in {z["zone"] for z in api.get("/v1/zones").json()},
            "the ingested zone",
        )
        tr = run_cli("train", "--db", served_db, "--cutoffs", "1", "--json", timeout=1800)
        assert tr.returncode == 0, tr.stderr
        _wait_for(
            lambda: api.get("/v1/health").json()["modelRun"]["id"] != run0,
            "the new model run",
        )
    finally:
        stop.set()
        t.join()
    assert statuses and set(statuses) == {200}
    new = api.get("/v1/health").json()["modelRun"]["id"]
    assert api.get("/v1/publish-windows", params={"region": "Sonora"}).json()["model_run"] == new
