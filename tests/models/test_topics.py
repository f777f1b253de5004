"""Rising topics and trend breaks, on real Google Trends tables and on known synthetic breaks."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
from scipy.stats import spearmanr

from insights.models.topics import (
    breaks_by_geo,
    consumption_topic_shares,
    rising_topics,
    search_interest_shares,
    trend_break,
)
from tests.conftest import REF, query, run_cli

GT = REF / "consumption" / "google_trends_mx_br_states_weekly"


def test_per_week_scaling_is_undone_consistently_with_the_yearly_geomap(db):
    assert run_cli("ingest", GT / "MX.csv", GT / "geoMap.csv", "--db", db).returncode == 0
    cols = "ts, ts_end, resolution, geo, term, interest, export_id, scale_group"
    rows = query(db, f"SELECT {cols} FROM search_interest")
    si = pl.DataFrame(rows, schema=cols.split(", "), orient="row", infer_schema_length=None)
    weekly = search_interest_shares(si)
    assert weekly["scale_group"].n_unique() == 122
    # mean weekly share over the geoMap's year ranks the states as the geoMap does
    year = weekly.filter(pl.col("ts").is_between(date(2016, 8, 28), date(2017, 8, 28)))
    mean_share = year.group_by("geo").agg(pl.col("share").mean())
    gm = si.filter(pl.col("resolution") == "period").select("geo", "interest")
    j = gm.join(mean_share, on="geo")
    assert j.height == 32
    assert spearmanr(j["interest"], j["share"]).statistic > 0.8
    breaks = breaks_by_geo(weekly)
    assert breaks.height > 0 and set(breaks["direction"]) <= {"rose", "fell"}
    qr = breaks.filter(pl.col("geo") == "Quintana Roo")
    assert qr.height == 1 and qr["direction"][0] == "rose"
    assert date(2016, 1, 1) <= qr["break_at"][0] <= date(2016, 12, 31)


def test_known_synthetic_break_is_found_and_flat_series_is_stable():
    rng = np.random.default_rng(4)
    weeks = [date(2024, 1, 1) + timedelta(weeks=i) for i in range(60)]
    rising = np.r_[rng.normal(10, 1, 45), rng.normal(16, 1, 15)]
    flat = rng.normal(10, 1, 60)
    k, t, lr = trend_break(rising)
    assert abs(k - 45) <= 2 and t > 0 and lr > 0.3
    df = pl.DataFrame(
        {
            "geo": ["Jalisco"] * 60 + ["Sonora"] * 60,
            "term": "música",
            "ts": weeks * 2,
            "share": np.r_[rising, flat],
        }
    )
    res = {r["geo"]: r for r in rising_topics(df, recent=8, baseline=26).iter_rows(named=True)}
    assert res["Jalisco"]["direction"] == "rising" and res["Jalisco"]["p_value"] < 0.01
    # the 26-week baseline already holds 7 raised weeks: (16 / 11.6) - 1 = 38%
    assert 25 < res["Jalisco"]["pct_change"] < 50
    assert res["Sonora"]["direction"] == "stable"


def test_demo_topic_that_rises_is_detected(trained_db):
    rows = query(
        trained_db,
        """SELECT ts_utc, region, topic, engagements FROM consumption
        WHERE region IN ('Aguascalientes', 'Baja California')""",
    )
    c = pl.DataFrame(rows, schema=["ts_utc", "region", "topic", "engagements"], orient="row")
    res = rising_topics(consumption_topic_shares(c), recent=4, baseline=12, min_log_ratio=0.1)
    got = {(r["geo"], r["term"]): r["direction"] for r in res.iter_rows(named=True)}
    # demo música rises over the last 8 weeks in every third state (alphabetical): Aguascalientes
    assert got[("Aguascalientes", "música")] == "rising"
    assert got[("Baja California", "música")] != "rising"
