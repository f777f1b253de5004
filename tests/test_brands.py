"""Brands (``client``): one warehouse, several brands, never mixed (issue 29)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from insights import brands, pipeline, training, warehouse
from insights.errors import InsightsError
from insights.settings import CLIENT_ENV
from tests.conftest import OTHER_BRAND, query, run_cli

OLD = Path(__file__).parent / "fixtures" / "warehouse" / "duckdb1-warehouse.duckdb"
HEADER = "timestamp,region,channel,topic,views,engagements\n"


def _ingest(db: Path, csv: Path, client: str | None = None):
    (r,) = pipeline.ingest(pipeline.IngestRequest(paths=(str(csv),)), str(db), client=client)
    return r


def test_an_older_warehouse_gets_the_key_in_place_and_two_brands_load_apart(tmp_path: Path):
    db = tmp_path / "old.duckdb"
    shutil.copy(OLD, db)  # insights 0.1 on DuckDB 1.5: no client column anywhere
    agg = tmp_path / "agg.csv"
    agg.write_text(HEADER + "2024-03-17T02:00:00Z,Jalisco,youtube,música,7,1\n", encoding="utf-8")
    assert _ingest(db, agg).status == "loaded"
    # the same file for another brand loads again (its own log), into its own rows
    assert _ingest(db, agg, OTHER_BRAND).status == "loaded"
    assert _ingest(db, agg, OTHER_BRAND).status == "skipped"
    rows = "SELECT client, region, topic, views FROM consumption ORDER BY ALL"
    assert query(db, rows) == [
        (OTHER_BRAND, "Jalisco", "música", 7.0),
        ("default", "Jalisco", "música", 7.0),
        ("default", "Jalisco", "música", 100.0),  # the old rows: brand 'default'
        ("default", "São Paulo", None, 50.0),
    ]
    # a newer export of the same key replaces that brand's row only
    newer = tmp_path / "newer.csv"
    newer.write_text(HEADER + "2024-03-17T02:00:00Z,Jalisco,youtube,música,9,2\n", "utf-8")
    r = _ingest(db, newer, OTHER_BRAND)
    assert (r.status, r.hourly_replaced) == ("loaded", 1)
    got = "SELECT client, views FROM consumption WHERE views IN (7, 9) ORDER BY ALL"
    assert query(db, got) == [(OTHER_BRAND, 9.0), ("default", 7.0)]
    # events (several per hour) are added per brand: the other brand's are not 'seen'
    ev = tmp_path / "events.csv"
    ev.write_text(
        HEADER
        + "2024-03-18T10:05:00Z,Jalisco,tiktok,,1,1\n"
        + "2024-03-18T10:40:00Z,Jalisco,tiktok,,1,1\n",
        encoding="utf-8",
    )
    assert _ingest(db, ev, "default").status == _ingest(db, ev, OTHER_BRAND).status == "loaded"
    sums = (
        "SELECT client, sum(engagements) FROM consumption WHERE ts_utc >= '2024-03-18' GROUP BY 1"
    )
    assert sorted(query(db, sums)) == [(OTHER_BRAND, 2.0), ("default", 2.0)]
    events = "SELECT client, count(*) FROM consumption_events GROUP BY 1 ORDER BY 1"
    assert query(db, events) == [(OTHER_BRAND, 2), ("default", 2)]
    # with two brands, rows are never filed under one by guess
    with pytest.raises(brands.BrandError, match=r"several brands \(Café Ñ, default\)"):
        _ingest(db, agg)
    with pytest.raises(brands.BrandError, match="use 1-64 letters"):
        _ingest(db, agg, "a/b")


def test_reads_see_one_brand_and_refuse_to_mix(two_brand_db: Path) -> None:
    db = str(two_brand_db)
    mixed = pytest.raises(brands.BrandError, match=r"several brands \(Café Ñ, default\)")
    with mixed, warehouse.read(db) as con:
        con.execute("SELECT count(*) FROM consumption").fetchall()
    with warehouse.read(db) as con:  # shared tables (the grid) need no brand
        assert con.execute("SELECT count(*) FROM energy").fetchone()[0] > 0
    with warehouse.read(db, client=OTHER_BRAND) as con:
        assert con.execute("SELECT DISTINCT region FROM consumption").fetchall() == [("Jalisco",)]
        assert con.execute("SELECT run_id FROM model_runs").fetchall() == [("cafe-run",)]
    unknown = pytest.raises(brands.BrandError, match="'nadie' has no data")
    with unknown, warehouse.read(db, client="nadie"):
        pass
    # train: one fit per brand, each on its own rows only
    assert pipeline.brands_to_train(db) == [OTHER_BRAND, "default"]
    assert pipeline.brands_to_train(db, OTHER_BRAND) == [OTHER_BRAND]
    y_other, _ = training.load_engagement_series(db, client=OTHER_BRAND)
    y_default, _ = training.load_engagement_series(db, client="default")
    assert set(y_other["region"]) == {"Jalisco"} and len(set(y_default["region"])) > 1
    jal = y_default.filter(y_default["region"] == "Jalisco")["y"].sum()
    assert y_other["y"].sum() == pytest.approx(3 * jal)


def test_recommend_and_report_are_per_brand(two_brand_db: Path, tmp_path, monkeypatch):
    db = str(two_brand_db)
    params = pipeline.RecommendRequest(regions=("Jalisco",), slots=1)
    with pytest.raises(brands.BrandError, match=r"several brands \(Café Ñ, default\)"):
        pipeline.recommend(params, db, store=False)
    mine = pipeline.recommend(params, db, client=OTHER_BRAND).payload()
    theirs = pipeline.recommend(params, db, store=False, client="default").payload()
    assert (mine["client"], mine["model_run"]) == (OTHER_BRAND, "cafe-run")
    assert theirs["client"] == "default" and theirs["model_run"] != "cafe-run"
    best = {r["channel"]: r["expected_engagement"] for r in mine["recommendations"]}
    base = {r["channel"]: r["expected_engagement"] for r in theirs["recommendations"]}
    assert best.keys() == base.keys()
    assert all(best[c] == pytest.approx(3 * base[c], rel=0.01) for c in best)
    stored = "SELECT DISTINCT client FROM recommendations WHERE run_id = ?"
    with duckdb.connect(db, read_only=True) as con:
        assert con.execute(stored, [mine["recommendation_run"]]).fetchall() == [(OTHER_BRAND,)]
    # report: asks for a brand before any notebook runs, and hands the brand to the kernels
    out = tmp_path / "rep"
    with pytest.raises(brands.BrandError, match="several brands"):
        pipeline.report(pipeline.ReportRequest(out=str(out)), db)
    assert not out.exists()
    seen = {}

    def fake_run_report(*args, **kw):
        seen["client"] = os.environ.get(CLIENT_ENV)
        return []

    monkeypatch.delenv(CLIENT_ENV, raising=False)
    monkeypatch.setattr("insights.report.run_report", fake_run_report)
    pipeline.report(pipeline.ReportRequest(out=str(out)), db, client=OTHER_BRAND)
    assert seen == {"client": OTHER_BRAND} and CLIENT_ENV not in os.environ


def test_cli_names_the_brands_and_reads_the_one_given(two_brand_db: Path) -> None:
    r = run_cli("recommend", "--db", two_brand_db, "--region", "Jalisco")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "insights recommend: error: this warehouse holds several brands (Café Ñ, default): "
        "pass --client NAME (or set INSIGHTS_CLIENT) to say which; brands are never mixed"
    ]
    r = run_cli(
        "recommend", "--db", two_brand_db, "--format", "json", env={CLIENT_ENV: OTHER_BRAND}
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["client"] == OTHER_BRAND and doc["model_run"] == "cafe-run"
    assert {x["region"] for x in doc["recommendations"]} == {"Jalisco"}
    from insights.status import warehouse_status

    with warehouse.read(two_brand_db, client=brands.ALL) as con:  # as `status` reads it
        assert warehouse_status(con)["warehouse"]["brands"] == [OTHER_BRAND, "default"]


def test_one_brand_warehouse_is_unchanged_for_its_user(small_trained_db: Path) -> None:
    """Trained without --client: the runs and forecasts are brand 'default', and every
    reader finds them without being told a brand."""
    for t in ("model_runs", "forecasts", "consumption", "ingest_log"):
        assert query(small_trained_db, f"SELECT DISTINCT client FROM {t}") == [("default",)]
    assert pipeline.brand(str(small_trained_db)) == "default"


def test_the_demo_second_brand_loads_trains_and_recommends_apart(small_trained_db, tmp_path):
    """`make demo`'s second brand (insights.demo_brand), as the Makefile files it: ingested
    with --client beside the main demo's brand, trained on its own rows; `status` lists both,
    and each brand's recommendations come from its own run and series only."""
    from insights.demo_brand import BRAND, CHANNELS, STATES, write_brand_data

    make = (Path(__file__).parents[1] / "Makefile").read_text("utf-8")
    assert f"DEMO_BRAND := {BRAND}\n" in make and '--client "$(DEMO_BRAND)"' in make
    assert f'-p regions "{",".join(STATES)}"' in make  # its report on its own states
    db = tmp_path / "demo.duckdb"
    shutil.copy(small_trained_db, db)
    (end,) = query(db, "SELECT max(ts_utc) FROM consumption")[0]
    write_brand_data(tmp_path / "brand2", end, seed=5, days=56)
    r = run_cli("ingest", tmp_path / "brand2", "--db", db, "--client", BRAND)
    assert r.returncode == 0, r.stderr
    r = run_cli("train", "--db", db, "--client", BRAND, "--cutoffs", "1", "--json")
    assert r.returncode == 0, r.stderr
    run = json.loads(r.stdout)
    assert (run["client"], run["n_series"]) == (BRAND, len(STATES) * len(CHANNELS))
    st = run_cli("status", "--db", db)
    assert st.returncode == 0 and f"brands           {BRAND}, default" in st.stdout
    regions = tuple(STATES)
    params = pipeline.RecommendRequest(regions=regions, slots=1)
    mine = pipeline.recommend(params, str(db), store=False, client=BRAND).payload()
    theirs = pipeline.recommend(params, str(db), store=False, client="default").payload()
    owner = "SELECT client FROM model_runs WHERE run_id = ?"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(owner, [mine["model_run"]]).fetchall() == [(BRAND,)]
        assert con.execute(owner, [theirs["model_run"]]).fetchall() == [("default",)]
    assert mine["model_run"] == run["run_id"]
    # the café's two channels only (the main brand also has youtube in the same states)
    assert {(x["region"], x["channel"]) for x in mine["recommendations"]} == {
        (s, c) for s in STATES for c in CHANNELS
    }
    assert "youtube" in {x["channel"] for x in theirs["recommendations"]}

    def picks(doc: dict) -> dict:
        return {
            (x["region"], x["channel"]): (x["start_utc"], x["expected_engagement"])
            for x in doc["recommendations"]
        }

    ours, main = picks(mine), picks(theirs)
    assert all(ours[k] != main[k] for k in ours)  # each slot from the brand's own forecasts


