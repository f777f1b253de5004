"""History measured on the series, the step read from the clock, the estimator ready for
workers (issues 26, 27, 29): each test fails on the previous rules."""

from __future__ import annotations

import argparse
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from insights.commands import train as train_cmd
from insights.models.backtest import backtest, backtest_plan
from insights.models.series_grid import infer_step, normalize
from insights.models.trend import EngagementForecaster
from insights.training import _why_not_backtested, split_by_step


def _posts_sheet(days: int = 56, seed: int = 3) -> pl.DataFrame:
    """One or two posts a day at local hours 8-22 (Mexico City, UTC-6), as a brand's sheet."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(days):
        for h in sorted(rng.choice(np.arange(8, 23), rng.integers(1, 3), replace=False)):
            ts = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=d, hours=int(h) + 6)
            rows.append(("MX | tiktok", ts, float(rng.poisson(200))))
    return pl.DataFrame(rows, schema=["series_id", "ts", "y"], orient="row")


def test_sparse_hourly_posts_are_hourly():
    """1-2 posts a day at hours 8-22: the median gap is about a day, yet each row is an hour."""
    y = _posts_sheet()
    assert infer_step(y["ts"]) == "1h"
    assert set(split_by_step(y)) == {"1h"}


def test_daily_midnights_across_dst_are_daily_and_aligned():
    """Local midnights in Tijuana fall at 08:00 UTC in winter and 07:00 in summer: still one
    daily series, and every day lands on the series' grid (none lost between two days)."""
    days = pl.date_range(datetime(2024, 1, 1), datetime(2025, 7, 2), "1d", eager=True)
    ts = (
        days.cast(pl.Datetime("us"))
        .dt.replace_time_zone("America/Tijuana")
        .dt.convert_time_zone("UTC")
    )
    y = pl.DataFrame({"series_id": "BC | web", "ts": ts, "y": np.arange(len(ts), dtype=float)})
    assert infer_step(y["ts"]) == "1d"
    out = normalize(y)
    assert out["ts"].dt.hour().n_unique() == 1
    assert out["ts"].diff().drop_nulls().dt.total_hours().unique().to_list() == [24]
    assert out.height == len(days)


def test_old_daily_series_in_a_dst_zone_is_backtested_at_every_cutoff():
    """549 days of daily page views ending in 2016, stored as New York local midnights: the
    backtest scores it at each cut-off, whatever today's date."""
    days = pl.date_range(datetime(2015, 7, 1), datetime(2016, 12, 31), "1d", eager=True)
    ts = days.cast(pl.Datetime("us")).dt.replace_time_zone("America/New_York")
    ts = ts.dt.convert_time_zone("UTC")
    rng = np.random.default_rng(0)
    dow = ts.dt.weekday().to_numpy()
    y = pl.DataFrame(
        {
            "series_id": "Main_Page",
            "ts": ts,
            "y": rng.poisson(1000 + 300 * (dow >= 6)).astype(float),
        }
    )
    res = backtest(EngagementForecaster(horizon=7, max_iter=20), y, None, n_cutoffs=3)
    assert res.summary["n_backtested"] == 1, res.per_series
    assert res.per_series["backtestable"].all()


def test_fit_accepts_any_timestamp_precision():
    """pandas and Spark hand over nanoseconds; milliseconds and naive UTC too: one forecast."""
    ts = pl.datetime_range(
        datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 20, tzinfo=UTC), "1h", eager=True
    )
    y = pl.DataFrame(
        {"series_id": "a", "ts": ts, "y": 10 + 5 * np.sin(np.arange(len(ts)) * 2 * np.pi / 24)}
    )
    est = EngagementForecaster(horizon=24, max_iter=10)
    ref = est.fit(y).predict()
    for variant in (
        y.with_columns(pl.col("ts").dt.cast_time_unit("ns")),
        y.with_columns(pl.col("ts").dt.cast_time_unit("ms")),
        y.with_columns(pl.col("ts").dt.replace_time_zone(None).dt.cast_time_unit("ns")),
    ):
        got = EngagementForecaster(horizon=24, max_iter=10).fit(variant).predict()
        assert got.equals(ref)


def _fit_in_worker(est: EngagementForecaster, y: pl.DataFrame) -> pl.DataFrame:
    return est.fit(y).predict()


def test_every_setting_reaches_a_worker_process():
    """The training-row budget and the threads are constructor parameters: a worker given
    the estimator fits exactly what this process fits (same forecasts), and the budget
    changes the fit."""
    ts = pl.datetime_range(
        datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC), "1h", eager=True
    )
    rng = np.random.default_rng(1)
    y = pl.DataFrame(
        {
            "series_id": "a",
            "ts": ts,
            "y": rng.poisson(20 + 10 * np.sin(np.arange(len(ts)) * 2 * np.pi / 24)).astype(float),
        }
    )
    est = EngagementForecaster(horizon=24, max_iter=10, train_rows=3000, n_threads=1)
    assert {"train_rows", "n_threads", "calibration_residuals"} <= set(est.get_params())
    local = _fit_in_worker(pickle.loads(pickle.dumps(est)), y)
    # spawn: a forked child of a process running Polars' thread pool can deadlock
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        remote = pool.submit(_fit_in_worker, est, y).result()
    assert remote.equals(local)
    other = _fit_in_worker(EngagementForecaster(horizon=24, max_iter=10, train_rows=20_000), y)
    assert not other["yhat"].equals(local["yhat"])


