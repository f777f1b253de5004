"""One casing across /v1 (camelCase, the Carbon Aware SDK's), the old snake_case names kept
for one release with a Deprecation header; answers are their declared models, checked; the
OpenAPI document lists the models, the ``client`` parameter and the brand gate's answers."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from insights.api import casing
from insights.api.app import create_app
from insights.api.routes.render_window import RenderWindow
from insights.api.routes.windows import Recommendation
from tests.api.conftest import Server
from tests.conftest import run_cli

PROBLEM = "application/problem+json"
V1 = (
    "/v1/publish-windows",
    "/v1/energy/now",
    "/v1/render-window",
    "/v1/regions",
    "/v1/zones",
    "/v1/health",
    "/v1/variant",
    "/v1/footprint",
)


def test_camel_renames_snake_case_names_only():
    assert casing.camel("start_utc") == "startUtc"
    assert casing.camel("kgco2_now") == "kgco2Now"
    assert casing.camel("renewable_vs_best_pp") == "renewableVsBestPp"
    for same in ("zone", "generatedAt", "kgco2", "from", "Ciudad de México", "iab-europe"):
        assert casing.camel(same) == same
    doc = casing.render_window({"zone": "MX", "start_utc": "t", "saving_pct": 1.5})
    assert doc == {
        "zone": "MX",
        "start_utc": "t",
        "startUtc": "t",
        "saving_pct": 1.5,
        "savingPct": 1.5,
    }


def test_keys_that_are_data_are_never_renamed():
    doc = casing.publish_windows(
        {
            "model_run": "r",
            "params": {"energy_weight": 0.5},
            "recommendations": [{"start_utc": "t"}],
            "by_region": {"Baja_California": 1},  # not an object of field names
        }
    )
    assert doc["modelRun"] == doc["model_run"] == "r"
    assert doc["params"] == {"energy_weight": 0.5, "energyWeight": 0.5}
    assert doc["recommendations"] == [{"start_utc": "t", "startUtc": "t"}]
    assert doc["by_region"] == {"Baja_California": 1}


def _render(**over) -> dict:
    base = {
        "zone": "MX",
        "tz": "America/Hermosillo",
        "deadline_local": "2026-12-10T10:00:00-07:00",
        "deadline_utc": "2026-12-10T17:00:00Z",
        "start_local": "2026-12-10T02:00:00-07:00",
        "start_utc": "2026-12-10T09:00:00Z",
        "kgco2": 20.5,
        "kgco2_now": 24.0,
        "saving_pct": 14.6,
    }
    return casing.render_window({**base, **over})


def test_an_answer_field_of_the_wrong_type_fails_its_model():
    ok = RenderWindow.model_validate(_render())
    assert ok.kgco2Now == ok.kgco2_now == 24.0
    with pytest.raises(ValidationError, match="kgco2Now"):
        RenderWindow.model_validate(_render(kgco2_now="a lot"))
    with pytest.raises(ValidationError, match="startUtc"):
        RenderWindow.model_validate({k: v for k, v in _render().items() if k != "startUtc"})
    rec = {"rank": "first", "region": "Sonora", "channel": "tiktok", "score": 0.5}
    with pytest.raises(ValidationError, match="rank"):
        Recommendation.model_validate(rec)


def test_the_app_checks_each_answer_against_its_model(monkeypatch):
    """A route whose library call hands back a wrong type answers a 500 problem document,
    never the wrong document."""
    from fastapi.testclient import TestClient

    from insights.api.routes import render_window as route

    snap = SimpleNamespace(fc={"run_id": "r"}, client="default", version=1, problem=None)
    store = SimpleNamespace(current=snap)
    deadline = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:00")
    params = {"hours": 3, "kw": 20, "deadline": deadline, "zone": "MX"}
    with TestClient(create_app(store), raise_server_exceptions=False) as client:  # type: ignore[arg-type]
        monkeypatch.setattr(route, "plan_render_window", lambda *a, **k: _render())
        good = client.get("/v1/render-window", params=params)
        assert good.status_code == 200 and good.json()["savingPct"] == 14.6
        monkeypatch.setattr(route, "plan_render_window", lambda *a, **k: _render(saving_pct=[1, 2]))
        bad = client.get("/v1/render-window", params=params)
    assert bad.status_code == 500 and bad.headers["content-type"] == PROBLEM
    assert bad.json()["type"] == "urn:insights:problem:bug"


def test_openapi_lists_the_models_the_client_parameter_and_the_brand_answers():
    doc = create_app(None).openapi()  # type: ignore[arg-type]
    schemas = doc["components"]["schemas"]
    expect = {
        "/v1/publish-windows": "PublishWindows",
        "/v1/energy/now": "EnergyNow",
        "/v1/render-window": "RenderWindow",
        "/v1/health": "Health",
        "/v1/variant": "VariantOut",
        "/v1/footprint": "FootprintOut",
    }
    assert set(doc["paths"]) == set(V1)
    for path in V1:
        op = doc["paths"][path]["get"]
        ok = json.dumps(op["responses"]["200"])
        if path in expect:
            assert f"#/components/schemas/{expect[path]}" in ok, path
        client = [p for p in op["parameters"] if p["name"] == "client"]
        assert client and client[0]["in"] == "query" and not client[0].get("required"), path
        assert "403" in client[0]["description"] and "404" in client[0]["description"]
        for code in ("400", "401", "403", "404"):
            content = op["responses"][code]["content"]
            assert list(content) == [PROBLEM], (path, code)
            assert content[PROBLEM]["schema"]["$ref"].endswith("/Problem"), (path, code)
        assert "422" not in op["responses"] or "Problem" in json.dumps(op["responses"]["422"])
    assert "brand-forbidden" in doc["paths"]["/v1/health"]["get"]["responses"]["403"]["description"]
    for path in ("/v1/publish-windows", "/v1/render-window", "/v1/footprint"):
        assert "Deprecation" in doc["paths"][path]["get"]["responses"]["200"]["headers"]
    rw = schemas["RenderWindow"]["properties"]
    assert rw["start_utc"].get("deprecated") is True and not rw["startUtc"].get("deprecated")
    assert "Deprecation" in doc["info"]["description"] and "camelCase" in doc["info"]["description"]


@pytest.fixture(scope="module")
def cased_api(small_trained_db, tmp_path_factory):
    d = tmp_path_factory.mktemp("served-casing")
    shutil.copy(small_trained_db, d / "wh.duckdb")
    server = Server(d / "wh.duckdb")
    yield server, d / "wh.duckdb"
    log = server.stop()
    assert "Traceback" not in log, log


def test_real_server_sends_new_and_old_names_with_a_deprecation_header(cased_api):
    api, db = cased_api
    r = api.get("/v1/publish-windows", params={"region": "Sonora", "slots": 1})
    assert r.status_code == 200, r.text
    assert re.fullmatch(r"@\d+", r.headers["deprecation"])
    assert r.headers["deprecation"] == casing.DEPRECATION_HEADER
    body = r.json()
    assert body["modelRun"] == body["model_run"] and body["recommendationRun"] is None
    assert body["params"]["energyWeight"] == body["params"]["energy_weight"] == 0.25
    rec = body["recommendations"][0]
    for old in ("start_utc", "start_local", "grid_zone", "expected_engagement", "renewable_pct"):
        assert rec[casing.camel(old)] == rec[old], old
    # the same document from the CLI, both names
    cli = run_cli("recommend", "--db", db, "--region", "Sonora", "--slots", "1", "--format", "json")
    assert cli.returncode == 0, cli.stderr
    out = json.loads(cli.stdout)
    assert set(out) == set(body) and set(out["recommendations"][0]) == set(rec)

    deadline = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:00")
    rw = api.get(
        "/v1/render-window", params={"hours": 3, "kw": 20, "deadline": deadline, "zone": "MX"}
    )
    assert rw.status_code == 200 and rw.headers["deprecation"] == casing.DEPRECATION_HEADER
    w = rw.json()
    assert (w["startUtc"], w["kgco2Now"], w["savingPct"]) == (
        w["start_utc"],
        w["kgco2_now"],
        w["saving_pct"],
    )
    fp = api.get("/v1/footprint", params={"days": 2, "limit": 1})
    assert fp.status_code == 200 and fp.headers["deprecation"] == casing.DEPRECATION_HEADER
    row = fp.json()["rows"][0]
    assert row["tsUtc"] == row["ts_utc"] and row["factorSet"] == row["factor_set"]
    # answers that never had snake_case names carry no header
    for path, params in (("/v1/energy/now", {"zone": "MX"}), ("/v1/health", {})):
        e = api.get(path, params=params)
        assert e.status_code == 200 and "deprecation" not in e.headers, path
    # query parameters keep their (camelCase) names; snake_case ones stay unknown
    assert api.get("/v1/energy/now", params={"zone": "MX", "window_size": 60}).status_code == 400
