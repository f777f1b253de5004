"""The ledger on a real warehouse: files ingested by the real CLI, numbers checked by hand.

Grid file: Electricity Maps' hourly CSV in its newer header (the layout the ingest tests
use, tests/ingest/test_reference_formats.py). Consumption: the documented consumption
layout (README, Ingest table).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from insights.footprint import ledger as L
from insights.footprint.variants import DEFAULT_VARIANTS
from tests.conftest import query, run_cli

EM_HEAD = (
    "Datetime (UTC),Country,Zone name,Zone id,Carbon intensity gCO₂eq/kWh (direct),"
    "Carbon intensity gCO₂eq/kWh (Life cycle),Carbon-free energy percentage (CFE%),"
    "Renewable energy percentage (RE%),Data source,Data estimated,Data estimation method\n"
)
START = datetime(2026, 11, 1, tzinfo=UTC)
DIRTY = datetime(2026, 11, 3, 20, tzinfo=UTC)  # 600 g/kWh, every other hour 300
GAP = datetime(2026, 11, 3, 21, tzinfo=UTC)  # no grid row: the annual factor prices it

# IAB Europe constants, written out here so the test does not read the code's own table
IAB_DELIVERY_KWH_PER_MB_LATAM = 0.2855 * 1.17e-4 + 0.7145 * 1.65e-5 + 4.30e-7
IAB_DEVICE_KWH_PER_S = 0.61 * 1.30e-6 + 0.04 * 1.40e-6 + 0.18 * 1.54e-5 + 0.17 * 3.80e-5


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    d = tmp_path_factory.mktemp("fp")
    rows = []
    t = START
    while t < START + timedelta(days=3):
        if t != GAP:
            ci = 600 if t == DIRTY else 300
            rows.append(f"{t:%Y-%m-%d %H:%M:%S},Mexico,Central,MX-CE,{ci},450,20,18,x,false,\n")
        t += timedelta(hours=1)
    (d / "MX-CE_hourly.csv").write_text(EM_HEAD + "".join(rows), encoding="utf-8")
    cons = [
        "timestamp,region,channel,topic,views,engagements,watch_seconds",
        "2026-11-03T19:00:00Z,Ciudad de México,youtube,lanzamiento,100,10,3000",
        "2026-11-03T20:00:00Z,Ciudad de México,youtube,lanzamiento,100,10,3000",
        "2026-11-03T21:00:00Z,Ciudad de México,youtube,lanzamiento,100,10,3000",
        "2026-11-03T19:00:00Z,Ciudad de México,instagram,lanzamiento,50,5,",
        "2026-11-03T19:00:00Z,Jalisco,youtube,lanzamiento,70,7,700",
        "2026-11-03T19:00:00Z,Ciudad de México,youtube,otra campaña,999,9,9990",
    ]
    (d / "consumo.csv").write_text("\n".join(cons) + "\n", encoding="utf-8")
    db = d / "wh.duckdb"
    r = run_cli("ingest", d / "MX-CE_hourly.csv", d / "consumo.csv", "--db", db)
    assert r.returncode == 0, r.stderr
    return db


def _run(wh, **kw):
    p = L.LedgerParams(campaign="lanzamiento", days=3, **kw)
    return L.footprint(str(wh), p)


def test_ledger_rows_are_priced_at_the_hour_of_viewing(wh):
    r = _run(wh)
    led = r["ledger"].filter(pl_eq("factor_set", "iab-europe"))
    yt = {row["ts_utc"].hour: row for row in led.filter(pl_eq("post", "youtube")).to_dicts()}
    # 3000 s at 4500 kbit/s = 1.6875e9 bytes; IAB adds 0.35 MB per video view
    mb = 1.6875e9 / 1e6 + 0.35 * 100
    kwh = mb * IAB_DELIVERY_KWH_PER_MB_LATAM + 3000 * IAB_DEVICE_KWH_PER_S
    # the mean of the hourly values before the ledger's end (22:00, after the last view):
    # 48 + 22 hours less the gap, one of them at 600
    annual = (68 * 300 + 600) / 69
    assert yt[19]["bytes"] == pytest.approx(1.6875e9)
    assert yt[19]["kgco2e"] == pytest.approx(kwh * 300 / 1000, rel=1e-9)
    assert yt[20]["kgco2e"] == pytest.approx(kwh * 600 / 1000, rel=1e-9)
    assert yt[19]["kgco2e_annual"] == pytest.approx(kwh * annual / 1000, rel=1e-9)
    assert (yt[19]["grid_signal"], yt[19]["signal_quality"]) == ("hourly_zone", "measured")
    assert yt[20]["grid_level"] == "high" and yt[19]["grid_level"] == "moderate"
    # the hour without grid data: the annual factor, and said so
    assert (yt[21]["grid_signal"], yt[21]["signal_quality"]) == ("annual", "estimated")
    assert yt[21]["kgco2e"] == pytest.approx(kwh * annual / 1000, rel=1e-9)
    # no watch time exported: IAB's 30 s default per view, flagged
    ig = led.filter(pl_eq("post", "instagram")).to_dicts()[0]
    assert ig["seconds"] == 50 * 30 and ig["seconds_basis"] == "default"
    assert yt[19]["seconds_basis"] == "measured"


def test_every_figure_names_its_factor_set_and_the_sets_differ(wh):
    r = _run(wh)
    assert set(r["ledger"]["factor_set"].unique()) == {"iab-europe", "swd-v4"}
    s = L.summary(r)
    for set_id, d in s["factorSets"].items():
        assert d["source"] and d["version"], set_id
    swd = s["totals"]["swd-v4"]
    # SWDM v4 as CO2.js: (0.055 + 0.059 + 0.08) kWh per 1024^3 bytes
    gb = (3 * 1.6875e9 + 1500 * 4500e3 / 8) / 1024**3
    assert swd["delivery_kwh"] + swd["device_kwh"] == pytest.approx(gb * 0.194, rel=1e-5)
    assert s["spread"]["max_over_min"] > 1
    assert "charging" in s["caveat"]
    # the hour matters: the dirty hour pulls the hourly figure above the annual one
    assert s["totals"]["iab-europe"]["hour_vs_annual_pct"] != 0


def test_regions_without_grid_data_are_left_out_and_named(wh):
    r = _run(wh)
    assert "Jalisco" not in r["ledger"]["region"].to_list()
    assert r["regions_unpriced"] == ["Jalisco"]
    assert any("Jalisco" in n for n in r["notes"])
    # only the campaign asked for
    assert r["ledger"]["campaign"].unique().to_list() == ["lanzamiento"]


def test_advice_switches_to_the_lighter_rendition_in_the_dirty_hour(wh):
    r = _run(wh, energy_weight=0.5, floor=0.9)
    adv = {
        row["ts_utc"].hour: row["variant"]
        for row in r["advice"].filter(pl_eq("post", "youtube")).to_dicts()
    }
    assert adv == {19: "1080p", 20: "480p", 21: "1080p"}
    assert r["after"]["bytes_high_share_pct"] < r["before"]["bytes_high_share_pct"]
    assert r["after"]["engagement_kept_pct"] >= 90
    # weight 0: the full piece everywhere, nothing avoided
    r0 = _run(wh, energy_weight=0.0, floor=0.0)
    assert set(r0["advice"]["variant"]) == {DEFAULT_VARIANTS[0].name}
    assert r0["after"]["kgco2e"] == r0["before"]["kgco2e"]


def test_pareto_holds_only_non_dominated_points(wh):
    r = _run(wh, floor=0.0)
    front = r["pareto"]
    for p in front:
        assert not any(
            q["kg_avoided"] >= p["kg_avoided"]
            and q["engagement_given_up_pct"] <= p["engagement_given_up_pct"]
            and (
                q["kg_avoided"] > p["kg_avoided"] + 1e-9
                or q["engagement_given_up_pct"] < p["engagement_given_up_pct"] - 1e-9
            )
            for q in r["points"]
        )
    for p in r["points"]:  # every option left out is beaten by one on the front
        if not any(
            abs(p["kg_avoided"] - q["kg_avoided"]) < 1e-9
            and abs(p["engagement_given_up_pct"] - q["engagement_given_up_pct"]) < 1e-9
            for q in front
        ):
            assert any(
                q["kg_avoided"] >= p["kg_avoided"] - 1e-9
                and q["engagement_given_up_pct"] <= p["engagement_given_up_pct"] + 1e-9
                for q in front
            )
    still = next(p for p in r["points"] if p["name"] == "imagen fija")
    assert still["kg_avoided_per_pct"] == pytest.approx(
        still["kg_avoided"] / still["engagement_given_up_pct"]
    )


def test_cli_json_and_errors(wh, tmp_path):
    r = run_cli("footprint", "--db", wh, "--campaign", "lanzamiento", "--days", "3", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["campaign"] == "lanzamiento" and doc["units"]["kgco2e"]
    assert {g["grid_signal"] for g in doc["gridSignals"]} == {"hourly_zone", "annual"}
    text = run_cli("footprint", "--db", wh, "--campaign", "lanzamiento", "--days", "3")
    assert text.returncode == 0 and "lanzamiento" in text.stdout and "caveat" in text.stdout
    csv = tmp_path / "ledger.csv"
    r = run_cli("footprint", "--db", wh, "--campaign", "lanzamiento", "--ledger-csv", csv)
    assert r.returncode == 0 and "Ciudad de México" in csv.read_text(encoding="utf-8")
    bad = tmp_path / "v.json"
    bad.write_text(
        '{"variants": [{"name": "a", "kind": "video", "engagement_kept": 0.5, '
        '"bitrate_kbps": 100}]}',
        encoding="utf-8",
    )
    for args, needle in (
        (["--variants", bad], "v.json: the first variant is the full piece"),
        (["--variants", tmp_path / "none.json"], "none.json: no such variants file"),
        (["--energy-weight", "1.5"], "between 0 and 1"),
        (["--floor", "nan"], "between 0 and 1"),
        (["--campaign", "nada"], "no consumption rows for campaign 'nada'"),
        (["--days", "0"], "days 0"),
    ):
        r = run_cli("footprint", "--db", wh, *map(str, args))
        assert r.returncode == 2, (args, r.stderr)
        assert needle in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    assert query(wh, "SELECT count(*) FROM consumption WHERE topic = 'lanzamiento'") == [(5,)]


def pl_eq(col, value):
    import polars as pl

    return pl.col(col) == value
