"""Which forecast reaches the user: chosen per series by out-of-sample MAE (models.selection)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from insights.models.backtest import backtest
from insights.models.selection import choose_candidates, chosen_residuals
from insights.models.trend import EngagementForecaster
from tests.models.test_trend import synthetic


def hourly(values: np.ndarray, sid: str, start=datetime(2024, 1, 1, tzinfo=UTC)) -> pl.DataFrame:
    ts = pl.datetime_range(start, start + timedelta(hours=len(values) - 1), "1h", eager=True)
    return pl.DataFrame({"series_id": sid, "ts": ts, "y": values.astype(float)})


def test_rule_picks_lowest_out_of_sample_mae_and_pools_for_few_steps():
    r = pl.DataFrame(
        {
            "series_id": ["a"] * 30 + ["b"] * 30 + ["c"] * 5,
            "step": list(range(1, 31)) * 2 + list(range(1, 6)),
            "resid": 0.0,
            "y": [10.0] * 65,
            "cand_global": [10.2] * 30 + [13.0] * 30 + [10.0] * 5,
            "cand_seasonal_naive": [11.0] * 65,
            "cand_seasonal_median": [12.0] * 65,
        }
    )
    choice, pooled, mae = choose_candidates(r)
    assert choice["a"] == "global" and choice["b"] == "seasonal_naive"
    assert mae["a"]["global"] == pytest.approx(0.2)
    assert choice["c"] == pooled  # five scored steps: the choice pooled over all series
    res = chosen_residuals(r, choice)
    b = res.filter(pl.col("series_id") == "b")["resid"]
    assert b.to_numpy() == pytest.approx(np.log(11 / 12))  # seasonal naive's log residual


def test_a_series_that_repeats_its_week_is_served_by_seasonal_naive():
    """Seasonal naive is exact on a series that repeats one random week: the backtest must
    hand it seasonal naive, and then be no worse than seasonal naive there."""
    rng = np.random.default_rng(3)
    week = rng.gamma(2.0, 50.0, 168)
    exact = hourly(np.tile(week, 12), "repeats")
    y = pl.concat([synthetic(3, 12), exact])
    res = backtest(EngagementForecaster(), y, n_cutoffs=2)
    last = res.per_series.filter(pl.col("cutoff") == 1)
    got = dict(zip(last["series_id"], last["method"], strict=True))
    assert got["repeats"] == "seasonal_naive"
    rep = last.filter(pl.col("series_id") == "repeats")
    assert rep["smape"][0] == pytest.approx(0.0, abs=1e-6)  # served exactly
    assert res.summary["relative_mae"] <= 1.0


@pytest.mark.parametrize("days", [5, 10, 21])
def test_short_hourly_histories_get_forecast_interval_and_flag(days):
    t = np.arange(days * 24)
    y = hourly(
        50 + 20 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(0).normal(0, 3, len(t)), "new"
    )
    est = EngagementForecaster().fit(y)
    fc = est.predict()
    assert fc.height == 168
    assert fc["yhat"].is_finite().all()
    assert (fc["yhat_lo"] <= fc["yhat"]).all() and (fc["yhat"] <= fc["yhat_hi"]).all()
    assert (fc["yhat_hi"] > fc["yhat_lo"]).all()  # an interval, not a point
    assert "short" in est.flags_["new"]
