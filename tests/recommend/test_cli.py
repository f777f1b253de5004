"""The recommend, backtest and render-window commands on a real trained warehouse."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from insights.recommend.engine import pareto_frontier
from insights.recommend.io import latest_forecasts
from insights.recommend.slots import SlotRules, build_candidates
from tests.conftest import REF, query, run_cli

KEYS = {
    "region",
    "channel",
    "grid_zone",
    "start_local",
    "start_utc",
    "window_hours",
    "expected_engagement",
    "engagement_low",
    "engagement_high",
    "renewable_pct",
    "carbon_intensity",
    "energy_availability",
    "score",
    "engagement_vs_best_pct",
    "renewable_vs_best_pp",
    "carbon_vs_best_pct",
    "energy_signals_disagree",
}


def recommend(db, *args):
    return run_cli("recommend", "--db", db, *args)


def test_defaults_give_a_full_table(trained_db):
    r = recommend(trained_db)
    assert r.returncode == 0, r.stderr
    assert "data ends" in r.stdout and "Ciudad de México" in r.stdout


def test_json_records_and_trade_off(trained_db):
    r = recommend(
        trained_db,
        "--region",
        "CDMX",
        "--region",
        "Baja California",
        "--channel",
        "tiktok",
        "--slots",
        "2",
        "--format",
        "json",
        "--energy-weight",
        "0.6",
        "--window-hours",
        "2",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    recs = out["recommendations"]
    assert len(recs) == 4 and all(rec.keys() >= KEYS for rec in recs)
    assert out["data_age_hours"] is not None
    for rec in recs:
        assert rec["engagement_low"] <= rec["expected_engagement"] <= rec["engagement_high"]
        assert 0 <= rec["energy_availability"] <= 1
        assert rec["engagement_vs_best_pct"] <= 1e-9  # nothing beats the engagement-only best
        assert rec["window_hours"] == 2
        local = datetime.fromisoformat(rec["start_local"])
        assert 8 <= local.hour <= 23
        assert local == datetime.fromisoformat(rec["start_utc"].replace("Z", "+00:00"))
    tz = {rec["region"]: rec["start_local"][-6:] for rec in recs}
    assert tz["Ciudad de México"] == "-06:00" and tz["Baja California"] in ("-08:00", "-07:00")
    # the run is stored with its parameters
    stored = query(
        trained_db,
        "SELECT count(*), any_value(params) FROM recommendations "
        f"WHERE run_id = '{out['recommendation_run']}'",
    )
    assert stored[0][0] == 4 and json.loads(stored[0][1])["energy_weight"] == 0.6


def test_weight_zero_picks_the_engagement_best(trained_db):
    r = recommend(
        trained_db,
        "--region",
        "Jalisco",
        "--channel",
        "youtube",
        "--format",
        "json",
        "--energy-weight",
        "0",
        "--slots",
        "1",
    )
    rec = json.loads(r.stdout)["recommendations"][0]
    assert rec["engagement_vs_best_pct"] == 0 and rec["carbon_vs_best_pct"] == 0


def test_csv_format(trained_db):
    r = recommend(trained_db, "--region", "Sonora", "--format", "csv")
    assert r.returncode == 0
    assert r.stdout.splitlines()[0].startswith("rank,region,channel")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--region", "Atlantis"], "--region 'Atlantis'"),
        (["--channel", "myspace"], "--channel 'myspace'"),
        (["--energy-weight", "1.5"], "between 0 and 1"),
        (["--hours", "25-3"], "--hours"),
        (["--days", "monkey"], "--days"),
        (["--days", "funday"], "--days"),
        (["--hours", "3-3", "--horizon-days", "0.1", "--from", "TOMORROW_NOON"], "no slot allowed"),
        (["--from", "2001-01-01"], "after the horizon ends"),
    ],
)
def test_invalid_options_one_line_and_nonzero(trained_db, args, needle):
    # 12:00-14:24 UTC is 04:00-09:24 in every Mexican zone: never 03:00 local
    noon = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT12:00:00+00:00")
    r = recommend(trained_db, *[noon if a == "TOMORROW_NOON" else a for a in args])
    assert r.returncode != 0
    assert needle in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_no_forecasts_yet(tmp_path):
    db = tmp_path / "w.duckdb"
    f = tmp_path / "e.csv"
    f.write_text("timestamp,region,channel,views,engagements\n2024-01-01T00:00Z,Jalisco,web,1,1\n")
    assert run_cli("ingest", f, "--db", db).returncode == 0
    r = recommend(db)
    assert r.returncode == 2 and "insights train" in r.stderr


def test_pareto_frontier_is_monotone(trained_db):
    fc = latest_forecasts(str(trained_db))
    start = fc["engagement"]["ts"].min()
    c = build_candidates(
        fc["engagement"],
        fc["energy"],
        fc["regions"],
        SlotRules(start=start, regions=("Oaxaca", "Sonora")),
    )
    fr = pareto_frontier(c, slots=3, gap=12)
    assert fr.height == 21
    eng, avail = fr["expected_engagement"].to_list(), fr["energy_availability"].to_list()
    assert all(b <= a + 1e-6 for a, b in zip(eng, eng[1:], strict=False))
    assert all(b >= a - 1e-9 for a, b in zip(avail, avail[1:], strict=False))
    assert avail[-1] > avail[0] and eng[-1] < eng[0]


def test_render_window(trained_db):
    fc = latest_forecasts(str(trained_db))
    now = fc["energy"]["ts"].min().isoformat()
    r = run_cli(
        "render-window",
        "--db",
        trained_db,
        "--hours",
        "3",
        "--kw",
        "20",
        "--deadline",
        "2100-01-01T00:00",
        "--region",
        "Sonora",
        "--now",
        now,
        "--json",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["kgco2"] <= out["kgco2_now"] and out["saving_pct"] >= 0
    assert out["start_local"].endswith("-07:00")  # Sonora, no DST
    assert out["zone"] == "MX"  # its control region has no data: the national CENACE signal
    bad = run_cli(
        "render-window",
        "--db",
        trained_db,
        "--hours",
        "3",
        "--kw",
        "20",
        "--deadline",
        "2001-01-01T00:00",
        "--zone",
        "MX",
        "--now",
        now,
    )
    assert bad.returncode == 2 and "cannot finish" in bad.stderr


def test_backtest_demo(trained_db):
    r = run_cli("backtest", "--db", trained_db, "--weeks", "1", "--energy-weight", "0.8", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    by = {s["strategy"]: s for s in out["strategies"]}
    assert set(by) == {"recommended", "engagement_only", "habitual"}
    for s in by.values():
        assert {"engagement", "carbon_intensity", "renewable_pct"} <= s.keys()
        assert s["per_region_channel"] and s["n_slots"] > 0
    # with a strong energy weight the advice runs on a greener grid than engagement-only
    assert by["recommended"]["renewable_pct"] > by["engagement_only"]["renewable_pct"]
    assert by["engagement_only"]["engagement"] > by["habitual"]["engagement"]


def test_backtest_real_pairing_ons_load_with_br_cs(tmp_path):
    db = tmp_path / "br.duckdb"
    em = REF / "energy" / "electricitymaps_hourly"
    ons = REF / "energy" / "ons_brazil_hourly_load"
    assert (
        run_cli(
            "ingest", em / "BR-SP_2024_hourly.csv", ons / "CURVA_CARGA_2024.csv", "--db", db
        ).returncode
        == 0
    )
    r = run_cli("backtest", "--db", db, "--weeks", "2", "--audience-from-load", "BR-CS", "--json")
    assert r.returncode == 0, r.stderr
    by = {s["strategy"]: s for s in json.loads(r.stdout)["strategies"]}
    assert by["recommended"]["renewable_pct"] >= by["habitual"]["renewable_pct"] - 1e-9
    assert 20 < by["recommended"]["carbon_intensity"] < 200


def test_old_data_is_bridged_to_the_coming_days(tmp_path):
    end = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:00")
    for args in (
        ["demo-data", "--days", "60", "--end", end],
        ["ingest", "data/raw/demo"],
        ["train", "--cutoffs", "1"],
    ):
        r = run_cli(*args, cwd=tmp_path, env={"INSIGHTS_DB": ""})
        assert r.returncode == 0, r.stderr
    r = run_cli(
        "recommend",
        "--region",
        "Sonora",
        "--channel",
        "youtube",
        "--format",
        "json",
        "--slots",
        "7",
        "--min-gap-hours",
        "20",
        cwd=tmp_path,
        env={"INSIGHTS_DB": ""},
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert 71 <= out["data_age_hours"] <= 75
    starts = sorted(
        datetime.fromisoformat(x["start_utc"].replace("Z", "+00:00"))
        for x in out["recommendations"]
    )
    assert starts[0] >= datetime.now(UTC) - timedelta(hours=1)
    assert starts[-1] >= datetime.now(UTC) + timedelta(days=5)  # the whole coming week