def test_four_weeks_of_hours_backtest_on_a_shorter_horizon_stated():
    """A month of hourly history cannot hold three weekly cut-offs after the model's three
    weeks: the plan backtests 72-hour horizons and says so; 29 days hold a 48-hour one."""
    ts = pl.datetime_range(
        datetime(2019, 3, 1, tzinfo=UTC), datetime(2019, 3, 31, tzinfo=UTC), "1h", eager=True
    )
    y = pl.DataFrame({"series_id": "s", "ts": ts, "y": 1.0})
    plan = backtest_plan(y, 168, 3)
    assert plan["horizon"] == 72
    assert "72 h" in plan["note"] and "30 days" in plan["note"]
    days29 = y.filter(pl.col("ts") < datetime(2019, 3, 30, tzinfo=UTC))
    assert backtest_plan(days29, 48, 3) == {"horizon": 48, "n_cutoffs": 3, "note": None}
    # six weeks hold the weekly backtest: nothing shortened, nothing to say
    longer = pl.datetime_range(
        datetime(2019, 3, 1, tzinfo=UTC), datetime(2019, 4, 12, tzinfo=UTC), "1h", eager=True
    )
    plan = backtest_plan(pl.DataFrame({"series_id": "s", "ts": longer, "y": 1.0}), 168, 3)
    assert plan == {"horizon": 168, "n_cutoffs": 3, "note": None}


def test_reason_states_the_real_cause_not_a_contradiction():
    """A series with 56 days whose seasonal differences are all zero is not refused for its
    length: the reason says what the backtest found."""
    per = pl.DataFrame(
        {
            "series_id": ["flat", "flat"],
            "cutoff": [0, 1],
            "backtestable": [False, False],
            "reason": [None, "no seasonal difference in the history (constant or too gappy)"],
        }
    )
    ts = pl.datetime_range(
        datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 2, 26, tzinfo=UTC), "1h", eager=True
    )
    part = pl.DataFrame({"series_id": "flat", "ts": ts, "y": 5.0})
    why = _why_not_backtested(part, per)["flat"]
    assert why.startswith("56 days of history (first to last observation); no seasonal")
    assert "needs more than" not in why


def test_train_output_says_why_a_series_is_not_served_by_the_model(monkeypatch, capsys):
    """Baja California's series, chosen seasonal naive by the backtest, were printed as
    fallbacks "for too little history"; now the reason is the one the run recorded."""
    metrics = {
        "run_id": "r",
        "n_series": 2,
        "seconds": 1.0,
        "mase": 0.8,
        "mase_seasonal_naive": 1.0,
        "relative_mae": 0.9,
        "smape": 10.0,
        "coverage_80": 0.8,
        "by_frequency": {"1h": {"backtest_note": None}},
        "not_backtested": {},
        "fallbacks": {"Baja California | tiktok": "seasonal_naive", "Colima | x": "profile"},
        "fallback_reasons": {
            "Baja California | tiktok": "chosen by backtest",
            "Colima | x": "short history",
        },
        "energy": {},
        "client": "default",  # the run summary names its brand (insights.training.train)
    }
    monkeypatch.setattr("insights.training.train", lambda *a, **k: metrics)
    args = argparse.Namespace(
        db=None,
        horizon_hours=168,
        cutoffs=3,
        by_topic=False,
        json=False,
        quiet=True,
        client=None,
        engine=None,
    )
    assert train_cmd.run(args) == 0
    out = capsys.readouterr().out
    assert "too little history" not in out
    assert "(chosen by backtest): {'Baja California | tiktok': 'seasonal_naive'}" in out
    assert "(short history): {'Colima | x': 'profile'}" in out


@pytest.mark.parametrize("tz", ["America/Tijuana"])
def test_dst_zone_hourly_series_end_to_end(tz):
    """A state with daylight saving time (Tijuana): hourly series on UTC hours through a DST
    change are hourly, fully backtested and get the same kind of service as a zone without
    DST: nothing is refused for history."""
    from tests.models.real_series import demo_hourly

    y, meta = demo_hourly(days=70)
    keep = meta.filter(pl.col("tz") == tz)["series_id"].to_list()[:2]
    assert keep, "the demo has a DST state"
    y = y.filter(pl.col("series_id").is_in(keep))
    res = backtest(
        EngagementForecaster(horizon=48, max_iter=20, train_rows=20_000),
        y,
        meta,
        n_cutoffs=2,
    )
    assert res.summary["n_backtested"] == len(keep), res.per_series
    assert not res.summary["not_backtestable"]