# every reader of brand rows, on the CLI: the same one line, exit 2, for an unknown brand
# (`train` and `report` resolve it with the same pipeline.brand; each costs seconds to start)
READERS = {
    "recommend": (),
    "backtest": ("--weeks", "1"),
    "footprint": (),
    "render-window": ("--hours", "2", "--kw", "1", "--zone", "MX", "--deadline", "2099-01-01"),
    "status": (),
}


@pytest.mark.parametrize("command", sorted(READERS))
def test_an_unknown_brand_is_the_same_line_on_every_command(two_brand_db, command):
    r = run_cli(command, *READERS[command], "--db", two_brand_db, "--client", "nadie")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"insights {command}: error: brand 'nadie' has no data in this warehouse; "
        "brands: Café Ñ, default"
    ]


def test_footprint_and_backtest_read_the_brand_given(two_brand_db: Path) -> None:
    """--client on `footprint` (and `backtest`, through the same pipeline.as_brand): that
    brand's rows only; without it, on two brands, the command names them."""
    views = {}
    for client in (OTHER_BRAND, "default"):
        r = run_cli("footprint", "--db", two_brand_db, "--client", client, "--json")
        assert r.returncode == 0, r.stderr
        doc = json.loads(r.stdout)
        views[client] = doc["totals"]["iab-europe"]["views"]
    jalisco = query(
        two_brand_db,
        f"""SELECT sum(views) FROM consumption WHERE client = '{OTHER_BRAND}'
        AND ts_utc > (SELECT max(ts_utc) FROM consumption) - INTERVAL 7 DAY""",
    )[0][0]
    assert 0 < views[OTHER_BRAND] < views["default"]
    assert views[OTHER_BRAND] == pytest.approx(jalisco, rel=0.05)
    for command in ("footprint", "backtest"):
        r = run_cli(command, "--db", two_brand_db)
        assert r.returncode == 2 and "several brands (Café Ñ, default)" in r.stderr


def test_an_unknown_engine_is_one_line(small_trained_db: Path) -> None:
    r = run_cli("train", "--db", small_trained_db, env={"INSIGHTS_ENGINE": "gpu"})
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "insights train: error: INSIGHTS_ENGINE='gpu': use local or spark"
    ]
    with pytest.raises(InsightsError, match="--engine 'gpu': use local or spark"):
        pipeline.TrainRequest(engine="gpu")
