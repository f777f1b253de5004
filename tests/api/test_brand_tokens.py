"""Brand-scoped API tokens against a real `insights serve` process (issue 29).

A token of one brand never reads another brand's rows: the ``client`` and ``region``
parameters are fuzzed (hypothesis, derandomized) on every endpoint that answers from the
warehouse, and each answer is either that brand's data or a problem document.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights import InsightsError
from insights.api.brands import parse_client_tokens
from tests.api.conftest import Server
from tests.conftest import OTHER_BRAND, query

ALL_TOKEN = "all-brands-token-0123456789"
CAFE_TOKEN = "cafe-token-0123456789abcdef"
DEFAULT_TOKEN = "default-token-0123456789abc"
PATHS = ("/v1/health", "/v1/regions", "/v1/zones", "/v1/publish-windows")
PROBLEM = "application/problem+json"
# brand names a client might send for "the other brand" or for its own, spelt otherwise
TRICKY = [
    "default",
    "Default",
    " default",
    "default\x00",
    "Cafe N",
    "CAFÉ Ñ",
    "Cafe\u0301 N\u0303",  # the same letters decomposed (NFD): another name, refused
    "Café Ñ ",
    "*",
    "%",
    "",
    "../default",
    "a" * 65,
    "default' OR '1'='1",
]


@pytest.fixture(scope="module")
def brand_api(two_brand_db):
    server = Server(
        two_brand_db,
        env={
            "INSIGHTS_API_TOKEN": ALL_TOKEN,
            "INSIGHTS_API_CLIENT_TOKENS": f"{OTHER_BRAND}={CAFE_TOKEN};default={DEFAULT_TOKEN}",
        },
    )
    yield server
    log = server.stop()
    assert "Traceback" not in log, log


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def default_run(two_brand_db) -> str:
    return query(two_brand_db, "SELECT run_id FROM model_runs WHERE client = 'default'")[0][0]


def _check_cafe_answer(r, default_run: str) -> None:
    """What the café token got is the café's data, or a problem document: never the
    default brand's run or regions with forecasts."""
    assert default_run not in r.text
    if r.status_code != 200:
        assert r.status_code in (400, 403, 404, 422), r.text
        assert r.headers["content-type"].startswith(PROBLEM) and r.json()["status"] == r.status_code
        return
    body = r.json()
    path = r.request.url.path
    if path == "/v1/health":
        assert body["client"] == OTHER_BRAND and body["modelRun"]["id"] == "cafe-run"
    elif path == "/v1/regions":
        assert {x["region"] for x in body if x["hasForecasts"]} == {"Jalisco"}
    elif path == "/v1/publish-windows":
        assert body["model_run"] == "cafe-run" and body["client"] == OTHER_BRAND
        assert {x["region"] for x in body["recommendations"]} <= {"Jalisco"}


def test_each_token_reads_its_own_brand(brand_api, default_run):
    h = brand_api.get("/v1/health", headers=_auth(CAFE_TOKEN)).json()
    assert (h["client"], h["modelRun"]["id"]) == (OTHER_BRAND, "cafe-run")
    h = brand_api.get("/v1/health", headers=_auth(DEFAULT_TOKEN)).json()
    assert (h["client"], h["modelRun"]["id"]) == ("default", default_run)
    # the all-brands token names a brand; without one, the brands are listed and none read
    r = brand_api.get("/v1/health", headers=_auth(ALL_TOKEN))
    assert r.status_code == 400 and r.headers["content-type"].startswith(PROBLEM)
    assert "Café Ñ, default" in r.json()["detail"]
    r = brand_api.get("/v1/health", headers=_auth(ALL_TOKEN), params={"client": OTHER_BRAND})
    assert r.json()["client"] == OTHER_BRAND
    r = brand_api.get("/v1/health", headers=_auth(ALL_TOKEN), params={"client": "nadie"})
    assert r.status_code == 404 and r.json()["type"] == "urn:insights:problem:unknown-brand"
    # the same question in the same minute from both brands: each gets its own answer
    # (answers are cached per brand and snapshot)
    q = {"region": "Jalisco", "slots": 1}
    first = brand_api.get("/v1/publish-windows", headers=_auth(DEFAULT_TOKEN), params=q)
    second = brand_api.get("/v1/publish-windows", headers=_auth(CAFE_TOKEN), params=q)
    assert (first.json()["model_run"], second.json()["model_run"]) == (default_run, "cafe-run")
    # a brand token naming the other brand: 403, whatever the endpoint
    for path in PATHS:
        r = brand_api.get(path, headers=_auth(DEFAULT_TOKEN), params={"client": OTHER_BRAND})
        assert r.status_code == 403 and r.json()["type"] == "urn:insights:problem:brand-forbidden"
        assert "cafe-run" not in r.text
    assert brand_api.get("/v1/health", headers=_auth("x" * 30)).status_code == 401


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    path=st.sampled_from(PATHS),
    client=st.one_of(st.none(), st.sampled_from(TRICKY), st.text(max_size=70)),
    region=st.one_of(
        st.none(),
        st.sampled_from(["Jalisco", "Sonora", "Baja California", "CDMX", "jalisco", "*"]),
        st.text(max_size=20),
    ),
    twice=st.booleans(),
)
def test_fuzzed_brand_and_region_never_reach_another_brand(
    brand_api, default_run, path, client, region, twice
):
    params: list[tuple[str, str]] = []
    if client is not None:
        params += [("client", client)] * (2 if twice else 1)
    if region is not None and path == "/v1/publish-windows":
        params.append(("region", region))
    r = brand_api.get(path, headers=_auth(CAFE_TOKEN), params=params)
    _check_cafe_answer(r, default_run)


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("acme", "write BRAND=TOKEN"),
        ("a/b=0123456789abcdef0123", "use 1-64 letters"),
        ("acme=short", "16 to 512"),
        ("acme=has space inside 0123456789", "16 to 512"),
        ("acme=0123456789abcdef0123;otra=0123456789abcdef0123", "given twice"),
        (f"acme={ALL_TOKEN}", "given twice"),
    ],
)
def test_bad_client_tokens_are_refused_without_echoing_them(raw, needle):
    with pytest.raises(InsightsError, match=needle) as err:
        parse_client_tokens(raw, ALL_TOKEN)
    assert "0123456789abcdef0123" not in str(err.value) and ALL_TOKEN not in str(err.value)
