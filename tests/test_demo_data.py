"""The demo data is seeded and has the structure its docstring promises."""

from __future__ import annotations

import polars as pl
import pytest

from insights.demo_data import energy_frame, write_demo_data
from tests.conftest import json_lines, query, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    write_demo_data(out, seed=3, end="2025-01-15T23:00", days=60)
    return out


def test_seeded_and_ends_at_end(demo, tmp_path):
    again = tmp_path / "again"
    write_demo_data(again, seed=3, end="2025-01-15T23:00", days=60)
    a = pl.read_parquet(demo / "consumption.parquet")
    assert a.equals(pl.read_parquet(again / "consumption.parquet"))
    assert a["timestamp"].max().isoformat() == "2025-01-15T23:00:00+00:00"
    assert a.select(pl.struct("region", "channel", "topic").n_unique()).item() == 32 * 3 * 3


def test_ingests_and_has_evening_weekend_and_holiday_peaks(demo, tmp_path):
    db = tmp_path / "w.duckdb"
    r = run_cli("ingest", demo, "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    assert {x["status"] for x in json_lines(r.stdout)} == {"loaded"}
    peak = query(
        db,
        """SELECT hour(timezone('America/Mexico_City', ts_utc)) h
        FROM consumption WHERE region='Jalisco' AND channel='instagram'
        GROUP BY h ORDER BY sum(engagements) DESC LIMIT 1""",
    )[0][0]
    assert 20 <= peak <= 22
    trough = query(
        db,
        """SELECT hour(timezone('America/Tijuana', ts_utc)) h
        FROM consumption WHERE region='Baja California'
        GROUP BY h ORDER BY sum(engagements) LIMIT 1""",
    )[0][0]
    assert 2 <= trough <= 7
    wk = dict(
        query(
            db,
            """SELECT dayofweek(timezone('America/Mexico_City', ts_utc)) IN (0, 6),
        avg(engagements) FROM consumption GROUP BY 1""",
        )
    )
    assert wk[True] > 1.1 * wk[False]
    # 1 January (Año Nuevo, holidays.MX) beats the Wednesdays around it
    day = dict(
        query(
            db,
            """SELECT strftime(timezone('America/Mexico_City', ts_utc), '%m-%d') d,
        sum(engagements) FROM consumption WHERE topic='música' GROUP BY 1""",
        )
    )
    assert day["01-01"] > 1.15 * day["01-08"]


def test_energy_is_plausible():
    import numpy as np

    hours = np.arange(
        np.datetime64("2024-01-01T00"), np.datetime64("2024-12-31T23"), dtype="datetime64[h]"
    ).astype("datetime64[us]")
    e = energy_frame(hours, seed=1).rename(
        {
            "Zone id": "zone",
            "Renewable energy percentage (RE%)": "re",
            "Carbon intensity gCO₂eq/kWh (direct)": "ci",
            "Datetime (UTC)": "t",
        }
    )
    e = e.with_columns(
        pl.col("t")
        .str.to_datetime()
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone("America/Hermosillo")
        .dt.hour()
        .alias("h")
    )
    nw = e.filter(pl.col("zone") == "MX-NW").group_by("h").agg(pl.col("re").mean()).sort("re")
    assert 10 <= nw["h"][-1] <= 14  # solar midday peak in the north-west
    assert nw["re"][-1] > 2 * nw["re"][0]
    mean_ci = dict(e.group_by("zone").agg(pl.col("ci").mean()).iter_rows())
    assert mean_ci["MX-BCS"] > mean_ci["MX-CE"] and mean_ci["MX-PN"] > mean_ci["MX-OR"]
    mean_re = dict(e.group_by("zone").agg(pl.col("re").mean()).iter_rows())
    assert max(mean_re, key=mean_re.get) == "MX-OR"  # Isthmus wind + south-eastern hydro
    assert e["re"].is_between(0, 100).all()
