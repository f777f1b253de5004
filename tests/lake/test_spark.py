"""Spark parity: the same forecasts per brand and the same SQL answers as the local engine.

One ``local[2]`` session for the module (Java and the spark extra are installed by CI)."""

from __future__ import annotations

import json
import math
import shutil
from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest

from insights.training.result import plain

pytest.importorskip("pyspark")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime"),
]


def _close(a, b) -> bool:
    """Equal, floats to 1e-12 relative."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.fixture(scope="module")
def spark():
    from insights.engines.spark import session

    s = session("local[2]")
    yield s
    s.stop()


def brands(n_brands: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    parts = []
    t = pl.datetime_range(
        datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 11, 23, tzinfo=UTC), "1h", eager=True
    )
    h = np.arange(t.len())
    for b in range(n_brands):
        for s in ("Jalisco | instagram", "Sonora | tiktok"):
            level = 50 + 20 * b
            y = level * (1.5 + np.sin(2 * np.pi * h / 24)) + rng.normal(0, 3, t.len())
            parts.append(
                pl.DataFrame(
                    {"client": f"marca-{b}", "series_id": s, "ts": t, "y": np.clip(y, 0, None)}
                )
            )
    return pl.concat(parts)


def test_forecasts_per_brand_on_spark_equal_the_local_loop(spark) -> None:
    from insights.engines.groups import forecast_groups

    y = brands()
    settings = {"horizon": 24, "max_iter": 30}
    local = forecast_groups(y, settings=settings, engine="local")
    remote = forecast_groups(y, settings=settings, engine="spark", spark=spark)
    assert local.height == 3 * 2 * 24
    assert local["ts"].dtype == remote["ts"].dtype
    assert local.equals(remote)  # to the last digit


def test_same_sql_answer_from_spark_over_the_lake(spark, tmp_path) -> None:
    from insights.lake import query
    from tests.conftest import run_cli

    raw, db, lake = tmp_path / "raw", tmp_path / "wh.duckdb", f"sqlite:///{tmp_path}/lake.db"
    assert run_cli("demo-data", "--days", "7", "--seed", "5", "--out", raw).returncode == 0
    assert run_cli("ingest", raw, "--db", db).returncode == 0
    assert run_cli("lake", "export", "--lake", lake, "--db", db, "--client", "ñ").returncode == 0
    sql = (
        "SELECT channel, date_trunc('day', ts_utc) AS day, sum(views) AS v, count(*) AS n "
        "FROM consumption GROUP BY channel, date_trunc('day', ts_utc) ORDER BY channel, day"
    )
    a = pl.from_arrow(query.on_warehouse(str(db), sql))
    b = pl.from_arrow(query.on_lake_spark(lake, "ñ", sql, spark))
    assert a.height > 0
    assert a["day"].to_list() == b["day"].dt.convert_time_zone("UTC").to_list()
    assert a["n"].to_list() == b["n"].to_list()
    assert np.allclose(a["v"].to_numpy(), b["v"].to_numpy(), rtol=1e-12)


def test_train_on_spark_stores_the_same_runs_as_the_local_loop(spark, tmp_path) -> None:
    """`insights train --engine spark`: one task per brand running the project's own train
    on that brand's rows; the stored forecasts equal the local loop's to the last digit."""
    from datetime import timedelta

    from insights import pipeline
    from insights.demo_brand import write_brand_data
    from tests.conftest import query

    # data ending 40 days ago: past the bridge to now (training.MAX_BRIDGE_HOURS), so the
    # forecast horizon does not depend on the minute each run starts
    end = datetime.now(UTC) - timedelta(days=40)
    db, db2 = tmp_path / "local.duckdb", tmp_path / "spark.duckdb"
    for seed, name in enumerate(("marca-a", "Café Ñ")):
        raw = write_brand_data(tmp_path / f"raw{seed}", end, seed=seed, days=28)
        request = pipeline.IngestRequest(paths=tuple(raw))
        (r,) = pipeline.ingest(request, str(db), client=name)
        assert r.status == "loaded"
    shutil.copy(db, db2)
    quiet = lambda _m: None  # noqa: E731
    opts = {"horizon_hours": 24, "cutoffs": 1}
    local = pipeline.train(pipeline.TrainRequest(**opts), str(db), quiet)
    remote = pipeline.train(pipeline.TrainRequest(**opts, engine="spark"), str(db2), quiet)
    assert sorted(local["brands"]) == sorted(remote["brands"]) == ["Café Ñ", "marca-a"]
    fc = """SELECT f.client, m.client, target, series_id, ts_utc, yhat, yhat_lo, yhat_hi, method
        FROM forecasts f JOIN model_runs m USING (run_id) ORDER BY ALL"""
    a, b = query(db, fc), query(db2, fc)
    assert len(a) == 2 * 6 * 24 and all(row[0] == row[1] for row in b)
    assert a == b  # to the last digit
    for name in ("Café Ñ", "marca-a"):
        x, y = (plain(s["brands"][name]) for s in (local, remote))
        assert type(local["brands"][name]) is type(remote["brands"][name])
        for key in ("run_id", "seconds"):
            x.pop(key), y.pop(key)
        # the forecasts are equal to the last digit (above); the summary's averages may
        # differ in the last bit, summed in another order by another thread count
        assert _close(json.loads(json.dumps(x, default=str)), y)
    files = list((tmp_path / "spark.duckdb.models").rglob("*.pkl"))  # beside the warehouse
    assert {(p.parent.name, p.name.split("-", 2)[-1]) for p in files} == {
        ("Café Ñ", "engagement-1h.pkl"),
        ("marca-a", "engagement-1h.pkl"),
    }
