"""`/v1/variant` and `/v1/footprint` on a real `insights serve` over the trained demo
warehouse (the session's server, tests/api/conftest.py)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

PROBLEM = "application/problem+json"


def test_variant_now_at_the_measured_hour_has_the_energy_now_level(api):
    now = api.get("/v1/energy/now", params={"region": "Oaxaca"}).json()
    cur = now["current"]
    r = api.get(
        "/v1/variant",
        params={"region": "oaxaca", "channel": "YouTube", "at": cur["timestamp"]},
    )
    assert r.status_code == 200, r.text
    v = r.json()
    assert v["region"] == "Oaxaca" and v["zone"] == "MX" and v["channel"] == "YouTube"
    assert v["signal"] == "measured" and v["hour"] == cur["timestamp"]
    assert v["gridLevel"] == cur["level"]
    assert v["carbonIntensity"] == pytest.approx(cur["carbonIntensity"], abs=0.11)
    basis = v["levelBasis"]
    assert (basis["lowAtOrBelowRatio"], basis["highAtOrAboveRatio"]) == (0.9, 1.1)
    assert basis["referenceCarbonIntensity"] == now["levelBasis"]["referenceCarbonIntensity"]
    assert v["variant"]["name"] in {a["name"] for a in v["alternatives"]}
    assert v["factorSet"]["source"] and v["why"].startswith("MX at ")
    # default weight 0.25 with a 0.9 floor: the still is never allowed
    assert [a["allowed"] for a in v["alternatives"]] == [True, True, False]


def test_variant_follows_the_weight_and_the_floor(api):
    fc = api.get("/v1/energy/now", params={"zone": "MX"}).json()["forecastData"]
    ref = api.get("/v1/energy/now", params={"zone": "MX"}).json()["levelBasis"][
        "referenceCarbonIntensity"
    ]
    dirtiest = max(fc, key=lambda p: p["value"])
    q = {"region": "Jalisco", "at": dirtiest["timestamp"]}
    full = api.get("/v1/variant", params={**q, "energyWeight": 0}).json()
    assert full["variant"]["name"] == "1080p" and full["signal"] in {"forecast", "measured"}
    light = api.get("/v1/variant", params={**q, "energyWeight": 1, "floor": 0}).json()
    assert light["variant"]["name"] == "imagen fija"  # the lightest, nothing protected
    floored = api.get("/v1/variant", params={**q, "energyWeight": 1, "floor": 0.9}).json()
    assert floored["variant"]["name"] == "480p"
    expect = dirtiest["value"] / ref
    level = "low" if expect <= 0.9 else "high" if expect >= 1.1 else "moderate"
    assert full["gridLevel"] == level


@pytest.mark.parametrize(
    ("params", "status", "names"),
    [
        ({}, 400, ["region"]),
        ({"region": "Atlantis"}, 400, ["region"]),
        ({"region": "Jalisco", "energyWeight": 2}, 400, ["energyWeight"]),
        ({"region": "Jalisco", "floor": "x"}, 400, ["floor"]),
        ({"region": "Jalisco", "factorSet": "swd-v3"}, 400, ["factorSet"]),
        ({"region": "Jalisco", "at": "2001-01-01T00:00Z"}, 422, None),
    ],
)
def test_variant_bad_requests_are_problems(api, params, status, names):
    r = api.get("/v1/variant", params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    p = r.json()
    assert p["status"] == status and p["instance"] == "/v1/variant"
    if names:
        assert [x["name"] for x in p["invalidParams"]] == names


def test_footprint_answers_the_cli_ledger(api, served_db):
    q = {"campaign": "música", "days": 2, "limit": 5, "offset": 3}
    r = api.get("/v1/footprint", params=q)
    assert r.status_code == 200, r.text
    body = r.json()
    s = body["summary"]
    assert s["campaign"] == "música" and set(s["totals"]) == {"iab-europe", "swd-v4"}
    assert len(body["rows"]) == 5 and body["offset"] == 3 and body["totalRows"] > 5
    row = body["rows"][0]
    assert row["factor_set"] == "iab-europe" and row["campaign"] == "música"
    assert row["grid_signal"] in {"hourly_zone", "hourly_national", "annual"}
    assert row["signal_quality"] in {"measured", "estimated"}
    assert row["ts_utc"].endswith("Z")
    cli = run_cli("footprint", "--db", served_db, "--campaign", "música", "--days", "2", "--json")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["totals"] == s["totals"]


@pytest.mark.parametrize(
    ("params", "status", "names"),
    [
        ({"campaign": "nadie"}, 422, None),
        ({"days": 0}, 400, ["days"]),
        ({"limit": 5000}, 400, ["limit"]),
        ({"end": "ayer"}, 400, ["end"]),
    ],
)
def test_footprint_bad_requests_are_problems(api, params, status, names):
    r = api.get("/v1/footprint", params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    if names:
        assert [x["name"] for x in r.json()["invalidParams"]] == names
